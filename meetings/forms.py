"""The scheduling forms: they parse what people type (BE dates, times, sites) and show the services' errors."""

from __future__ import annotations

from datetime import datetime, time

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from districts.selectors import agencies_for_scheduling
from foundation.fields import ThaiDateField
from foundation.thaidate import BANGKOK

from .models import Series
from .selectors import sites_for_scheduling
from .services.scheduling import site_label


class SiteChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj) -> str:
        return site_label(obj)


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    widget = MultipleFileInput

    def clean(self, data, initial=None):
        if isinstance(data, list | tuple):
            return [super(MultipleFileField, self).clean(item, initial) for item in data]
        return [super().clean(data, initial)] if data else []


def agenda_lines(text: str) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


# The usual agenda (models.DEFAULT_AGENDA, Regulation on Correspondence B.E. 2526) offered on the form in the
# person's language: the same five items as written there, through the catalogue.
AGENDA_IN_LANGUAGE = [
    _("ประธานแจ้งให้ที่ประชุมทราบ"),
    _("รับรองรายงานการประชุมครั้งที่แล้ว"),
    _("เรื่องสืบเนื่อง"),
    _("เรื่องเสนอเพื่อพิจารณา"),
    _("เรื่องอื่น ๆ"),
]

TITLE_REQUIRED = {"required": _("พิมพ์เรื่องที่ประชุม เช่น “ประชุมหัวหน้าส่วนราชการประจำเดือน”")}


class ServiceErrorsMixin:
    """Put a service's ValidationError on the fields it names, or on the form when it names none of them."""

    def add_service_error(self, error: ValidationError) -> None:
        if not hasattr(error, "error_dict"):
            self.add_error(None, error)
            return
        aliases = getattr(self, "field_aliases", {})
        for field, messages in error.message_dict.items():
            target = aliases.get(field, field)
            self.add_error(target if target in self.fields else None, messages)


class WhenMixin(forms.Form):
    date = ThaiDateField(label=_("วันที่ประชุม"), help_text=_("ปี พ.ศ. หรือ ค.ศ. เช่น 12/04/2569"),
                         error_messages={"required": _("พิมพ์วันที่ประชุม เช่น 12/04/2569")})
    start_time = forms.TimeField(label=_("เวลาเริ่ม"), widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
                                 error_messages={"required": _("ใส่เวลาเริ่ม เช่น 09:00"),
                                                 "invalid": _("เวลาไม่ถูกต้อง: ใช้รูปแบบ ชช:นน เช่น 09:00")})
    end_time = forms.TimeField(label=_("เวลาสิ้นสุด"), widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
                               error_messages={"required": _("ใส่เวลาสิ้นสุด เช่น 12:00"),
                                               "invalid": _("เวลาไม่ถูกต้อง: ใช้รูปแบบ ชช:นน เช่น 12:00")})

    field_aliases = {"start": "start_time", "end": "end_time"}

    def when(self) -> tuple[datetime, datetime]:
        day = self.cleaned_data["date"]
        start: time = self.cleaned_data["start_time"]
        end: time = self.cleaned_data["end_time"]
        return datetime.combine(day, start, tzinfo=BANGKOK), datetime.combine(day, end, tzinfo=BANGKOK)

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start_time"), cleaned.get("end_time")
        if start and end and end <= start:
            self.add_error("end_time", _("เวลาสิ้นสุดต้องหลังเวลาเริ่ม (การประชุมต้องจบภายในวันเดียวกัน)"))
        return cleaned


class ParticipantsMixin(forms.Form):
    sites = SiteChoiceField(
        label=_("สถานที่เข้าร่วม"), queryset=None, required=False, widget=forms.CheckboxSelectMultiple
    )
    all_districts = forms.BooleanField(label=_("ทุกอำเภอในจังหวัด"), required=False)
    agencies = forms.ModelMultipleChoiceField(
        label=_("ส่วนราชการที่เชิญ"), queryset=None, required=False, widget=forms.CheckboxSelectMultiple
    )

    def setup_choices(self, user) -> None:
        self.fields["sites"].queryset = sites_for_scheduling(user=user)
        self.fields["agencies"].queryset = agencies_for_scheduling(user=user)

    def chosen_sites(self) -> list:
        if self.cleaned_data.get("all_districts"):
            return list(self.fields["sites"].queryset)
        return list(self.cleaned_data.get("sites") or [])


class MeetingCreateForm(ServiceErrorsMixin, ParticipantsMixin, WhenMixin, forms.Form):
    title = forms.CharField(label=_("เรื่อง"), max_length=200, error_messages=TITLE_REQUIRED)
    host_site = forms.ModelChoiceField(label=_("สถานที่ประธาน"), queryset=None, empty_label=None,
                                       error_messages={"required": _("เลือกสถานที่ประธานของการประชุม")})
    agenda = forms.CharField(
        label=_("ระเบียบวาระ (บรรทัดละหนึ่งวาระ)"),
        widget=forms.Textarea(attrs={"rows": 6}),
        required=False,
    )
    repeat = forms.ChoiceField(
        label=_("การประชุมซ้ำ"),
        choices=[("", _("ไม่ซ้ำ")), *Series.Frequency.choices],
        required=False,
    )
    until = ThaiDateField(label=_("ซ้ำถึงวันที่"), required=False)
    count = forms.IntegerField(label=_("หรือจำนวนครั้ง"), required=False, min_value=1)
    documents = MultipleFileField(label=_("เอกสารประกอบ (PDF, PowerPoint, รูปภาพ, คลิปวิดีโอ)"), required=False)
    record = forms.BooleanField(
        label=_("บันทึกการประชุม (เสียงและภาพ) เป็นหลักฐาน"), required=False, initial=True,
        help_text=_("ประธานเริ่มและหยุดบันทึกได้ระหว่างประชุม ไม่เลือกสำหรับการประชุมลับ ซึ่งไม่บันทึกตามมาตรฐาน"),
    )

    field_aliases = {"start": "start_time", "end": "end_time", "frequency": "repeat", "file": "documents"}
    field_order = ["title", "host_site", "date", "start_time", "end_time", "repeat", "until", "count", "sites",
                   "all_districts", "agencies", "agenda", "documents", "record"]

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.setup_choices(user)
        self.fields["agenda"].initial = "\n".join(str(item) for item in AGENDA_IN_LANGUAGE)
        self.fields["host_site"].queryset = sites_for_scheduling(user=user)
        self.fields["host_site"].label_from_instance = site_label
        hall = next((s for s in self.fields["host_site"].queryset if s.is_provincial_hall), None)
        if hall is not None:
            self.fields["host_site"].initial = hall.pk

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("repeat") and not cleaned.get("until") and not cleaned.get("count"):
            self.add_error("until", _("การประชุมซ้ำต้องมีจุดสิ้นสุด: ระบุ “ซ้ำถึงวันที่” หรือ “จำนวนครั้ง”"))
        return cleaned


SCOPE_CHOICES = [
    ("one", _("เฉพาะครั้งนี้")),
    ("following", _("ครั้งนี้และทุกครั้งต่อจากนี้ในชุด")),
    ("all", _("ทุกครั้งในชุดที่ยังไม่ถึงเวลา")),
]


class MeetingEditForm(ServiceErrorsMixin, ParticipantsMixin, forms.Form):
    """What a meeting is about and who takes part. For a meeting of a series also its host and time of day, and
    which occurrences the change applies to (this one, this and the following ones, or all not yet held)."""

    scope = forms.ChoiceField(label=_("แก้ไขการประชุมใดในชุด"), choices=SCOPE_CHOICES, initial="one",
                              widget=forms.RadioSelect,
                              error_messages={"required": _("เลือกว่าจะแก้ไขเฉพาะครั้งนี้ ครั้งนี้และครั้งต่อ ๆ ไป หรือทุกครั้ง"),
                                              "invalid_choice": _("เลือกขอบเขตการแก้ไขจากรายการ")})
    title = forms.CharField(label=_("เรื่อง"), max_length=200, error_messages=TITLE_REQUIRED)
    host_site = forms.ModelChoiceField(label=_("สถานที่ประธาน"), queryset=None, empty_label=None,
                                       error_messages={"required": _("เลือกสถานที่ประธานของการประชุม")})
    start_time = forms.TimeField(label=_("เวลาเริ่ม"), widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
                                 help_text=_("เวลาของวัน แต่ละครั้งคงวันที่ของตนเอง"),
                                 error_messages={"required": _("ใส่เวลาเริ่ม เช่น 09:00"),
                                                 "invalid": _("เวลาไม่ถูกต้อง: ใช้รูปแบบ ชช:นน เช่น 09:00")})
    end_time = forms.TimeField(label=_("เวลาสิ้นสุด"), widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
                               error_messages={"required": _("ใส่เวลาสิ้นสุด เช่น 12:00"),
                                               "invalid": _("เวลาไม่ถูกต้อง: ใช้รูปแบบ ชช:นน เช่น 12:00")})
    agenda = forms.CharField(label=_("ระเบียบวาระ (บรรทัดละหนึ่งวาระ)"), widget=forms.Textarea(attrs={"rows": 6}),
                             required=False)

    field_aliases = {"start": "start_time", "end": "end_time", "series": "scope"}
    SERIES_ONLY = ("scope", "host_site", "start_time", "end_time")
    field_order = ["scope", "title", "host_site", "start_time", "end_time", "sites", "all_districts", "agencies",
                   "agenda"]

    def __init__(self, *args, user, in_series: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.setup_choices(user)
        if in_series:
            self.fields["host_site"].queryset = sites_for_scheduling(user=user)
            self.fields["host_site"].label_from_instance = site_label
        else:
            for name in self.SERIES_ONLY:
                del self.fields[name]

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start_time"), cleaned.get("end_time")
        if start and end and end <= start:
            self.add_error("end_time", _("เวลาสิ้นสุดต้องหลังเวลาเริ่ม (การประชุมต้องจบภายในวันเดียวกัน)"))
        return cleaned


class MeetingRescheduleForm(ServiceErrorsMixin, WhenMixin, forms.Form):
    pass


class DocumentForm(ServiceErrorsMixin, forms.Form):
    file = forms.FileField(
        label=_("เอกสารประกอบ (PDF, PowerPoint, รูปภาพ, คลิปวิดีโอ)"),
        error_messages={"required": _("เลือกไฟล์เอกสารที่จะแนบ เช่น วาระการประชุมเป็น PDF แล้วกด “แนบเอกสาร”"),
                        "empty": _("ไฟล์ที่เลือกว่างเปล่า: เลือกไฟล์อื่น")},
    )
