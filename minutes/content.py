"""The content of a version of the minutes: a plain JSON document in the order of the official form, its digest,
and the draft made from a meeting's agenda, roll, attendance record, documents and votes. No database access.

    {"heading", "number", "date", "place", "attendees": [{"name", "position"}],
     "absentees": [{"name", "position", "reason"}], "participants": [{"name", "position"}], "started_at",
     "items": [{"title", "report", "resolution", "votes": [text]}], "ended_at",
     "recorder": {"name", "position"}, "checker": {"name", "position"}, "connections": [text], "documents": [text]}
"""

from __future__ import annotations

import hashlib
import json
from datetime import datetime

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from foundation.thaidate import BANGKOK, format_be_long

WEEKDAYS = ("จันทร์", "อังคาร", "พุธ", "พฤหัสบดี", "ศุกร์", "เสาร์", "อาทิตย์")
PERSON_KEYS = ("name", "position")
TEXT_LIMIT = 20_000
LIST_LIMIT = 500


def digest(content: dict) -> str:
    """SHA-256 of the content's canonical JSON (keys sorted, UTF-8, no spaces)."""
    canonical = json.dumps(content, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def _time(moment: datetime | None) -> str:
    return f"{moment.astimezone(BANGKOK):%H.%M} น." if moment else ""


def _date(moment: datetime) -> str:
    local = moment.astimezone(BANGKOK)
    return f"วัน{WEEKDAYS[local.weekday()]}ที่ {format_be_long(local)}"


def _position(position: str, holder: str) -> str:
    return position if not holder or holder in position else f"{position} ({holder})" if position else holder


def vote_text(vote) -> str:
    """One line for a vote result (proceedings.selectors.VoteResult) under its item's resolution."""
    counts = " ".join(f"{label} {number}" for label, number in vote.counts.items())
    kind = _("ลงคะแนนลับ") if vote.secret else _("ลงคะแนนเปิดเผย")
    quorum = _("ครบองค์ประชุม") if vote.quorum_met else _("ไม่ครบองค์ประชุม")
    text = _("ผลการลงมติ “%(question)s” (%(kind)s): %(counts)s — ผู้มีสิทธิ %(eligible)d ลงคะแนน %(cast)d, %(quorum)s") % {
        "question": vote.question, "kind": kind, "counts": counts, "eligible": vote.eligible, "cast": vote.cast,
        "quorum": quorum,
    }
    if not vote.secret and vote.voters:
        text += " · " + ", ".join(f"{who}: {choice}" for who, choice in vote.voters)
    return text


def vote_snapshot(vote) -> dict:
    """A vote result as stored with an approval (what was read when it was recorded)."""
    return {
        "agenda_item": vote.agenda_item, "question": vote.question, "secret": vote.secret, "by": vote.by,
        "status": vote.status, "counts": dict(vote.counts), "eligible": vote.eligible, "cast": vote.cast,
        "quorum": vote.quorum, "quorum_met": vote.quorum_met,
        "opened_at": vote.opened_at.isoformat() if vote.opened_at else None,
        "closed_at": vote.closed_at.isoformat() if vote.closed_at else None,
    }


def item_number(vote, agenda_length: int) -> int:
    """The agenda item (1-based, as the agenda is read: วาระที่ 1, 2, ...) a vote was held on."""
    return int(vote.agenda_item)


def draft_content(*, sources, recorder: dict, previous_minutes: str = "") -> dict:  # noqa: PLR0912 - one form
    """The first draft from a meeting's data (minutes.selectors.DraftSources)."""
    meeting = sources.meeting
    attendees, participants, absentees = [], [], []
    rolled_sites = set()
    for site_roll in sources.roll:
        rolled_sites.add(site_roll.holder)
        for person in site_roll.present:
            entry = {"name": person.name, "position": _position(person.position, site_roll.holder)}
            (participants if person.role == "participant" else attendees).append(entry)
        for person in site_roll.absent:
            absentees.append({"name": person.name, "position": _position(person.position, site_roll.holder),
                              "reason": person.reason})
    connections = []
    first_join, last_leave = None, None
    for row in sources.attendance.sites:
        site = row.site
        if row.first_joined:
            first_join = min(first_join, row.first_joined) if first_join else row.first_joined
            until = _("ยังเชื่อมต่ออยู่") if row.still_connected else _time(row.last_left)
            connections.append(
                _("%(site)s: เชื่อมต่อ %(start)s ถึง %(end)s (รวม %(minutes)d นาที)")
                % {"site": site.name, "start": _time(row.first_joined), "end": until, "minutes": row.connected_minutes}
            )
            if row.last_left:
                last_leave = max(last_leave, row.last_left) if last_leave else row.last_left
        else:
            connections.append(_("%(site)s: ไม่ได้เชื่อมต่อ") % {"site": site.name})
        if site.name not in rolled_sites:
            if row.first_joined:
                attendees.append({"name": _("ผู้แทน%(site)s") % {"site": site.name}, "position": ""})
            else:
                absentees.append({"name": _("ผู้แทน%(site)s") % {"site": site.name}, "position": "",
                                  "reason": _("ไม่ได้แจ้งเหตุ (ไม่ได้เชื่อมต่อเข้าร่วมประชุม)")})
    agenda = list(meeting.agenda or [])
    votes_by_item: dict[int, list[str]] = {}
    for vote in sources.votes:
        votes_by_item.setdefault(item_number(vote, len(agenda)), []).append(vote_text(vote))
    items = []
    for number, title in enumerate(agenda, start=1):
        report = ""
        if number == 2 and previous_minutes:
            report = previous_minutes
        votes = votes_by_item.get(number, [])
        items.append({
            "title": str(title), "report": report,
            "resolution": _("ที่ประชุมมีมติตามผลการลงมติ") if votes else _("ที่ประชุมรับทราบ"),
            "votes": votes,
        })
    host = meeting.host_site
    occurrence = meeting.occurrence or 1
    return {
        "heading": _("รายงานการประชุม%(title)s") % {"title": meeting.title},
        "number": _("ครั้งที่ %(number)s/%(year)s") % {"number": occurrence, "year": meeting.start.astimezone(
            BANGKOK).year + 543},
        "date": _date(meeting.start),
        "place": _("%(place)s และผ่านสื่ออิเล็กทรอนิกส์ (ระบบประชุมทางไกลของจังหวัด)") % {"place": host.name},
        "attendees": attendees,
        "absentees": absentees,
        "participants": participants,
        "started_at": _time(first_join or meeting.start),
        "items": items,
        "ended_at": _time(last_leave or meeting.end),
        "recorder": {"name": recorder.get("name", ""), "position": recorder.get("position", "")},
        "checker": {"name": "", "position": ""},
        "connections": connections,
        "documents": [document.name for document in sources.documents],
    }


# --- the shape every stored version has (drafts edited on the page or through the API) --------------------------


def _text(value, field: str, *, limit: int = TEXT_LIMIT) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise ValidationError({field: _("ต้องเป็นข้อความ")})
    if len(value) > limit:
        raise ValidationError({field: _("ยาวเกิน %(limit)d ตัวอักษร: ตัดให้สั้นลง") % {"limit": limit}})
    return value.strip()


def _people(value, field: str, *, keys: tuple[str, ...]) -> list[dict]:
    if value is None:
        return []
    if not isinstance(value, list) or len(value) > LIST_LIMIT:
        raise ValidationError({field: _("ต้องเป็นรายชื่อ (ไม่เกิน %(limit)d คน)") % {"limit": LIST_LIMIT}})
    people = []
    for index, person in enumerate(value, start=1):
        if not isinstance(person, dict):
            raise ValidationError({field: _("คนที่ %(n)d: ต้องมีชื่อและตำแหน่ง") % {"n": index}})
        entry = {key: _text(person.get(key), f"{field}.{index}.{key}", limit=300) for key in keys}
        if not entry["name"]:
            raise ValidationError({field: _("คนที่ %(n)d: ไม่มีชื่อ — กรอกชื่อ หรือลบแถวนั้นออก") % {"n": index}})
        people.append(entry)
    return people


def clean_content(value) -> dict:
    """The content in its stored shape, or a ValidationError (in Thai) that says which section is wrong."""
    if not isinstance(value, dict):
        raise ValidationError(_("เนื้อหารายงานการประชุมต้องเป็นออบเจกต์ JSON ตามแบบรายงานการประชุม"))
    items = value.get("items") or []
    if not isinstance(items, list) or len(items) > LIST_LIMIT:
        raise ValidationError({"items": _("ระเบียบวาระต้องเป็นรายการ")})
    cleaned_items = []
    for index, item in enumerate(items, start=1):
        if not isinstance(item, dict):
            raise ValidationError({"items": _("วาระที่ %(n)d: ต้องมีเรื่อง รายละเอียด และมติ") % {"n": index}})
        votes = item.get("votes") or []
        if not isinstance(votes, list) or not all(isinstance(v, str) for v in votes):
            raise ValidationError({"items": _("วาระที่ %(n)d: ผลการลงมติต้องเป็นรายการข้อความ") % {"n": index}})
        cleaned_items.append({
            "title": _text(item.get("title"), f"items.{index}.title", limit=500),
            "report": _text(item.get("report"), f"items.{index}.report"),
            "resolution": _text(item.get("resolution"), f"items.{index}.resolution"),
            "votes": [_text(v, f"items.{index}.votes", limit=2000) for v in votes],
        })
    person = {"recorder": None, "checker": None}
    for key in person:
        given = value.get(key) or {}
        if not isinstance(given, dict):
            raise ValidationError({key: _("ต้องมีชื่อและตำแหน่ง")})
        person[key] = {k: _text(given.get(k), f"{key}.{k}", limit=300) for k in PERSON_KEYS}
    lines = {}
    for key in ("connections", "documents"):
        given = value.get(key) or []
        if not isinstance(given, list) or not all(isinstance(v, str) for v in given):
            raise ValidationError({key: _("ต้องเป็นรายการข้อความ")})
        lines[key] = [v.strip() for v in given][:LIST_LIMIT]
    content = {
        "heading": _text(value.get("heading"), "heading", limit=500),
        "number": _text(value.get("number"), "number", limit=100),
        "date": _text(value.get("date"), "date", limit=200),
        "place": _text(value.get("place"), "place", limit=500),
        "attendees": _people(value.get("attendees"), "attendees", keys=PERSON_KEYS),
        "absentees": _people(value.get("absentees"), "absentees", keys=(*PERSON_KEYS, "reason")),
        "participants": _people(value.get("participants"), "participants", keys=PERSON_KEYS),
        "started_at": _text(value.get("started_at"), "started_at", limit=50),
        "items": cleaned_items,
        "ended_at": _text(value.get("ended_at"), "ended_at", limit=50),
        **person,
        **lines,
    }
    if not content["heading"]:
        raise ValidationError({"heading": _("ไม่มีหัวเรื่องรายงานการประชุม: กรอก เช่น “รายงานการประชุมคณะกรมการจังหวัด”")})
    for absentee in content["absentees"]:
        if not absentee["reason"]:
            raise ValidationError({"absentees": _("ผู้ไม่มาประชุม “%(name)s” ไม่มีเหตุผล: กรอกเหตุที่ไม่มาประชุม เช่น "
                                                  "“ติดราชการ”") % {"name": absentee["name"]}})
    return content


# --- the phone form: one person a line, "ชื่อ | ตำแหน่ง" (| เหตุผล) -----------------------------------------------


def people_lines(people: list[dict], keys: tuple[str, ...]) -> str:
    return "\n".join(" | ".join(person.get(key, "") for key in keys).rstrip(" |") for person in people)


def parse_people(text: str, keys: tuple[str, ...]) -> list[dict]:
    people = []
    for line in (text or "").splitlines():
        if not line.strip():
            continue
        parts = [part.strip() for part in line.split("|")]
        parts += [""] * (len(keys) - len(parts))
        head, rest = parts[: len(keys) - 1], " | ".join(parts[len(keys) - 1:]).strip(" |")
        people.append(dict(zip(keys, [*head, rest], strict=True)))
    return people
