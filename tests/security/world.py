"""The permission matrix's world: two provinces on real objects, one person per role, every request rolled back.

Objects come in three places, named by the site they belong to: "4122" (Na Yung, Udon Thani 41: the clerk's own
site), "4101" (Mueang, another site of the same province) and "3901" (Nong Bua Lam Phu 39: the other province).
Every name a page or a list could show carries its province's marker (MARK41 / MARK39), so a list or a page that
shows a row of the other province is caught by its text.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.db.models import Value
from django.db.models.functions import Concat
from django.test import Client

from billing.models import Charge, Export
from billing.services import charges_generate, lines_for_province_create
from districts.models import Agency, District, Site, Staff
from districts.services import province_sites_create
from foundation.audit import audit_record
from foundation.models import AuditEntry
from join.models import JoinPass
from join.services import calendar_feed_ensure
from meetings.services import document_attach
from notifications.models import Notification
from tests.factories.districts import StaffFactory
from tests.factories.meetings import MediaServerFactory, MeetingFactory, site

Role = Staff.Role
MARK = {"41": "ZQ41Q", "39": "ZQ39Q"}  # in every name of the province's rows
PLACES = ("4122", "4101", "3901")  # own site, another site of the province, the other province
OPERATOR = "operator"


@dataclass(frozen=True)
class Who:
    name: str
    role: str | None  # a Staff role, OPERATOR, or None (anonymous)
    site: str = ""  # the code of the person's site

    @property
    def province(self) -> str:
        return self.site[:2]

    @property
    def at_hall(self) -> bool:
        return len(self.site) == 2


# Who asks: a person per role of Udon Thani (41), the same roles of Nong Bua Lam Phu (39), an operator of the
# installation (a superuser with no Staff row) and nobody.
PEOPLE = [
    Who("anonymous", None),
    Who("clerk", Role.CLERK, "4122"),
    Who("clerk_other", Role.CLERK, "4101"),
    Who("scheduler", Role.SCHEDULER, "41"),
    Who("finance", Role.FINANCE, "41"),
    Who("finance_district", Role.FINANCE, "4122"),
    Who("admin", Role.ADMINISTRATOR, "41"),
    Who("clerk_39", Role.CLERK, "3901"),
    Who("scheduler_39", Role.SCHEDULER, "39"),
    Who("finance_39", Role.FINANCE, "39"),
    Who("admin_39", Role.ADMINISTRATOR, "39"),
    Who(OPERATOR, OPERATOR),
]
BY_NAME = {who.name: who for who in PEOPLE}


@dataclass
class World:
    clients: dict[str, Client]
    users: dict[str, object]
    meeting: dict[str, int] = field(default_factory=dict)
    pass_token: dict[str, str] = field(default_factory=dict)
    feed_token: dict[str, str] = field(default_factory=dict)
    document: dict[str, int] = field(default_factory=dict)
    notification: dict[str, int] = field(default_factory=dict)
    charge: dict[str, int] = field(default_factory=dict)
    export: dict[str, int] = field(default_factory=dict)
    agency: dict[str, int] = field(default_factory=dict)
    site: dict[str, int] = field(default_factory=dict)
    audit: dict[str, int] = field(default_factory=dict)

    def values(self, place: str) -> dict[str, object]:
        """The path placeholders for the objects of `place`."""
        return {
            "code": place,
            "site": self.site[place],
            "meeting": self.meeting[place],
            "pass": self.pass_token[place],
            "feed": self.feed_token[place],
            "document": self.document[place],
            "notification": self.notification[place],
            "charge": self.charge[place],
            "export": self.export[place],
            "agency": self.agency[place],
        }

    def ids_of(self, province: str) -> dict[str, set[int]]:
        """The ids of each kind of row of a province (to look for in JSON lists)."""
        places = [p for p in PLACES if p.startswith(province)]
        from foundation.models import AuditEntry as Entry

        return {
            "meeting": {self.meeting[p] for p in places},
            "site": set(Site.objects.filter(province__code=province).values_list("pk", flat=True)),
            "charge": set(Charge.objects.filter(line__site__province__code=province).values_list("pk", flat=True)),
            "agency": {self.agency[p] for p in places},
            "audit": set(Entry.objects.filter(province_code=province).values_list("pk", flat=True)),
        }


def _person(who: Who):
    if who.role is None:
        return None
    if who.role == OPERATOR:
        return get_user_model().objects.create_superuser("operator-matrix", "operator@example.go.th", "pw-for-tests")
    return StaffFactory.create(role=who.role, site_code=who.site, username=f"m-{who.name}").user


def build_world(media_root) -> World:
    """Two provinces, their people and one of every object per place (see the module's docstring)."""
    province_sites_create(province_code="39")
    for code in ("41", "39"):  # reports name districts, pages name sites
        Site.objects.filter(province__code=code).update(name=Concat(Value(MARK[code] + " "), "name"))
        District.objects.filter(province__code=code).update(
            name_th=Concat(Value(MARK[code] + " "), "name_th"), name_en=Concat(Value(MARK[code] + " "), "name_en")
        )
    MediaServerFactory.create(name="national-shared")
    users = {who.name: _person(who) for who in PEOPLE}
    clients = {}
    for who in PEOPLE:
        client = Client()
        if users[who.name] is not None:
            client.force_login(users[who.name])
        clients[who.name] = client
    world = World(clients=clients, users=users)
    creators = {"41": users["scheduler"], "39": users["scheduler_39"]}
    for place in PLACES:
        province = place[:2]
        the_site = site(place)
        world.site[place] = the_site.pk
        meeting = MeetingFactory.create(
            title=f"{MARK[province]} ประชุม {place}", host=province, sites=(place,), created_by=creators[province]
        )
        world.meeting[place] = meeting.pk
        world.pass_token[place] = JoinPass.objects.get(meeting=meeting, site=the_site, revoked_at=None).token
        world.feed_token[place] = calendar_feed_ensure(site=the_site).token
        world.document[place] = document_attach(
            meeting=meeting, file=SimpleUploadedFile(f"agenda-{place}.pdf", b"%PDF-1.4\n%%EOF\n")
        ).pk
        notification = Notification.objects.filter(meeting=meeting).order_by("pk").first()
        assert notification is not None, f"the meeting of {place} has no notification"
        world.notification[place] = notification.pk
        world.agency[place] = Agency.objects.create(
            province=the_site.province, name=f"{MARK[province]} หน่วยงาน {place}", email=f"agency{place}@example.go.th"
        ).pk
        world.audit[place] = audit_record(
            actor=None, action="matrix.test", target=meeting, province_code=province
        ).pk
    for code in ("41", "39"):
        lines_for_province_create(province_code=code)
    charges_generate(month=date(2019, 1, 1))
    for place in PLACES:
        world.charge[place] = Charge.objects.get(line__site=site(place), month=date(2019, 1, 1)).pk
    # A finished export each, owned by a finance officer: 4122's by the district's, 4101's by the hall's (another
    # officer of the province), 3901's by Nong Bua Lam Phu's.
    owners = {"4122": users["finance_district"], "4101": users["finance"], "3901": users["finance_39"]}
    for place, owner in owners.items():
        export = Export(user=owner, exporter="fiscal_year", file_format="csv", status=Export.Status.DONE,
                        filename=f"report-{place}.csv", content_type="text/csv")
        export.file.save(f"report-{place}.csv", ContentFile(b"a,b\n1,2\n"), save=True)
        world.export[place] = export.pk
    assert AuditEntry.objects.filter(province_code="39").exists()
    del media_root
    return world


def request(client: Client, method: str, path: str, data=None, content_type: str | None = None):
    """One request, rolled back afterwards: every request sees the same world, whatever the one before wrote.
    The client's cookies (a language chosen, a session ended) are put back."""
    cookies = client.cookies.__class__()
    cookies.update(client.cookies)
    with transaction.atomic():
        kwargs = {}
        if data is not None:
            kwargs["data"] = data
        if content_type:
            kwargs["content_type"] = content_type
        response = getattr(client, method.lower())(path, **kwargs)
        if getattr(response, "streaming", False):  # a file: read to the end, which closes it
            b"".join(response.streaming_content)
        transaction.set_rollback(True)
    client.cookies = cookies  # the session is in the database: signing out was rolled back with the rest
    return response
