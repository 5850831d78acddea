"""Celery tasks of the meetings app: thin, named, ids in, the services do the work."""

from __future__ import annotations

from celery import shared_task

from . import services


@shared_task(name="meetings.room_provision", bind=True, acks_late=True, ignore_result=True)
def room_provision(self, room_id: int) -> dict:
    """Create, edit or destroy one room on its media server, as its row says, with the other rooms due now;
    retry temporary errors later."""
    results = services.room_provision_with_due(room_id=int(room_id))
    if not self.request.is_eager:
        for result in results:
            if result.retry_in is not None:
                # The row already records the attempt and when the next one is due; the sweep also re-enqueues it.
                room_provision.apply_async(args=[result.room_id], countdown=result.retry_in)
    result = results[0]
    return {"room_id": result.room_id, "outcome": result.outcome, "retry_in": result.retry_in,
            "with_it": len(results) - 1}


@shared_task(name="meetings.rooms_provision", bind=True, acks_late=True, ignore_result=True)
def rooms_provision(self, room_ids: list[int]) -> dict:
    """Several rooms at once (what the sweep sends); rooms hit by a temporary error are retried one by one."""
    results = services.rooms_provision(room_ids=[int(pk) for pk in room_ids])
    if not self.request.is_eager:
        for result in results:
            if result.retry_in is not None:
                room_provision.apply_async(args=[result.room_id], countdown=result.retry_in)
    outcomes: dict[str, int] = {}
    for result in results:
        outcomes[result.outcome] = outcomes.get(result.outcome, 0) + 1
    return outcomes


@shared_task(name="meetings.rooms_sweep", acks_late=True, ignore_result=True)
def rooms_sweep() -> dict:
    """Periodic: re-enqueue pending rooms, re-create vanished ones, move rooms off unhealthy servers."""
    return services.rooms_sweep().as_dict()


@shared_task(name="meetings.servers_check", acks_late=True, ignore_result=True)
def servers_check() -> dict:
    """Periodic: ask every media server whether it answers and record it on its row."""
    return services.servers_check()

