"""English, the second language: the key pages read in English, and the English catalogue is complete and compiled.

Thai is the source language (the msgids are Thai), so an untranslated string shows up as Thai on an English page.
The catalogue tests parse locale/en/LC_MESSAGES/django.po themselves: a string someone adds without translating it
fails here, and so does a .po edited without recompiling the committed .mo.
"""

import ast
import gettext
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.conf import settings

from districts.models import Staff
from tests.factories.meetings import MeetingFactory

pytestmark = [pytest.mark.integration, pytest.mark.django_db]  # PostgreSQL

LOCALE = Path(settings.BASE_DIR) / "locale"
THAI = re.compile(r"[\u0e00-\u0e7f]")
PLACEHOLDER = re.compile(r"%\(\w+\)[sdif]|%[sdif]|\{\w*\}")


def in_english(client):
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert response.status_code == 302
    return client


def page(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    html = response.content.decode()
    assert '<html lang="en">' in html
    return html


def assert_english(html: str, english: list[str], thai: list[str]) -> None:
    for text in english:
        assert text in html, f"missing English text {text!r}"
    for text in thai:
        assert text not in html, f"Thai source text {text!r} is still on the English page"


# The pages, in English ---------------------------------------------------------------------------------------------


def test_login_page_in_english(client):
    html = page(in_english(client), "/login/")
    assert_english(
        html,
        english=["Log in", "Username", "Password", "All times are Thailand time (UTC+7)"],
        thai=["เข้าสู่ระบบ", "ชื่อผู้ใช้", "รหัสผ่าน", "เวลาทั้งหมดเป็นเวลาประเทศไทย"],
    )
    # The switch offers Thai back, by its own name.
    assert 'value="th"' in html


def test_wrong_password_message_in_english(client):
    response = in_english(client).post("/login/", {"username": "someone", "password": "wrong"})
    assert response.status_code == 200
    assert_english(
        response.content.decode(),
        english=["Incorrect username or password"],
        thai=["ชื่อผู้ใช้หรือรหัสผ่านไม่ถูกต้อง"],
    )


def test_clerk_site_page_in_english(login):
    MeetingFactory.create(title="Monthly district heads meeting", sites=("4122",))
    client = in_english(login(Staff.Role.CLERK, "4122"))
    html = page(client, "/sites/4122/")
    assert_english(
        html,
        english=[
            "My district",
            "Log out",
            "This site's meetings (today and upcoming)",
            "Monthly district heads meeting",
            "Join meeting",
            "Test the system before the meeting",
            "Pre-meeting equipment checklist",
            "Site calendar (subscribe once)",
        ],
        thai=[
            "อำเภอของฉัน",
            "ออกจากระบบ",
            "การประชุมของสถานที่นี้",
            "เข้าร่วมประชุม",
            "ทดสอบระบบก่อนประชุม",
            "รายการตรวจอุปกรณ์ก่อนประชุม",
            "ปฏิทินของสถานที่",
        ],
    )


def test_scheduler_meetings_list_in_english(login):
    MeetingFactory.create(title="Provincial drought committee", sites=("4101", "4122"))
    client = in_english(login(Staff.Role.SCHEDULER, "41"))
    html = page(client, "/meetings/")
    assert_english(
        html,
        english=[
            "Meetings",
            "Control centre",
            "Upcoming meetings",
            "Schedule a meeting",
            "Provincial drought committee",
            "Subject",
            "Chair",
            "Scheduled",
        ],
        thai=["การประชุมที่กำลังจะมาถึง", "นัดหมายการประชุม", "ศูนย์ควบคุม", "นัดหมายแล้ว", "ประธาน"],
    )


def test_finance_billing_page_in_english(login):
    client = in_english(login(Staff.Role.FINANCE, "41"))
    html = page(client, "/billing/")
    # The navigation, the footer and the charge statuses come from the catalogue.
    assert_english(
        html,
        english=["Expenses", "Log out", "All times are Thailand time (UTC+7)", ">Unpaid<", ">Paid<"],
        thai=["ออกจากระบบ", "เวลาทั้งหมดเป็นเวลาประเทศไทย", "ค้างชำระ", "ชำระแล้ว"],
    )


def test_thai_stays_the_default(login):
    """The same pages without switching are Thai: the English assertions above are not passing by accident."""
    client = login(Staff.Role.SCHEDULER, "41")
    html = client.get("/meetings/").content.decode()
    assert '<html lang="th">' in html
    assert "การประชุมที่กำลังจะมาถึง" in html
    assert "Upcoming meetings" not in html


# The catalogue ------------------------------------------------------------------------------------------------------


@dataclass
class Entry:
    msgid: str
    msgid_plural: str
    msgctxt: str | None
    msgstr: dict[int, str]
    flags: set[str]
    line: int


def parse_po(path: Path) -> list[Entry]:
    """The entries of a .po file, the header included (as msgid ""); obsolete `#~` entries are left out.

    gettext tools write one blank line between entries, so a block is an entry; a string runs on over the
    following quoted lines. PO strings use C escapes (\\" \\\\ \\n), which a Python literal reads the same way.
    """
    entries = []
    line = 1
    for block in path.read_text(encoding="utf-8").split("\n\n"):
        fields: dict[str, str] = {}
        flags: set[str] = set()
        keyword = None
        for offset, raw in enumerate(block.splitlines()):
            text = raw.strip()
            if text.startswith("#,"):
                flags.update(flag.strip() for flag in text[2:].split(","))
            elif text.startswith('"'):
                assert keyword is not None, f"{path}:{line + offset}: a string without a keyword"
                fields[keyword] += ast.literal_eval(text)
            elif text and not text.startswith("#"):
                keyword, _, value = text.partition(" ")
                fields[keyword] = ast.literal_eval(value)
        if fields:
            msgstr = {int(key[7:-1] or 0): value for key, value in fields.items() if key.startswith("msgstr")}
            entries.append(
                Entry(
                    msgid=fields.get("msgid", ""),
                    msgid_plural=fields.get("msgid_plural", ""),
                    msgctxt=fields.get("msgctxt"),
                    msgstr=msgstr,
                    flags=flags,
                    line=line,
                )
            )
        line += block.count("\n") + 2
    return entries


@pytest.fixture(scope="module")
def english_entries() -> list[Entry]:
    return parse_po(LOCALE / "en" / "LC_MESSAGES" / "django.po")


def _messages(entries: list[Entry]) -> list[Entry]:
    return [entry for entry in entries if entry.msgid or entry.msgctxt]


def test_english_catalogue_header(english_entries):
    header = next(entry for entry in english_entries if not entry.msgid and entry.msgctxt is None)
    text = header.msgstr[0]
    assert "Language: en\n" in text
    assert "Plural-Forms: nplurals=2; plural=(n != 1);\n" in text
    assert "charset=UTF-8" in text
    assert "fuzzy" not in header.flags


def test_english_catalogue_has_every_string_translated(english_entries):
    messages = _messages(english_entries)
    assert len(messages) > 300, "the catalogue looks truncated"
    untranslated = [
        f"line {entry.line}: {entry.msgid!r}"
        for entry in messages
        if not entry.msgstr or any(not text for text in entry.msgstr.values())
    ]
    hint = "untranslated strings (run `make messages`, translate them, compile):\n"
    assert not untranslated, hint + "\n".join(untranslated)
    fuzzy = [f"line {entry.line}: {entry.msgid!r}" for entry in messages if "fuzzy" in entry.flags]
    assert not fuzzy, "fuzzy entries (check the translation, then remove the flag):\n" + "\n".join(fuzzy)


def test_english_translations_are_english_and_keep_placeholders(english_entries):
    problems = []
    for entry in _messages(english_entries):
        for index, text in entry.msgstr.items():
            if THAI.search(text):
                problems.append(f"line {entry.line}: Thai left in the English text {text!r}")
            source = entry.msgid_plural if index and entry.msgid_plural else entry.msgid
            if sorted(PLACEHOLDER.findall(source)) != sorted(PLACEHOLDER.findall(text)):
                problems.append(f"line {entry.line}: placeholders differ: {source!r} -> {text!r}")
        if entry.msgid_plural:
            assert sorted(entry.msgstr) == [0, 1], f"line {entry.line}: English needs msgstr[0] and msgstr[1]"
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("language", ["en", "th"])
def test_committed_mo_matches_the_po(language, tmp_path):
    """The committed .mo is what the .po compiles to now (`make run` uses it without gettext installed)."""
    msgfmt = shutil.which("msgfmt")
    if msgfmt is None:
        pytest.skip("GNU gettext (msgfmt) is not installed: `make apt-test` installs it")
    folder = LOCALE / language / "LC_MESSAGES"
    fresh = tmp_path / "django.mo"
    subprocess.run(
        [msgfmt, "--check-format", "--check-header", "--check-domain", "-o", str(fresh), str(folder / "django.po")],
        check=True,
        capture_output=True,
    )
    with (folder / "django.mo").open("rb") as committed_file, fresh.open("rb") as fresh_file:
        committed = gettext.GNUTranslations(committed_file)
        expected = gettext.GNUTranslations(fresh_file)
    assert len(committed._catalog) == len(expected._catalog), (
        f"locale/{language} .mo is stale: run `manage.py compilemessages` and commit the .mo"
    )
    assert committed._catalog == expected._catalog, f"locale/{language} .mo differs from its .po: recompile it"
    if language == "en":
        assert committed.gettext("เข้าสู่ระบบ") == "Log in"
    else:
        # Thai is the source language: its catalogue holds only the header.
        assert set(expected._catalog) == {""}


def test_the_scheduling_form_in_english_and_its_empty_fields_say_what_to_type(login):
    client = in_english(login(Staff.Role.SCHEDULER, "41"))
    html = page(client, "/meetings/new/")
    assert_english(
        html,
        english=["Meeting date", "Start time", "End time", "Repeat", "Agenda (one item per line)",
                 "Every district of the province"],
        thai=["วันที่ประชุม", "เวลาเริ่ม", "ซ้ำถึงวันที่", "ทุกอำเภอในจังหวัด"],
    )
    empty = client.post("/meetings/new/", {"title": "", "date": "", "start_time": "", "end_time": ""})
    text = empty.content.decode()
    assert "Type what the meeting is about" in text
    assert "Type the meeting date" in text
    assert "Enter the start time" in text
    assert "This field is required" not in text
    from django.test import Client

    thai = login(Staff.Role.SCHEDULER, "41", Client()).post("/meetings/new/", {"title": ""}).content.decode()
    assert "พิมพ์เรื่องที่ประชุม เช่น" in thai
    assert "ฟิลด์นี้จำเป็น" not in thai
