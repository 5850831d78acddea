"""Reads of the roll-call and the votes, each at a fixed number of queries whatever the number of sites or people.

The two functions the minutes read, `meeting_roll` and `meeting_votes`, and their dataclasses are a contract
(issue 16): keep their names and fields.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from fractions import Fraction
from math import floor

from django.conf import settings
from django.db.models import Count, Exists, OuterRef, Q
from django.utils.translation import gettext as _

from join.models import JoinPass
from meetings.models import AgencyInvitation, Meeting, Participation

from .models import Choice, OpenBallot, RollEntry, SecretVoter, UsualPerson, Vote

# Quorum (องค์ประชุม): more than this share of the members present. The Decree and most committees' own rules ask
# for more than half; a committee with another rule sets PROCEEDINGS_QUORUM_MORE_THAN (e.g. "2/3").
DEFAULT_QUORUM_MORE_THAN = "1/2"

CHOICE_LABELS = {Choice.APPROVE: "เห็นชอบ", Choice.REJECT: "ไม่เห็นชอบ", Choice.ABSTAIN: "งดออกเสียง"}


def quorum_of(members: int) -> int:
    """The smallest number present that is more than the configured share of `members` (at least 1)."""
    share = Fraction(str(getattr(settings, "PROCEEDINGS_QUORUM_MORE_THAN", DEFAULT_QUORUM_MORE_THAN)))
    return floor(members * share) + 1 if members else 1


def choice_label(choice: str) -> str:
    return CHOICE_LABELS.get(choice, choice)


# --- the contract the minutes read ---------------------------------------------------------------------------


@dataclass(frozen=True)
class RollPerson:
    name: str
    position: str
    role: str  # "attendee" | "participant"


@dataclass(frozen=True)
class RollAbsent:
    name: str
    position: str
    reason: str


@dataclass(frozen=True)
class SiteRoll:
    holder: str
    present: tuple[RollPerson, ...]
    absent: tuple[RollAbsent, ...]
    recorded_by: str  # who made the latest change to this holder's roll ("" when nobody recorded it)
    recorded_at: datetime | None  # the database server's time of that change


@dataclass(frozen=True)
class VoteResult:
    agenda_item: int
    question: str
    secret: bool
    by: str  # "site" | "person"
    status: str  # "open" | "closed"
    counts: dict[str, int]  # {"เห็นชอบ": n, "ไม่เห็นชอบ": n, "งดออกเสียง": n}; a secret vote's stay 0 until closed
    voters: tuple[tuple[str, str], ...]  # (voter label, choice label); empty when secret
    eligible: int
    cast: int
    quorum: int
    quorum_met: bool
    opened_at: datetime
    closed_at: datetime | None


# --- the roll, per pass holder -------------------------------------------------------------------------------


def _has_agency_passes() -> bool:
    """JoinPass has an `agency` (agency passes, issue 16): then a pass's holder is its site or its agency."""
    return any(field.name == "agency" for field in JoinPass._meta.get_fields())


def pass_holder(join_pass: JoinPass):
    """The site or the agency holding the pass."""
    return join_pass.site if join_pass.site_id else getattr(join_pass, "agency", None)


def pass_holder_key(join_pass: JoinPass) -> tuple[str, int]:
    if join_pass.site_id:
        return ("site", join_pass.site_id)
    return ("agency", getattr(join_pass, "agency_id", None) or 0)


def pass_holder_name(join_pass: JoinPass) -> str:
    holder = pass_holder(join_pass)
    return holder.name if holder is not None else ""


@dataclass
class HolderRoll:
    """One invited holder's roll as the pages show it (the pass, the rows)."""

    join_pass: JoinPass
    is_host: bool
    entries: list[RollEntry]

    @property
    def name(self) -> str:
        return pass_holder_name(self.join_pass)

    @property
    def is_site(self) -> bool:
        return bool(self.join_pass.site_id)

    @property
    def present(self) -> list[RollEntry]:
        return [entry for entry in self.entries if entry.role != RollEntry.Role.ABSENT]

    @property
    def attendees(self) -> list[RollEntry]:
        return [entry for entry in self.entries if entry.role == RollEntry.Role.ATTENDEE]

    @property
    def absent(self) -> list[RollEntry]:
        return [entry for entry in self.entries if entry.role == RollEntry.Role.ABSENT]

    @property
    def latest(self) -> RollEntry | None:
        return max(self.entries, key=lambda entry: (entry.recorded_at, entry.pk), default=None)


def _current_passes(meeting_id: int) -> list[JoinPass]:
    """The meeting's valid passes whose holder is still invited, with the holder: one query."""
    related = ["site__district", "site__province"]
    invited = Q(site__isnull=False, invited_site=True)
    queryset = JoinPass.objects.filter(meeting_id=meeting_id, revoked_at__isnull=True).annotate(
        invited_site=Exists(
            Participation.objects.filter(meeting_id=OuterRef("meeting_id"), site_id=OuterRef("site_id"))
        )
    )
    if _has_agency_passes():
        related.append("agency")
        queryset = queryset.annotate(
            invited_agency=Exists(
                AgencyInvitation.objects.filter(meeting_id=OuterRef("meeting_id"), agency_id=OuterRef("agency_id"))
            )
        )
        invited |= Q(site__isnull=True, invited_agency=True)
    return list(queryset.filter(invited).select_related(*related).order_by("pk"))


def _sort_key(host_site_id: int):
    def key(join_pass: JoinPass):
        if join_pass.site_id:
            site = join_pass.site
            return (0 if join_pass.site_id == host_site_id else 1, site.kind != "hall",
                    site.district.code if site.district_id else "", "")
        return (2, False, "", pass_holder_name(join_pass))

    return key


def roll_board(*, meeting: Meeting) -> list[HolderRoll]:
    """Every invited holder's roll, host first, then the district offices by code, then the agencies: 2 queries.

    A holder whose pass was renewed keeps the rows recorded through its earlier pass (the rows follow the holder).
    """
    passes = sorted(_current_passes(meeting.pk), key=_sort_key(meeting.host_site_id))
    fields = ["join_pass__site_id"] + (["join_pass__agency_id"] if _has_agency_passes() else [])
    entries = RollEntry.objects.filter(meeting_id=meeting.pk).select_related("join_pass").only(
        "pk", "meeting_id", "name", "position", "role", "reason", "recorded_by_label", "recorded_at",
        "join_pass_id", *fields,
    ).order_by("pk")
    by_holder: dict[tuple[str, int], list[RollEntry]] = defaultdict(list)
    for entry in entries:
        by_holder[pass_holder_key(entry.join_pass)].append(entry)
    return [
        HolderRoll(join_pass=join_pass, is_host=join_pass.site_id == meeting.host_site_id,
                   entries=by_holder.get(pass_holder_key(join_pass), []))
        for join_pass in passes
    ]


def holder_roll(*, join_pass: JoinPass) -> HolderRoll:
    """One holder's roll (its rows through any of its passes of this meeting): 1 query."""
    holder_filter = (
        Q(join_pass__site_id=join_pass.site_id) if join_pass.site_id
        else Q(join_pass__agency_id=getattr(join_pass, "agency_id", None))
    )
    entries = list(
        RollEntry.objects.filter(holder_filter, meeting_id=join_pass.meeting_id).order_by("pk")
    )
    return HolderRoll(join_pass=join_pass, is_host=join_pass.site_id == join_pass.meeting.host_site_id,
                      entries=entries)


def usual_people(*, join_pass: JoinPass, exclude: list[str] | tuple[str, ...] = ()) -> list[UsualPerson]:
    """The people the pass's holder usually seats (most recently recorded first), less those named in `exclude`."""
    if join_pass.site_id:
        queryset = UsualPerson.objects.filter(site_id=join_pass.site_id)
    else:
        queryset = UsualPerson.objects.filter(agency_id=getattr(join_pass, "agency_id", None))
    return list(queryset.exclude(name__in=list(exclude)).order_by("-last_recorded_at", "name")[:200])


def _site_roll(roll: HolderRoll) -> SiteRoll:
    latest = roll.latest
    return SiteRoll(
        holder=roll.name,
        present=tuple(RollPerson(name=e.name, position=e.position, role=e.role) for e in roll.present),
        absent=tuple(RollAbsent(name=e.name, position=e.position, reason=e.reason) for e in roll.absent),
        recorded_by=latest.recorded_by_label if latest else "",
        recorded_at=latest.recorded_at if latest else None,
    )


def meeting_roll(*, meeting) -> list[SiteRoll]:
    """One SiteRoll per invited pass holder (site or agency), host first: 2 queries."""
    return [_site_roll(roll) for roll in roll_board(meeting=meeting)]


# --- quorum and votes ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Quorum:
    members: int  # by site: the invited sites; by person: the members named on the roll (present or absent)
    present: int  # by site: sites with an attendee on the roll; by person: attendees on the roll
    eligible: int  # who may vote: by site, every invited site; by person, every attendee on the roll
    quorum: int

    @property
    def met(self) -> bool:
        return self.present >= self.quorum


def quorum_from_roll(board: list[HolderRoll], *, by: str) -> Quorum:
    """Quorum from the roll. Votes are the members' (the sites, or the persons named ผู้มาประชุม): agencies and
    invited participants (ผู้เข้าร่วมประชุม) take part but do not vote nor count for the quorum."""
    sites = [roll for roll in board if roll.is_site]
    if by == Vote.By.PERSON:
        members = sum(len(roll.attendees) + len(roll.absent) for roll in sites)
        present = sum(len(roll.attendees) for roll in sites)
        return Quorum(members=members, present=present, eligible=present, quorum=quorum_of(members))
    members = len(sites)
    present = sum(1 for roll in sites if roll.attendees)
    return Quorum(members=members, present=present, eligible=members, quorum=quorum_of(members))


def _zero_counts() -> dict[str, int]:
    return dict.fromkeys(CHOICE_LABELS.values(), 0)


def _voter_label(join_pass: JoinPass, person: str) -> str:
    holder = pass_holder_name(join_pass)
    return f"{person} ({holder})" if person else holder


@dataclass(frozen=True)
class VoteRow:
    """A vote as the chair's fragment and the join pages show it: the result and the row."""

    vote: Vote
    result: VoteResult
    voted_keys: frozenset  # (join_pass holder key, person) that have voted (open and secret alike)


def vote_rows(*, meeting: Meeting, board: list[HolderRoll] | None = None) -> list[VoteRow]:
    """Every vote of the meeting in opening order, with its result: 3 queries (plus 2 for the roll when `board` is
    not given). A secret vote's counts are withheld until it is closed (the chair watching the count move as each
    site's "has voted" appears would otherwise link the two)."""
    if board is None:
        board = roll_board(meeting=meeting)
    votes = list(
        Vote.objects.filter(meeting_id=meeting.pk).select_related("secret_tally")
        .annotate(secret_cast=Count("secret_voters")).order_by("opened_at", "pk")
    )
    ballots: dict[int, list[OpenBallot]] = defaultdict(list)
    open_ids = [vote.pk for vote in votes if not vote.secret]
    if open_ids:
        for ballot in OpenBallot.objects.filter(vote_id__in=open_ids).select_related(
            "join_pass__site", *(["join_pass__agency"] if _has_agency_passes() else [])
        ).order_by("pk"):
            ballots[ballot.vote_id].append(ballot)
    voted: dict[int, set] = defaultdict(set)
    secret_ids = [vote.pk for vote in votes if vote.secret and vote.status == Vote.Status.OPEN]
    if secret_ids:
        fields = ["vote_id", "person", "join_pass__site_id"]
        if _has_agency_passes():
            fields.append("join_pass__agency_id")
        for row in SecretVoter.objects.filter(vote_id__in=secret_ids).values(*fields):
            key = ("site", row["join_pass__site_id"]) if row["join_pass__site_id"] else (
                "agency", row.get("join_pass__agency_id") or 0)
            voted[row["vote_id"]].add((key, row["person"]))
    rows = []
    for vote in votes:
        live = quorum_from_roll(board, by=vote.by)
        closed = vote.status == Vote.Status.CLOSED
        members = vote.members if closed and vote.members is not None else live.members
        present = vote.present if closed and vote.present is not None else live.present
        eligible = vote.eligible if closed and vote.eligible is not None else live.eligible
        quorum = quorum_of(members)
        counts = _zero_counts()
        voters: tuple[tuple[str, str], ...] = ()
        if vote.secret:
            cast = vote.secret_cast
            tally = getattr(vote, "secret_tally", None)
            if closed and tally is not None:
                counts = {CHOICE_LABELS[Choice.APPROVE]: tally.approve, CHOICE_LABELS[Choice.REJECT]: tally.reject,
                          CHOICE_LABELS[Choice.ABSTAIN]: tally.abstain}
        else:
            cast = len(ballots[vote.pk])
            for ballot in ballots[vote.pk]:
                counts[choice_label(ballot.choice)] += 1
                voted[vote.pk].add((pass_holder_key(ballot.join_pass), ballot.person))
            voters = tuple((_voter_label(b.join_pass, b.person), choice_label(b.choice)) for b in ballots[vote.pk])
        result = VoteResult(
            agenda_item=vote.agenda_item, question=vote.question, secret=vote.secret, by=vote.by,
            status=vote.status, counts=counts, voters=voters, eligible=eligible, cast=cast, quorum=quorum,
            quorum_met=present >= quorum, opened_at=vote.opened_at, closed_at=vote.closed_at,
        )
        rows.append(VoteRow(vote=vote, result=result, voted_keys=frozenset(voted[vote.pk])))
    return rows


def meeting_votes(*, meeting) -> list[VoteResult]:
    """Every vote of the meeting in opening order: 5 queries."""
    return [row.result for row in vote_rows(meeting=meeting)]


def vote_get(*, meeting_id: int, vote_id: int) -> Vote | None:
    return Vote.objects.filter(pk=vote_id, meeting_id=meeting_id).first()


def agenda_choices(meeting: Meeting) -> list[tuple[int, str]]:
    """(1-based number, title) of the meeting's agenda items, as the minutes number them."""
    return [(number, str(title)) for number, title in enumerate(meeting.agenda or [], start=1)]


def voter_needs_person(vote: Vote) -> bool:
    return vote.by == Vote.By.PERSON


def status_text(result: VoteResult) -> str:
    return _("เปิดลงมติ") if result.status == Vote.Status.OPEN else _("ปิดลงมติแล้ว")
