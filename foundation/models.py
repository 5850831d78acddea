"""The audit log: who created, changed, cancelled, exported, changed a role, or exported/erased personal data."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AuditEntry(models.Model):
    class Action(models.TextChoices):
        CREATE = "create", _("สร้าง")
        UPDATE = "update", _("แก้ไข")
        CANCEL = "cancel", _("ยกเลิก")
        DELETE = "delete", _("ลบ")
        EXPORT = "export", _("ส่งออกรายงาน")
        ROLE_CHANGE = "role_change", _("เปลี่ยนบทบาท")
        PERSONAL_DATA_EXPORT = "pd_export", _("ส่งออกข้อมูลส่วนบุคคล")
        PERSONAL_DATA_ERASE = "pd_erase", _("ลบข้อมูลส่วนบุคคล")

    at = models.DateTimeField(_("เวลา"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("ผู้กระทำ"),
    )
    actor_username = models.CharField(_("ชื่อผู้ใช้ของผู้กระทำ"), max_length=150, blank=True)
    action = models.CharField(_("การกระทำ"), max_length=20, choices=Action.choices)
    target_type = models.CharField(_("ประเภทข้อมูล"), max_length=100, blank=True)
    target_id = models.CharField(_("รหัสข้อมูล"), max_length=64, blank=True)
    target_repr = models.CharField(_("ข้อมูล"), max_length=300, blank=True)
    detail = models.JSONField(_("รายละเอียด"), default=dict, blank=True)
    # The province whose administrator may read the entry (the actor's, when the actor is a province's staff);
    # "" for the installation's operators and the system: only operators read those.
    province_code = models.CharField(_("จังหวัด"), max_length=2, blank=True, db_index=True)

    class Meta:
        ordering = ["-at", "-id"]
        db_table = "portal_auditentry"  # its table since it was the project shell's (foundation/migrations/0001)
        verbose_name = _("บันทึกการใช้งาน")
        verbose_name_plural = _("บันทึกการใช้งาน")
        indexes = [models.Index(fields=["target_type", "target_id"])]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_username} {self.get_action_display()} {self.target_repr}"
