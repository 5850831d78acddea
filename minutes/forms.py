"""The minutes form (usable on a phone: one column, one person a line) and the approval form."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from . import content as minutes_content
from .models import MinutesApproval

PEOPLE_HELP = _("หนึ่งคนต่อบรรทัด: ชื่อ | ตำแหน่ง")
ABSENT_HELP = _("หนึ่งคนต่อบรรทัด: ชื่อ | ตำแหน่ง | เหตุที่ไม่มาประชุม")
PERSON = ("name", "position")
ABSENT = ("name", "position", "reason")


def _area(label, rows=4, help_text=""):
    return forms.CharField(label=label, required=False, help_text=help_text,
                           widget=forms.Textarea(attrs={"rows": rows}))


class MinutesForm(forms.Form):
    """Every section of the official form; the agenda items are fields of their own (item_1_title, ...)."""

    heading = forms.CharField(label=_("หัวเรื่อง (รายงานการประชุม...)"), max_length=500)
    number = forms.CharField(label=_("ครั้งที่"), max_length=100, required=False)
    date = forms.CharField(label=_("เมื่อ"), max_length=200, required=False)
    place = forms.CharField(label=_("ณ"), max_length=500, required=False)
    attendees = _area(_("ผู้มาประชุม"), 6, PEOPLE_HELP)
    absentees = _area(_("ผู้ไม่มาประชุม"), 3, ABSENT_HELP)
    participants = _area(_("ผู้เข้าร่วมประชุม"), 3, PEOPLE_HELP)
    started_at = forms.CharField(label=_("เริ่มประชุมเวลา"), max_length=50, required=False)
    ended_at = forms.CharField(label=_("เลิกประชุมเวลา"), max_length=50, required=False)
    recorder_name = forms.CharField(label=_("ผู้จดรายงานการประชุม: ชื่อ"), max_length=300, required=False)
    recorder_position = forms.CharField(label=_("ผู้จดรายงานการประชุม: ตำแหน่ง"), max_length=300, required=False)
    checker_name = forms.CharField(label=_("ผู้ตรวจรายงานการประชุม: ชื่อ"), max_length=300, required=False)
    checker_position = forms.CharField(label=_("ผู้ตรวจรายงานการประชุม: ตำแหน่ง"), max_length=300, required=False)

    def __init__(self, *args, stored: dict, **kwargs):
        self.stored = stored
        items = stored.get("items") or []
        if "initial" not in kwargs:
            kwargs["initial"] = self.initial_from(stored)
        super().__init__(*args, **kwargs)
        self.item_fields = []
        for number, _item in enumerate(items, start=1):
            names = (f"item_{number}_title", f"item_{number}_report", f"item_{number}_resolution",
                     f"item_{number}_votes")
            self.fields[names[0]] = forms.CharField(label=_("ระเบียบวาระที่ %(n)s: เรื่อง") % {"n": number},
                                                    max_length=500, required=False)
            self.fields[names[1]] = _area(_("ระเบียบวาระที่ %(n)s: รายละเอียด (เรื่องที่รายงาน/อภิปราย)") % {"n": number}, 4)
            self.fields[names[2]] = _area(_("ระเบียบวาระที่ %(n)s: มติที่ประชุม") % {"n": number}, 2)
            self.fields[names[3]] = _area(_("ระเบียบวาระที่ %(n)s: ผลการลงมติ (หนึ่งรายการต่อบรรทัด)") % {"n": number}, 2)
            self.item_fields.append([self[name] for name in names])

    @staticmethod
    def initial_from(stored: dict) -> dict:
        initial = {key: stored.get(key, "") for key in ("heading", "number", "date", "place", "started_at",
                                                        "ended_at")}
        initial["attendees"] = minutes_content.people_lines(stored.get("attendees") or [], PERSON)
        initial["absentees"] = minutes_content.people_lines(stored.get("absentees") or [], ABSENT)
        initial["participants"] = minutes_content.people_lines(stored.get("participants") or [], PERSON)
        for role in ("recorder", "checker"):
            person = stored.get(role) or {}
            initial[f"{role}_name"] = person.get("name", "")
            initial[f"{role}_position"] = person.get("position", "")
        for number, item in enumerate(stored.get("items") or [], start=1):
            initial[f"item_{number}_title"] = item.get("title", "")
            initial[f"item_{number}_report"] = item.get("report", "")
            initial[f"item_{number}_resolution"] = item.get("resolution", "")
            initial[f"item_{number}_votes"] = "\n".join(item.get("votes") or [])
        return initial

    def content(self) -> dict:
        """The content the service stores (the stored connections and documents kept as they were)."""
        data = self.cleaned_data
        items = []
        for number, _item in enumerate(self.stored.get("items") or [], start=1):
            items.append({
                "title": data.get(f"item_{number}_title", ""),
                "report": data.get(f"item_{number}_report", ""),
                "resolution": data.get(f"item_{number}_resolution", ""),
                "votes": [line.strip() for line in data.get(f"item_{number}_votes", "").splitlines() if line.strip()],
            })
        return {
            **{key: data.get(key, "") for key in ("heading", "number", "date", "place", "started_at", "ended_at")},
            "attendees": minutes_content.parse_people(data.get("attendees", ""), PERSON),
            "absentees": minutes_content.parse_people(data.get("absentees", ""), ABSENT),
            "participants": minutes_content.parse_people(data.get("participants", ""), PERSON),
            "items": items,
            "recorder": {"name": data.get("recorder_name", ""), "position": data.get("recorder_position", "")},
            "checker": {"name": data.get("checker_name", ""), "position": data.get("checker_position", "")},
            "connections": list(self.stored.get("connections") or []),
            "documents": list(self.stored.get("documents") or []),
        }

    def add_service_error(self, error: ValidationError) -> None:
        if hasattr(error, "error_dict"):
            for field, messages in error.message_dict.items():
                self.add_error(field if field in self.fields else None, messages)
        else:
            self.add_error(None, error.messages)


class ApprovalForm(forms.Form):
    decision = forms.ChoiceField(label=_("ผลการรับรอง"), choices=MinutesApproval.Decision.choices,
                                 widget=forms.RadioSelect)
    method = forms.ChoiceField(label=_("วิธีการ"), choices=MinutesApproval.Method.choices, widget=forms.RadioSelect,
                               help_text=_("ลงมติ: ใช้ผลการลงมติที่ปิดแล้วในระเบียบวาระที่ 2 ของการประชุมนี้"))
    corrections = _area(_("การแก้ไข (เมื่อรับรองโดยมีการแก้ไข)"), 3)

    def add_service_error(self, error: ValidationError) -> None:
        MinutesForm.add_service_error(self, error)
