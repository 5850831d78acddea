from django.conf import settings

from districts.access import staff_of


def portal(request) -> dict:
    return {
        "staff": staff_of(getattr(request, "user", None)),
        "demo_mode": getattr(settings, "PRACHUM_DEMO_ACCOUNTS", False),
        "fake_media": getattr(settings, "PRACHUM_FAKE_MEDIA", False),
    }
