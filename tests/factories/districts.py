"""Test people and places, built through the services (the way the portal builds them)."""

import itertools

from districts.models import Site, Staff
from districts.selectors import site_get_by_code
from districts.services import staff_create

_numbers = itertools.count(1)


class StaffFactory:
    @staticmethod
    def create(*, role: str = Staff.Role.CLERK, site_code: str = "41", username: str = "") -> Staff:
        site: Site | None = site_get_by_code(code=site_code)
        assert site is not None, f"no site with code {site_code}"
        return staff_create(
            username=username or f"{role}{next(_numbers)}",
            password="pw-for-tests-only",
            role=role,
            site=site,
            first_name="ทดสอบ",
            email=f"{role}{next(_numbers)}@example.go.th",
        )
