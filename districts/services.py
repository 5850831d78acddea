"""Writes for places and people: loading the national geography, creating a province's sites, staff roles."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from foundation.audit import Action, audit_record
from foundation.models import AuditEntry

from . import administrators
from .models import District, Province, Site, Staff

DATA_DIR = Path(__file__).resolve().parent / "data"
# Road distance ≈ 1.5 × straight line (the upper end of the data README's range); known road figures win.
ROAD_FACTOR = Decimal("1.5")
KNOWN_ROAD_DISTANCES_KM = {"4122": Decimal(130)}  # Na Yung: "more than 130 km" in the provincial record
STRAIGHT_LINE_FILES = {"41": DATA_DIR / "udon-thani-distances.csv"}


@dataclass(frozen=True)
class LoadResult:
    created: int
    updated: int
    unchanged: int


def _read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


@transaction.atomic
def geography_load(
    *, provinces_csv: Path = DATA_DIR / "provinces.csv", districts_csv: Path = DATA_DIR / "districts.csv"
) -> tuple[LoadResult, LoadResult]:
    """Create or update every province and district from the shipped files. Running it twice changes nothing.

    Road distances are not in these files and are never touched here.
    """
    province_rows = _read_csv(provinces_csv)
    district_rows = _read_csv(districts_csv)
    for row in district_rows:
        if row["district_code"][:2] != row["province_code"]:
            raise ValidationError(
                _("อำเภอรหัส %(district)s ไม่อยู่ในจังหวัดรหัส %(province)s: ตรวจสอบแฟ้มข้อมูล")
                % {"district": row["district_code"], "province": row["province_code"]}
            )

    existing = {p.code: p for p in Province.objects.all()}
    counts = {"created": 0, "updated": 0, "unchanged": 0}
    for row in province_rows:
        values = {"name_th": row["name_th"], "name_en": row["name_en"]}
        _upsert(Province, existing.get(row["province_code"]), {"code": row["province_code"], **values}, counts)
    provinces = LoadResult(**counts)

    by_code = {p.code: p for p in Province.objects.all()}
    existing_districts = {d.code: d for d in District.objects.all()}
    counts = {"created": 0, "updated": 0, "unchanged": 0}
    for row in district_rows:
        values = {
            "code": row["district_code"],
            "province": by_code[row["province_code"]],
            "name_th": row["name_th"],
            "name_en": row["name_en"],
        }
        _upsert(District, existing_districts.get(row["district_code"]), values, counts)
    return provinces, LoadResult(**counts)


def _upsert(model: type, instance, values: dict, counts: dict) -> None:
    if instance is None:
        instance = model(**values)
        instance.full_clean()
        instance.save()
        counts["created"] += 1
        return
    changed = [name for name, value in values.items() if getattr(instance, name) != value]
    if not changed:
        counts["unchanged"] += 1
        return
    for name in changed:
        setattr(instance, name, values[name])
    instance.full_clean()
    instance.save(update_fields=[f.attname if f.is_relation else f.name for f in map(model._meta.get_field, changed)])
    counts["updated"] += 1


def estimated_road_distances(province_code: str) -> dict[str, Decimal]:
    """Road distance estimates (km) per district code for a province, from the shipped straight-line file."""
    path = STRAIGHT_LINE_FILES.get(province_code)
    if path is None:
        return {}
    estimates = {}
    for row in _read_csv(path):
        straight = Decimal(row["straight_line_km_from_provincial_hall"])
        estimate = (straight * ROAD_FACTOR).quantize(Decimal(1), rounding=ROUND_HALF_UP)
        estimates[row["district_code"]] = KNOWN_ROAD_DISTANCES_KM.get(row["district_code"], estimate)
    return estimates


@transaction.atomic
def province_sites_create(*, province_code: str) -> LoadResult:
    """Create the provincial hall and one district office site per district of the province.

    Idempotent: existing sites are left as they are (their rooms, phones and checklists belong to the people who
    edited them), and an estimated road distance is only written where none is stored.
    """
    province = Province.objects.filter(code=province_code).first()
    if province is None:
        known = Province.objects.count()
        hint = _("รันคำสั่ง load_geography ก่อน") if known == 0 else _("รหัสจังหวัดมี 2 หลัก เช่น 41 = อุดรธานี")
        raise ValidationError(_("ไม่พบจังหวัดรหัส “%(code)s”: %(hint)s") % {"code": province_code, "hint": hint})

    created = unchanged = updated = 0
    _hall, hall_created = Site.objects.get_or_create(
        province=province,
        kind=Site.Kind.PROVINCIAL_HALL,
        defaults={"name": f"ศาลากลางจังหวัด{province.name_th}", "meeting_room": "ห้องประชุมศาลากลางจังหวัด"},
    )
    created += hall_created
    unchanged += not hall_created

    estimates = estimated_road_distances(province_code)
    for district in province.districts.select_related("site").order_by("code"):
        if not hasattr(district, "site"):
            Site.objects.create(
                province=province,
                district=district,
                kind=Site.Kind.DISTRICT_OFFICE,
                name=f"ที่ทำการปกครองอำเภอ{district.name_th}",
                meeting_room=f"ห้องประชุมอำเภอ{district.name_th}",
            )
            created += 1
        else:
            unchanged += 1
        if district.road_distance_km is None and district.code in estimates:
            district.road_distance_km = estimates[district.code]
            district.save(update_fields=["road_distance_km"])
            updated += 1
    return LoadResult(created=created, updated=updated, unchanged=unchanged)


@transaction.atomic
def staff_create(
    *,
    username: str,
    password: str,
    role: str,
    site: Site,
    first_name: str = "",
    last_name: str = "",
    email: str = "",
    phone: str = "",
    by=None,
) -> Staff:
    """Create a user with a role at a site (audited when someone does it). Only administrators get the Django
    admin, of their own province."""
    if role not in Staff.Role.values:
        raise ValidationError(
            _("ไม่รู้จักบทบาท “%(role)s”: เลือกจาก %(roles)s") % {"role": role, "roles": ", ".join(Staff.Role.values)}
        )
    user_model = get_user_model()
    user = user_model(username=username, first_name=first_name, last_name=last_name, email=email)
    user.set_password(password)
    user.full_clean()
    user.save()
    staff = Staff(user=user, role=role, site=site, phone=phone)
    staff.full_clean()
    staff.save()
    _admin_rights_follow_role(user, role)
    if by is not None:
        audit_record(actor=by, action=Action.CREATE, target=staff, detail={"role": role, "site": site.pk},
                     province_code=site.province.code)
    return staff


@transaction.atomic
def staff_password_set(*, staff: Staff, password: str, by) -> None:
    """An administrator gives someone of their province a new password. Audited (never the password)."""
    staff.user.set_password(password)
    staff.user.save(update_fields=["password"])
    audit_record(actor=by, action=Action.UPDATE, target=staff, detail={"changed": ["password"]},
                 province_code=staff.site.province.code)


def _admin_rights_follow_role(user, role: str) -> None:
    """A province administrator works in the Django admin through the province administrators' group (their
    province's rows only: districts.admin_scope); nobody becomes a superuser by a role."""
    is_admin = role == Staff.Role.ADMINISTRATOR
    if is_admin:
        user.groups.add(administrators.group())
    else:
        user.groups.remove(*user.groups.filter(name=administrators.GROUP))
    if (user.is_staff, user.is_superuser) != (is_admin, False):
        user.is_staff, user.is_superuser = is_admin, False  # people with a role are not operators
        user.save(update_fields=["is_staff", "is_superuser"])


@transaction.atomic
def staff_role_change(*, staff: Staff, role: str, site: Site | None = None, by=None) -> Staff:
    """Change a person's role (and site); keeps admin rights in step with the role. Audited."""
    before = {"role": staff.role, "site": staff.site_id}
    staff.role = role
    if site is not None:
        staff.site = site
    staff.full_clean()
    staff.save(update_fields=["role", "site"])
    _admin_rights_follow_role(staff.user, role)
    audit_record(
        actor=by,
        action=Action.ROLE_CHANGE,
        target=staff,
        detail={"before": before, "after": {"role": role, "site": staff.site_id}},
    )
    return staff


DEMO_PASSWORD = "demo"  # nosec B105  # noqa: S105 - embedded mode only; refused unless PRACHUM_DEMO_ACCOUNTS


@transaction.atomic
def demo_accounts_create(
    *, province_code: str = "41", clerk_district_code: str = "4122", neighbour_code: str = "39"
) -> list[Staff]:
    """The demo accounts of the embedded mode: four of Udon Thani (41), and an administrator and a scheduler of
    Nong Bua Lam Phu (39; its sites are made when missing), so a newcomer sees where one province ends.
    Idempotent; refused in any other settings."""
    if not settings.PRACHUM_DEMO_ACCOUNTS:
        raise ValidationError(_("บัญชีสาธิตใช้ได้เฉพาะโหมดทดลองใช้งาน (embedded) เท่านั้น"))
    hall = Site.objects.get(province__code=province_code, kind=Site.Kind.PROVINCIAL_HALL)
    clerk_site = Site.objects.get(district__code=clerk_district_code)
    if not Site.objects.filter(province__code=neighbour_code, kind=Site.Kind.PROVINCIAL_HALL).exists():
        province_sites_create(province_code=neighbour_code)
    neighbour = Site.objects.get(province__code=neighbour_code, kind=Site.Kind.PROVINCIAL_HALL)
    wanted = [
        ("admin", Staff.Role.ADMINISTRATOR, hall, "ผู้ดูแล", "ระบบ"),
        ("scheduler", Staff.Role.SCHEDULER, hall, "สมชาย", "จัดประชุม"),
        (f"clerk{clerk_district_code}", Staff.Role.CLERK, clerk_site, "สมศรี", "ประจำอำเภอ"),
        ("finance", Staff.Role.FINANCE, hall, "สมหญิง", "การเงิน"),
        (f"admin{neighbour_code}", Staff.Role.ADMINISTRATOR, neighbour, "ผู้ดูแล", "หนองบัวลำภู"),
        (f"scheduler{neighbour_code}", Staff.Role.SCHEDULER, neighbour, "สมปอง", "จัดประชุม"),
    ]
    accounts = []
    user_model = get_user_model()
    for username, role, site, first, last in wanted:
        existing = Staff.objects.select_related("user").filter(user__username=username).first()
        if existing is None and user_model.objects.filter(username=username).exists():
            raise ValidationError(_("มีผู้ใช้ “%(username)s” อยู่แล้วแต่ไม่มีบทบาท: แก้ไขในหน้าผู้ดูแลระบบ") % {"username": username})
        accounts.append(
            existing
            or staff_create(
                username=username, password=DEMO_PASSWORD, role=role, site=site, first_name=first, last_name=last
            )
        )
    return accounts


def person_data_export(user) -> dict:
    """The account and staff record of a person (PDPA export)."""
    staff = Staff.objects.select_related("site").filter(user=user).first()
    return {
        "username": user.get_username(),
        "first_name": user.first_name,
        "last_name": user.last_name,
        "email": user.email,
        "date_joined": user.date_joined.isoformat(),
        "last_login": user.last_login.isoformat() if user.last_login else None,
        "staff": None
        if staff is None
        else {
            "role": staff.role,
            "site": staff.site.name,
            "phone": staff.phone,
            "preferred_language": staff.preferred_language,
        },
    }


def person_data_erase(user) -> int:
    """Anonymise a person's account: the row stays (it is referenced by what they did), their data goes."""
    user.username = f"erased-{user.pk}"
    user.first_name = user.last_name = user.email = ""
    user.is_active = user.is_staff = user.is_superuser = False
    user.set_unusable_password()
    user.save()
    user.groups.clear()
    staff_ids = [str(pk) for pk in Staff.objects.filter(user=user).values_list("pk", flat=True)]
    changed = Staff.objects.filter(user=user).update(phone="")
    # Entries about their staff row named them ("<full name> (<role>)"): they stay, under the pseudonym.
    changed += AuditEntry.objects.filter(target_type=Staff._meta.label, target_id__in=staff_ids).update(
        target_repr=user.username
    )
    return 1 + changed
