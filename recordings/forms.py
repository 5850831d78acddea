"""The recording page's forms (the scheduler's choices and a PDPA erasure request)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import ErasureRequest, MeetingRecording


class RecordingSettingsForm(forms.Form):
    enabled = forms.BooleanField(label=_("บันทึกการประชุมนี้"), required=False)
    kind = forms.ChoiceField(label=_("ประเภทการประชุม (กำหนดระยะเวลาเก็บ)"), choices=MeetingRecording.Kind.choices)


class ErasureRequestForm(forms.ModelForm):
    class Meta:
        model = ErasureRequest
        fields = ["requester_name", "requester_contact", "details"]
        widgets = {"details": forms.Textarea(attrs={"rows": 3})}
