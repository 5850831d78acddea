from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from . import health, views
from .forms import LoginForm

admin.site.site_header = _("prachum — ระบบจัดการประชุมทางไกล")
admin.site.site_title = _("prachum")
admin.site.index_title = _("ผู้ดูแลระบบ")

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", health.healthz, name="healthz"),
    path("login/", auth_views.LoginView.as_view(redirect_authenticated_user=True, authentication_form=LoginForm),
         name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("sites/<str:code>/", include("join.site_urls")),
    path("sites/", include("districts.urls")),
    path("meetings/join/", include("join.urls")),
    path("meetings/<int:meeting_id>/notifications/", include("notifications.urls")),
    path("meetings/", include("meetings.urls")),
    path("j/", include("join.pass_urls")),  # short join links for QR codes and phones
    path("k/", include("join.short_urls")),  # the 12 digits printed on the sheet, typed by hand
    path("billing/", include("billing.urls")),
    path("national/", include("national.urls")),
    path("proceedings/", include("proceedings.urls")),
    path("minutes/", include("minutes.urls")),
    path("recordings/", include("recordings.urls")),
    path("evidence/", include("evidence.urls")),
    path("api/", include("portal.api_urls")),
    path("", include("django_prometheus.urls")),  # /metrics: nginx lets only the monitoring host reach it
]
handler404 = "foundation.api_errors.not_found"  # JSON under /api/, the 404 page elsewhere
if settings.DEBUG:
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
