"""The minutes of a meeting (รายงานการประชุม, Regulation on Correspondence B.E. 2526) and their versions.

- `Minutes`: one per meeting, drafted by the secretary (the province's schedulers and administrators).
- `MinutesVersion`: every version's content is stored as written (never recomputed from live data), with the
  SHA-256 digest of its canonical JSON. A version is a draft (editable), sent (to the invited sites), approved
  (locked: never edited again) or superseded (a later version corrected it; still readable).
- `MinutesApproval`: the approval under agenda item 2 of the next meeting of the same series: how it was decided
  (consensus or a vote, with the vote's result as it was read) and who recorded it when. One per version.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Minutes(models.Model):
    meeting = models.OneToOneField(
        "meetings.Meeting", on_delete=models.PROTECT, related_name="minutes", verbose_name=_("การประชุม")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("ผู้จัดทำ"),
    )
    created_at = models.DateTimeField(_("จัดทำเมื่อ"), auto_now_add=True)

    class Meta:
        verbose_name = _("รายงานการประชุม")
        verbose_name_plural = _("รายงานการประชุม")

    def __str__(self) -> str:
        return f"รายงานการประชุม · {self.meeting_id}"


class MinutesVersion(models.Model):
    class State(models.TextChoices):
        DRAFT = "draft", _("ร่าง")
        SENT = "sent", _("ส่งแล้ว รอรับรอง")
        APPROVED = "approved", _("รับรองแล้ว")
        SUPERSEDED = "superseded", _("มีฉบับแก้ไขแทนแล้ว")

    minutes = models.ForeignKey(Minutes, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField(_("ฉบับที่"))
    state = models.CharField(_("สถานะ"), max_length=12, choices=State.choices, default=State.DRAFT)
    content = models.JSONField(_("เนื้อหา"))
    digest = models.CharField(_("ค่าแฮช SHA-256 ของเนื้อหา"), max_length=64)
    correction_note = models.TextField(_("สิ่งที่แก้ไขจากฉบับก่อน"), blank=True)
    edited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    edited_at = models.DateTimeField(_("แก้ไขล่าสุด"))
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    sent_at = models.DateTimeField(_("ส่งเมื่อ"), null=True, blank=True)
    # The approved version's PDF (the official form) and the same PDF signed (PAdES) with the province's key:
    # under MEDIA_ROOT, which no URL serves (downloaded through a permission check; nginx's internal location).
    pdf = models.FileField(_("PDF"), upload_to="minutes/pdf/%Y/", blank=True)
    pdf_digest = models.CharField(_("SHA-256 ของ PDF"), max_length=64, blank=True)
    signed_pdf = models.FileField(_("PDF ที่ลงลายมือชื่ออิเล็กทรอนิกส์"), upload_to="minutes/signed/%Y/", blank=True)
    signed_digest = models.CharField(_("SHA-256 ของ PDF ที่ลงนาม"), max_length=64, blank=True)
    signed_at = models.DateTimeField(_("ลงนามเมื่อ"), null=True, blank=True)
    signer = models.CharField(_("ผู้ลงนาม (ใบรับรอง)"), max_length=300, blank=True)
    sign_error = models.CharField(_("ลงนามไม่สำเร็จ"), max_length=300, blank=True)

    class Meta:
        ordering = ["minutes", "number"]
        verbose_name = _("ฉบับของรายงานการประชุม")
        verbose_name_plural = _("ฉบับของรายงานการประชุม")
        constraints = [
            models.UniqueConstraint(fields=["minutes", "number"], name="minutes_version_unique_number"),
            # At most one version being written or awaiting approval at a time.
            models.UniqueConstraint(
                fields=["minutes"], condition=models.Q(state__in=["draft", "sent"]), name="minutes_one_open_version"
            ),
            models.CheckConstraint(condition=models.Q(number__gte=1), name="minutes_version_number_positive"),
        ]

    def __str__(self) -> str:
        return f"รายงานการประชุม {self.minutes.meeting_id} ฉบับที่ {self.number}"

    @property
    def is_locked(self) -> bool:
        return self.state in {self.State.APPROVED, self.State.SUPERSEDED}


class MinutesApproval(models.Model):
    class Decision(models.TextChoices):
        AS_IS = "as_is", _("รับรองโดยไม่มีการแก้ไข")
        CORRECTED = "corrected", _("รับรองโดยมีการแก้ไข")

    class Method(models.TextChoices):
        CONSENSUS = "consensus", _("ที่ประชุมเห็นชอบโดยไม่มีผู้คัดค้าน")
        VOTE = "vote", _("ลงมติ")

    version = models.OneToOneField(MinutesVersion, on_delete=models.PROTECT, related_name="approval")
    by_meeting = models.ForeignKey(
        "meetings.Meeting", on_delete=models.PROTECT, related_name="minutes_approved",
        verbose_name=_("รับรองในการประชุม"),
    )
    decision = models.CharField(_("ผลการรับรอง"), max_length=10, choices=Decision.choices)
    method = models.CharField(_("วิธีการ"), max_length=10, choices=Method.choices)
    corrections = models.TextField(_("การแก้ไข"), blank=True)
    # The proceedings vote on agenda item 2 as it was read when the approval was recorded (question, counts, ...).
    vote = models.JSONField(_("ผลการลงมติ"), default=dict, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("ผู้บันทึก"),
    )
    recorded_at = models.DateTimeField(_("บันทึกเมื่อ"))

    class Meta:
        verbose_name = _("การรับรองรายงานการประชุม")
        verbose_name_plural = _("การรับรองรายงานการประชุม")

    def __str__(self) -> str:
        return f"{self.version} · {self.get_decision_display()}"
