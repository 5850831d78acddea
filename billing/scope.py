"""Whose charges a report or page covers: a whole province, one district, or (for operators and the benchmark) all.

Finance at the provincial hall (and an administrator there) sees the whole province; finance at a district office
sees only its own district — the same rule as ``districts.access.sites_visible_to``.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

from django.core.exceptions import PermissionDenied
from django.db.models import Q

from districts.access import staff_of


@dataclass(frozen=True)
class BillingScope:
    province_id: int | None = None
    district_id: int | None = None
    label: str = "ทั้งประเทศ"

    @classmethod
    def country(cls) -> BillingScope:
        return cls()

    @classmethod
    def for_user(cls, user) -> BillingScope:
        staff = staff_of(user)
        if staff is None:
            raise PermissionDenied("ท่านยังไม่มีบทบาทในระบบ")
        site = staff.site
        if staff.is_province_wide:
            return cls(province_id=site.province_id, label=f"จังหวัด{site.province.name_th}")
        if site.district_id is None:  # pragma: no cover - a hall is always province-wide for finance
            raise PermissionDenied("ท่านไม่มีสิทธิ์ดูค่าใช้จ่าย")
        return cls(
            province_id=site.province_id,
            district_id=site.district_id,
            label=f"อำเภอ{site.district.name_th} จังหวัด{site.province.name_th}",
        )

    @classmethod
    def from_dict(cls, data: dict) -> BillingScope:
        return cls(**data)

    def as_dict(self) -> dict:
        return asdict(self)

    def site_filter(self, prefix: str = "") -> Q:
        """A filter on sites, for a queryset reaching them through ``prefix`` (e.g. ``"line__site__"``)."""
        condition = Q()
        if self.province_id is not None:
            condition &= Q(**{f"{prefix}province_id": self.province_id})
        if self.district_id is not None:
            condition &= Q(**{f"{prefix}district_id": self.district_id})
        return condition
