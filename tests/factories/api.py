"""API clients as programs use them: signed in with a token."""

from rest_framework.test import APIClient

from districts.selectors import site_get_by_code
from districts.services import province_sites_create
from portal.api_tokens import api_token_issue

from .districts import StaffFactory


def api_as(role: str, code: str = "41") -> APIClient:
    """A program signed in with the token of a new staff member of `role` at site `code` (the client's `.staff`),
    as an integrator's script would be. A site of a province not loaded yet ("39": another province) is created
    with its province's sites first."""
    if site_get_by_code(code=code) is None:
        province_sites_create(province_code=code[:2])
    staff = StaffFactory.create(role=role, site_code=code)
    client = APIClient()
    _token, key = api_token_issue(user=staff.user)
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    client.staff = staff
    return client
