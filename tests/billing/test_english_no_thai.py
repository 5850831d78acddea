"""The finance pages in English with no Thai left but data (issue 15, point 16): place names, the amount in
words and the Thai provider's name are data; every label, choice, heading, message and month name is English.

Holds once the lead has filled and compiled locale/en from the gettext calls (new strings: the month names, the
filter's choices, the payment message)."""

import re

import pytest
from django.conf import settings
from django.utils import translation

from districts.models import District, Province, Site, Staff
from tests.billing.test_english_pages import PAGES, in_english, page

pytestmark = [pytest.mark.integration, pytest.mark.django_db]  # PostgreSQL

THAI = re.compile(r"[\u0e00-\u0e7f][\u0e00-\u0e7f \-.,:“”()0-9]*")
MAIN = re.compile(r"<main\b.*?</main>", re.DOTALL)


@pytest.fixture(autouse=True)
def _thai_after():
    """LocaleMiddleware leaves the last request's language active in the thread: English must not leak into the
    next test (whose service calls would then speak English)."""
    yield
    translation.activate(settings.LANGUAGE_CODE)


def leftovers(html: str) -> list[str]:
    names = set(Site.objects.values_list("name", flat=True))
    names |= {f"อำเภอ{n}" for n in District.objects.filter(province__code="41").values_list("name_th", flat=True)}
    names |= {f"จังหวัด{n}" for n in Province.objects.values_list("name_th", flat=True)}
    main = MAIN.search(html).group(0)
    main = re.sub(r"<option[^>]*>[^<]*</option>", lambda m: m.group(0) if "อำเภอ" not in m.group(0) else "", main)
    return [run.strip() for run in THAI.findall(main) if run.strip() and run.strip() not in names]


@pytest.mark.usefixtures("fy2562")
@pytest.mark.parametrize("name", PAGES)
def test_finance_page_has_no_thai_but_data_in_english(login, name):
    url, _english, _thai = PAGES[name]
    html = page(in_english(login(Staff.Role.FINANCE, "41")), url(), "en")
    left = leftovers(html)
    assert left == []
