"""Province administrators: the Django admin of their own province, not superusers.

A province's administrator (Staff role ADMINISTRATOR) is staff of the Django admin through one group, whose
permissions say what kind of rows they may view, add, change or delete; `districts.admin_scope` narrows every page to
the rows of their province. Superusers are the installation's operators alone (`createsuperuser`): no role hands
that out. The group is kept in step with the list below after every `migrate` (DistrictsConfig.ready).
"""

from __future__ import annotations

GROUP = "ผู้ดูแลระบบจังหวัด"

# app label -> model -> what a province administrator may do with the rows of their province (view is always given).
PERMISSIONS: dict[str, dict[str, tuple[str, ...]]] = {
    "districts": {"province": (), "district": (), "site": ("change",), "staff": ("add", "change", "delete"),
                  "agency": ("add", "change", "delete")},
    "meetings": {"mediaserver": ("add", "change", "delete"), "meeting": (), "series": (), "room": (),
                 "leftoverroom": ()},
    "join": {"joinpass": ("change",), "calendarfeed": (), "testcall": (), "attendance": ()},
    "notifications": {"notification": ()},
    "billing": {"connectivityline": ("add", "change", "delete"), "tariff": ("add",), "vatrate": (), "charge": (),
                "export": (), "exportlog": ()},
    "foundation": {"auditentry": ()},
}


def codenames() -> list[tuple[str, str]]:
    """(app label, codename) of every permission the group holds."""
    return [
        (app, f"{action}_{model}")
        for app, models in PERMISSIONS.items()
        for model, actions in models.items()
        for action in ("view", *actions)
    ]


def group():
    """The province administrators' group (made with its permissions if it is missing)."""
    from django.contrib.auth.models import Group  # noqa: PLC0415 - called once the models are loaded

    found = Group.objects.filter(name=GROUP).first()
    return found if found is not None else group_sync()


def group_sync(**_signal):
    """Create the group and give it exactly the permissions above (run after `migrate`; safe to run again)."""
    from django.contrib.auth.models import Group, Permission  # noqa: PLC0415 - run from ready(): models loaded

    wanted = codenames()
    group, _created = Group.objects.get_or_create(name=GROUP)
    permissions = [
        permission
        for permission in Permission.objects.select_related("content_type").filter(
            codename__in=[codename for _app, codename in wanted]
        )
        if (permission.content_type.app_label, permission.codename) in set(wanted)
    ]
    group.permissions.set(permissions)
    return group
