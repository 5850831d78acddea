"""The task sent on commit takes the other rooms due with its own (a burst of scheduling is provisioned in
batches), stops after one read when its room is already in step, and calls a server that failed in a batch no
more in that batch."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from meetings.backends.base import TemporaryMediaError
from meetings.backends.fake import FakeBackend
from meetings.models import Meeting, Room
from meetings.services import rooms as rooms_service
from meetings.tasks import room_provision
from tests.factories.meetings import MeetingFactory

pytestmark = [pytest.mark.integration, pytest.mark.django_db]


def _scheduled_pending(count: int, scheduler, django_capture_on_commit_callbacks) -> list[Room]:
    """`count` meetings scheduled, their tasks not run yet (as when the worker is behind)."""
    first = (timezone.now() + timedelta(days=1)).replace(minute=0, second=0, microsecond=0)
    with django_capture_on_commit_callbacks(execute=False) as sent:
        meetings = [
            MeetingFactory.create(start=first + timedelta(hours=2 * n), end=first + timedelta(hours=2 * n + 1),
                                  created_by=scheduler)
            for n in range(count)
        ]
    assert sent, "scheduling enqueues on commit"
    rooms = list(Room.objects.filter(meeting__in=meetings).order_by("pk"))
    assert {room.state for room in rooms} == {Room.State.PENDING}
    return rooms


def test_the_first_task_takes_the_rooms_due_and_the_others_stop_after_one_read(
    janus, janus_server, scheduler, django_capture_on_commit_callbacks, django_assert_num_queries
):
    rooms = _scheduled_pending(4, scheduler, django_capture_on_commit_callbacks)
    answer = room_provision.apply(args=[rooms[0].pk]).get()
    assert answer == {"room_id": rooms[0].pk, "outcome": "provisioned", "retry_in": None, "with_it": 3}
    on_janus = janus.rooms()
    for room in rooms:
        room.refresh_from_db()
        assert room.state == Room.State.PROVISIONED
        assert room.number in on_janus
        assert Meeting.objects.get(pk=room.meeting_id).status == Meeting.Status.READY
    for room in rooms[1:]:  # their own tasks arrive afterwards: one read, no lock, nothing sent to Janus
        with django_assert_num_queries(1):
            assert room_provision.apply(args=[room.pk]).get()["outcome"] == "in_step"


def test_rooms_waiting_for_a_retry_are_not_taken_early(fake_server, scheduler, django_capture_on_commit_callbacks):
    rooms = _scheduled_pending(3, scheduler, django_capture_on_commit_callbacks)
    later = timezone.now() + timedelta(minutes=5)
    Room.objects.filter(pk=rooms[2].pk).update(attempts=1, next_attempt_at=later)
    answer = room_provision.apply(args=[rooms[0].pk]).get()
    assert answer["with_it"] == 1
    assert Room.objects.get(pk=rooms[2].pk).state == Room.State.PENDING  # its backoff is kept
    assert set(FakeBackend.rooms()) == {rooms[0].number, rooms[1].number}


def test_a_server_that_fails_in_a_batch_is_not_called_again_in_it(
    fake_server, scheduler, django_capture_on_commit_callbacks, monkeypatch
):
    rooms = _scheduled_pending(5, scheduler, django_capture_on_commit_callbacks)
    calls = []

    def create_room(self, spec):
        calls.append(spec.room_id)
        raise TemporaryMediaError("fake: timed out")

    monkeypatch.setattr(FakeBackend, "create_room", create_room)
    results = rooms_service.room_provision_with_due(room_id=rooms[0].pk)
    assert len(calls) == 1  # not five timeouts in a row
    assert [result.outcome for result in results] == ["retry"] * 5
    for room in Room.objects.filter(pk__in=[room.pk for room in rooms]):
        assert room.state == Room.State.PENDING
        assert room.attempts == 1
        assert room.next_attempt_at > timezone.now()
        assert "timed out" in room.last_error
