from django.conf import settings

from districts.access import staff_of


def portal(request) -> dict:
    return {
        "staff": staff_of(getattr(request, "user", None)),
        "demo_mode": settings.PRACHUM_DEMO_ACCOUNTS,
        "fake_media": settings.PRACHUM_FAKE_MEDIA,
    }
