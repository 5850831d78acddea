"""The finance tables on a phone (issue 15, point 15): in headless Chromium at 390 px wide, the charges and the
travel-savings tables fit the screen and every figure carries its column's name (data-label shown by portal.css);
on a desk the columns keep their header and no label is repeated.

The pages are rendered by Django (the real templates, the real data) and shown with the real static/portal.css
inlined, so no server is needed; Chromium is Debian's, driven by Playwright as tests/e2e does.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from districts.models import Staff

pytestmark = [pytest.mark.e2e, pytest.mark.django_db]

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
PHONE = {"width": 390, "height": 844}
DESK = {"width": 1280, "height": 800}
PAGES = {
    "month": ("/billing/?fy=2562&month=1", "table.charges"),
    "year": ("/billing/?fy=2562&district=4122", "table.charges"),
    "savings": ("/billing/savings/?fy=2562", "table.savings"),
}
CELLS = """selector => [...document.querySelectorAll(
    `${selector} tbody td[data-label], ${selector} tfoot [data-label]`)].map(cell => {
  const box = cell.getBoundingClientRect();
  return {label: cell.dataset.label, before: getComputedStyle(cell, '::before').content,
          left: box.left, right: box.right, shown: box.width > 0 && box.height > 0, text: cell.innerText.trim()};
})"""


def css_string(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)


def with_inline_css(html: str) -> str:
    css = (ROOT / "static" / "portal.css").read_text()
    return re.sub(r'<link rel="stylesheet" href="[^"]*portal\.css[^"]*">', lambda _m: f"<style>{css}</style>", html)


@pytest.fixture
def pages(login, fy2562) -> dict[str, str]:
    client = login(Staff.Role.FINANCE, "41")
    return {name: with_inline_css(client.get(url).content.decode()) for name, (url, _) in PAGES.items()}


def test_the_finance_tables_fit_a_phone_and_label_every_figure(pages, tmp_path):
    if not Path(CHROMIUM).exists():
        pytest.skip(f"{CHROMIUM} is missing (Debian: apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--headless=new"])
        try:
            phone = browser.new_page(viewport=PHONE, locale="th-TH")
            desk = browser.new_page(viewport=DESK, locale="th-TH")
            for name, (_, selector) in PAGES.items():
                phone.set_content(pages[name])
                phone.screenshot(path=str(tmp_path / f"{name}-phone.png"), full_page=True)
                assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"], name
                cells = phone.evaluate(CELLS, selector)
                assert len(cells) >= 9, name
                unlabelled = [c for c in cells if c["shown"] and c["before"] != css_string(c["label"])]
                assert unlabelled == [], name
                assert [c for c in cells if c["right"] > PHONE["width"] or c["left"] < 0] == [], name
                assert phone.evaluate(f"getComputedStyle(document.querySelector('{selector} thead')).display") == "none"

                desk.set_content(pages[name])
                assert desk.evaluate(f"getComputedStyle(document.querySelector('{selector} thead')).display") != "none"
                assert {c["before"] for c in desk.evaluate(CELLS, selector)} == {"none"}, name
            figures = {c["label"]: c["text"] for c in phone.evaluate(CELLS, "table.savings")}
            assert {"ค่าวงจรสื่อสาร", "ประหยัดสุทธิ", "ระยะทางไป-กลับ (กม.)"} <= set(figures)
        finally:
            browser.close()
