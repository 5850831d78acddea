"""What happens in a meeting under the Electronic Meetings Decree B.E. 2563: each site's roll-call and the votes.

Every time in these rows comes from the database server's clock (`db_default=Now()`, or `Now()` in an update),
never from a browser and never from the web worker's clock: the record of who was in the room and when is
referenced to one standard clock (docs/operations.md, "The standard clock").

The roll is keyed on the meeting's JoinPass: a pass's holder is a site (or, where the pass says so, an agency),
so whoever holds a meeting's pass records that holder's roll.

The secret ballot (`SecretVoter` beside `SecretTally`) is described in `proceedings/services.py`, `vote_cast`.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models.functions import Now
from django.utils.translation import gettext_lazy as _


class UsualPerson(models.Model):
    """Someone a site (or an agency) usually seats in its room, offered on its next roll-call. It belongs to the
    site, not to the clerk who typed it: clerks rotate, the list stays."""

    site = models.ForeignKey(
        "districts.Site", on_delete=models.CASCADE, null=True, blank=True, related_name="usual_people",
        verbose_name=_("สถานที่"),
    )
    agency = models.ForeignKey(
        "districts.Agency", on_delete=models.CASCADE, null=True, blank=True, related_name="usual_people",
        verbose_name=_("ส่วนราชการ"),
    )
    name = models.CharField(_("ชื่อ-นามสกุล"), max_length=200)
    position = models.CharField(_("ตำแหน่ง"), max_length=200, blank=True)
    last_recorded_at = models.DateTimeField(_("ลงชื่อครั้งล่าสุด"), db_default=Now())

    class Meta:
        ordering = ["name", "pk"]
        verbose_name = _("รายชื่อประจำของสถานที่")
        verbose_name_plural = _("รายชื่อประจำของสถานที่")
        constraints = [
            models.UniqueConstraint(fields=["site", "name"], condition=models.Q(site__isnull=False),
                                    name="usualperson_unique_per_site"),
            models.UniqueConstraint(fields=["agency", "name"], condition=models.Q(agency__isnull=False),
                                    name="usualperson_unique_per_agency"),
            models.CheckConstraint(
                condition=models.Q(site__isnull=False, agency__isnull=True)
                | models.Q(site__isnull=True, agency__isnull=False),
                name="usualperson_site_or_agency",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.position})" if self.position else self.name


class RollEntry(models.Model):
    """One person on a site's roll for one meeting: present (as attendee or invited participant) or absent with
    the reason. `recorded_at` is the database server's time of the last change."""

    class Role(models.TextChoices):
        ATTENDEE = "attendee", _("ผู้มาประชุม")
        PARTICIPANT = "participant", _("ผู้เข้าร่วมประชุม")
        ABSENT = "absent", _("ผู้ไม่มาประชุม")

    meeting = models.ForeignKey(
        "meetings.Meeting", on_delete=models.CASCADE, related_name="roll_entries", verbose_name=_("การประชุม")
    )
    join_pass = models.ForeignKey(
        "join.JoinPass", on_delete=models.CASCADE, related_name="roll_entries", verbose_name=_("ลิงก์เข้าร่วมประชุม")
    )
    name = models.CharField(_("ชื่อ-นามสกุล"), max_length=200)
    position = models.CharField(_("ตำแหน่ง"), max_length=200, blank=True)
    role = models.CharField(_("ฐานะ"), max_length=12, choices=Role.choices)
    reason = models.CharField(_("เหตุที่ไม่มาประชุม"), max_length=300, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("ผู้บันทึก"),
    )
    # Who recorded it, in words that outlive the user row: "ชื่อผู้ใช้" or "ผู้ถือลิงก์เข้าร่วมของ <site>".
    recorded_by_label = models.CharField(_("บันทึกโดย"), max_length=200)
    recorded_at = models.DateTimeField(_("บันทึกเมื่อ (เวลาเซิร์ฟเวอร์)"), db_default=Now())

    class Meta:
        ordering = ["meeting", "join_pass_id", "pk"]
        verbose_name = _("รายชื่อผู้มาประชุม")
        verbose_name_plural = _("รายชื่อผู้มาประชุม")
        constraints = [
            models.UniqueConstraint(fields=["join_pass", "name"], name="rollentry_person_once_per_pass"),
            models.CheckConstraint(
                condition=models.Q(role="absent") | models.Q(reason=""), name="rollentry_reason_only_when_absent"
            ),
            models.CheckConstraint(condition=~models.Q(name=""), name="rollentry_name_not_empty"),
        ]
        indexes = [models.Index(fields=["meeting", "join_pass"], name="rollentry_meeting_pass_idx")]

    def __str__(self) -> str:
        return f"{self.name} · {self.get_role_display()}"


class Choice(models.TextChoices):
    APPROVE = "approve", _("เห็นชอบ")
    REJECT = "reject", _("ไม่เห็นชอบ")
    ABSTAIN = "abstain", _("งดออกเสียง")


class Vote(models.Model):
    """A question put to the meeting on one agenda item (1-based, as in the minutes), open or secret, by site or by
    person present on the roll. Opened and closed by the chair while the meeting is under way."""

    class By(models.TextChoices):
        SITE = "site", _("ลงมติรายสถานที่")
        PERSON = "person", _("ลงมติรายบุคคล (ผู้มาประชุมตามรายชื่อ)")

    class Status(models.TextChoices):
        OPEN = "open", _("เปิดลงมติ")
        CLOSED = "closed", _("ปิดลงมติแล้ว")

    meeting = models.ForeignKey(
        "meetings.Meeting", on_delete=models.CASCADE, related_name="votes", verbose_name=_("การประชุม")
    )
    agenda_item = models.PositiveSmallIntegerField(_("ระเบียบวาระที่"))
    question = models.CharField(_("ประเด็นที่ขอมติ"), max_length=300)
    secret = models.BooleanField(_("ลงคะแนนลับ"), default=False)
    by = models.CharField(_("ผู้ลงมติ"), max_length=8, choices=By.choices, default=By.SITE)
    status = models.CharField(_("สถานะ"), max_length=8, choices=Status.choices, default=Status.OPEN)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("ผู้เปิดลงมติ"),
    )
    opened_at = models.DateTimeField(_("เปิดเมื่อ (เวลาเซิร์ฟเวอร์)"), db_default=Now())
    closed_at = models.DateTimeField(_("ปิดเมื่อ (เวลาเซิร์ฟเวอร์)"), null=True, blank=True)
    # Frozen at closing, from the roll at that moment (while open they are computed live).
    eligible = models.PositiveIntegerField(_("ผู้มีสิทธิ์ลงมติ"), null=True, blank=True)
    members = models.PositiveIntegerField(_("จำนวนองค์ประชุมทั้งหมด"), null=True, blank=True)
    present = models.PositiveIntegerField(_("มาประชุม"), null=True, blank=True)

    class Meta:
        ordering = ["meeting", "opened_at", "pk"]
        verbose_name = _("การลงมติ")
        verbose_name_plural = _("การลงมติ")
        constraints = [
            models.CheckConstraint(condition=models.Q(agenda_item__gte=1), name="vote_agenda_item_positive"),
            models.CheckConstraint(
                condition=models.Q(status="open", closed_at__isnull=True)
                | models.Q(status="closed", closed_at__isnull=False),
                name="vote_closed_has_time",
            ),
            models.UniqueConstraint(fields=["meeting"], condition=models.Q(status="open"),
                                    name="vote_one_open_per_meeting"),
        ]

    def __str__(self) -> str:
        return f"{_('วาระที่')} {self.agenda_item}: {self.question}"


class OpenBallot(models.Model):
    """A ballot of an open vote: who (the pass's holder, and the person when the vote is by person) chose what."""

    vote = models.ForeignKey(Vote, on_delete=models.CASCADE, related_name="open_ballots", verbose_name=_("การลงมติ"))
    join_pass = models.ForeignKey("join.JoinPass", on_delete=models.CASCADE, related_name="+",
                                  verbose_name=_("ลิงก์เข้าร่วมประชุม"))
    person = models.CharField(_("ผู้ลงมติ (รายบุคคล)"), max_length=200, blank=True)
    choice = models.CharField(_("มติ"), max_length=8, choices=Choice.choices)
    cast_at = models.DateTimeField(_("ลงมติเมื่อ (เวลาเซิร์ฟเวอร์)"), db_default=Now())

    class Meta:
        ordering = ["vote", "pk"]
        verbose_name = _("การลงมติโดยเปิดเผย")
        verbose_name_plural = _("การลงมติโดยเปิดเผย")
        constraints = [
            models.UniqueConstraint(fields=["vote", "join_pass", "person"], name="openballot_once_per_voter"),
        ]

    def __str__(self) -> str:
        return f"{self.vote_id} · {self.get_choice_display()}"


class SecretVoter(models.Model):
    """That a voter has voted in a secret vote, and nothing else: no choice, no time, and a random id (no
    sequence that would tell the order of voting). It refuses a second ballot from the same voter."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    vote = models.ForeignKey(Vote, on_delete=models.CASCADE, related_name="secret_voters", verbose_name=_("การลงมติ"))
    join_pass = models.ForeignKey("join.JoinPass", on_delete=models.CASCADE, related_name="+",
                                  verbose_name=_("ลิงก์เข้าร่วมประชุม"))
    person = models.CharField(_("ผู้ลงมติ (รายบุคคล)"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("ผู้ลงคะแนนลับแล้ว")
        verbose_name_plural = _("ผู้ลงคะแนนลับแล้ว")
        constraints = [
            models.UniqueConstraint(fields=["vote", "join_pass", "person"], name="secretvoter_once_per_voter"),
        ]

    def __str__(self) -> str:
        return str(self.vote_id)


class SecretTally(models.Model):
    """The counts of a secret vote: one row per vote holding all three counts, created when the vote opens and
    updated (every count, with F()) by each ballot. No per-ballot row, no time, no voter."""

    vote = models.OneToOneField(Vote, on_delete=models.CASCADE, primary_key=True, related_name="secret_tally",
                                verbose_name=_("การลงมติ"))
    approve = models.PositiveIntegerField(_("เห็นชอบ"), default=0)
    reject = models.PositiveIntegerField(_("ไม่เห็นชอบ"), default=0)
    abstain = models.PositiveIntegerField(_("งดออกเสียง"), default=0)

    class Meta:
        verbose_name = _("ผลคะแนนลับ")
        verbose_name_plural = _("ผลคะแนนลับ")

    def __str__(self) -> str:
        return f"{self.vote_id}: {self.approve}/{self.reject}/{self.abstain}"
