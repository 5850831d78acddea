"""A secret vote's rows hold no link from ballot to voter, read on the database itself: every table the app writes
(found by introspection, not listed by hand) and the audit log, after several secret ballots.

Two proofs: (1) no row holds both a voter and a choice, and the has-voted rows have no time nor ordered id;
(2) the database after "Mueang approves, Kumphawapi rejects" is the same, row for row, as after "Mueang rejects,
Kumphawapi approves" (apart from the random ids and the audit log's clock): nothing in it could tell them apart.
"""

from __future__ import annotations

import logging

import pytest
from django.apps import apps
from django.db import connection, transaction

from foundation.models import AuditEntry
from proceedings import selectors, services
from proceedings.models import OpenBallot, SecretTally, SecretVoter

from .conftest import HALL, KUMPHAWAPI, MUEANG, pass_of

pytestmark = [pytest.mark.integration, pytest.mark.django_db]

CHOICE_WORDS = ("approve", "reject", "abstain", "เห็นชอบ", "ไม่เห็นชอบ", "งดออกเสียง")
TIME_TYPES = {"timestamp with time zone", "timestamp without time zone", "date", "time without time zone"}


def app_tables() -> list[str]:
    return [model._meta.db_table for model in apps.get_app_config("proceedings").get_models()]


def columns(table: str) -> dict[str, str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT column_name, data_type FROM information_schema.columns WHERE table_name = %s",
                       [table])
        return dict(cursor.fetchall())


def rows(table: str) -> list[dict]:
    with connection.cursor() as cursor:
        cursor.execute(f'SELECT * FROM "{table}"')  # noqa: S608 - the app's own table names
        names = [column.name for column in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def cast_secretly(meeting, choices: dict[str, str]):
    vote = services.vote_open(meeting=meeting, agenda_item=4, secret=True)
    for code, choice in choices.items():
        services.vote_cast(vote=vote, join_pass=pass_of(meeting, code), choice=choice)
    return vote


def test_no_table_ties_a_secret_choice_to_a_voter(schedule, caplog):
    meeting = schedule(sites=(MUEANG, KUMPHAWAPI))
    caplog.set_level(logging.DEBUG)
    vote = cast_secretly(meeting, {HALL: "approve", MUEANG: "reject", KUMPHAWAPI: "approve"})
    voter_columns = {"join_pass_id", "person", "recorded_by_id", "recorded_by_label"}
    for table in app_tables():
        cols = columns(table)
        for row in rows(table):
            if row.get("vote_id") != vote.pk:
                continue
            names_a_voter = voter_columns & set(row)
            holds_a_choice = {"choice", "approve", "reject", "abstain"} & set(row)
            assert not (names_a_voter and holds_a_choice), f"{table} ties a voter to a choice: {row}"
            if names_a_voter:  # the has-voted rows: no time, no ordered id
                assert not {name for name, kind in cols.items() if kind in TIME_TYPES}, table
                assert cols["id"] == "uuid", table
                assert not any(isinstance(value, str) and value in CHOICE_WORDS for value in row.values()), row
    assert SecretVoter.objects.filter(vote=vote).count() == 3
    assert OpenBallot.objects.filter(vote=vote).count() == 0
    tally = SecretTally.objects.get(vote=vote)
    assert (tally.approve, tally.reject, tally.abstain) == (2, 1, 0)
    # The audit log says a secret ballot was cast, by whom, never what.
    entries = AuditEntry.objects.filter(target_type="proceedings.Vote", target_id=str(vote.pk),
                                        detail__ballot="secret")
    assert entries.count() == 3
    for entry in entries:
        text = f"{entry.detail} {entry.target_repr} {entry.action}"
        assert "choice" not in entry.detail
        assert not any(word in text for word in ("approve", "reject", "abstain", "ไม่เห็นชอบ", "งดออกเสียง"))
    # Nor any log line.
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert not any(word in logged for word in CHOICE_WORDS)
    # The result is counts only (and, while open, not even those).
    [open_result] = selectors.meeting_votes(meeting=meeting)
    assert open_result.counts == {"เห็นชอบ": 0, "ไม่เห็นชอบ": 0, "งดออกเสียง": 0}
    assert open_result.cast == 3
    services.vote_close(vote=vote)
    [result] = selectors.meeting_votes(meeting=meeting)
    assert result.counts == {"เห็นชอบ": 2, "ไม่เห็นชอบ": 1, "งดออกเสียง": 0}
    assert result.voters == ()


def snapshot(vote_pk: int) -> list:
    """Every row of the app's tables and the audit entries about the vote, less what is random or a clock
    reading outside the app (the has-voted rows' random ids, the audit entries' ids and times)."""
    found = []
    for table in sorted(app_tables()):
        for row in rows(table):
            if table == SecretVoter._meta.db_table:
                row.pop("id")
            found.append((table, sorted((key, str(value)) for key, value in row.items())))
    for entry in AuditEntry.objects.filter(target_type="proceedings.Vote", target_id=str(vote_pk)):
        found.append(("audit", entry.actor_username, entry.action, str(entry.detail), entry.target_repr))
    return sorted(found, key=repr)


def test_swapping_two_voters_choices_leaves_the_same_database(schedule):
    meeting = schedule(sites=(MUEANG, KUMPHAWAPI))
    vote = services.vote_open(meeting=meeting, agenda_item=4, secret=True)
    states = []
    for choices in ({MUEANG: "approve", KUMPHAWAPI: "reject"}, {MUEANG: "reject", KUMPHAWAPI: "approve"}):
        with transaction.atomic():
            for code, choice in choices.items():
                services.vote_cast(vote=vote, join_pass=pass_of(meeting, code), choice=choice)
            states.append(snapshot(vote.pk))
            transaction.set_rollback(True)
    assert states[0] == states[1]
    assert any(table == SecretTally._meta.db_table for table, *_ in states[0])
