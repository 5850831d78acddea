"""The sign-in forms: an empty field says what to type, not Django's generic "ฟิลด์นี้จำเป็น" (issue 15, point 16).

`LoginForm` is the portal's (/login/: `LoginView.as_view(authentication_form=LoginForm)` in portal/urls.py);
`AdminLoginForm` the admin's (PrachumAdminSite.login_form).
"""

from __future__ import annotations

from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

USERNAME_REQUIRED = _("พิมพ์ชื่อผู้ใช้ที่ผู้ดูแลระบบของจังหวัดให้ไว้ เช่น clerk4122")
PASSWORD_REQUIRED = _("พิมพ์รหัสผ่านของท่าน (ลืมรหัสผ่าน: ติดต่อผู้ดูแลระบบของจังหวัด)")


class _SaysWhatToType:
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["username"].error_messages["required"] = USERNAME_REQUIRED
        self.fields["password"].error_messages["required"] = PASSWORD_REQUIRED


class LoginForm(_SaysWhatToType, AuthenticationForm):
    pass


class AdminLoginForm(_SaysWhatToType, AdminAuthenticationForm):
    pass
