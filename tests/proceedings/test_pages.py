"""The roll-call and vote pages: the pass holder's roll and panel, the signed-in clerk's roll (their own site only),
the chair's live view (a fixed number of queries for 3 and 20 sites) and controls."""

from __future__ import annotations

import pytest
from django.urls import reverse

from foundation.models import AuditEntry
from proceedings import services
from proceedings.models import OpenBallot, RollEntry, SecretTally, SecretVoter, Vote
from tests.factories.districts import StaffFactory

from .conftest import HALL, KUMPHAWAPI, MUEANG, pass_of

pytestmark = [pytest.mark.integration, pytest.mark.django_db]

DISTRICTS = tuple(f"41{n:02d}" for n in (*range(1, 12), *range(17, 26)))


def written() -> dict[str, int]:
    return {model.__name__: model.objects.count()
            for model in (RollEntry, Vote, OpenBallot, SecretVoter, SecretTally, AuditEntry)}


def test_pass_holder_records_the_roll_from_the_room(client, schedule):
    meeting = schedule(sites=(MUEANG,))
    token = pass_of(meeting, MUEANG).token
    url = reverse("proceedings:pass-roll", kwargs={"token": token})
    page = client.get(url)
    assert page.status_code == 200
    assert page["Cache-Control"] == "no-store"
    response = client.post(url, {"name": "นายอำเภอเมือง", "position": "นายอำเภอ", "role": "attendee"})
    assert response.status_code == 302
    entry = RollEntry.objects.get()
    assert entry.recorded_by is None
    assert entry.recorded_by_label.startswith("ผู้ถือลิงก์เข้าร่วมประชุม #")
    page = client.get(url)
    assert "นายอำเภอเมือง" in page.content.decode()
    # An absentee without a reason: the Thai message, nothing written.
    before = written()
    response = client.post(url, {"name": "ปลัดอำเภอ", "role": "absent"})
    assert response.status_code == 400
    assert "กรอกเหตุที่ไม่มาประชุม" in response.content.decode()
    assert written() == before


def test_signed_in_clerk_records_their_own_site_and_no_other(client, schedule):
    meeting = schedule(sites=(MUEANG, KUMPHAWAPI))
    clerk = StaffFactory.create(role="clerk", site_code=MUEANG).user
    client.force_login(clerk)
    own = reverse("proceedings:site-roll", kwargs={"pk": meeting.pk, "code": MUEANG})
    assert client.get(own).status_code == 200
    assert client.post(own, {"name": "นายอำเภอเมือง", "role": "attendee"}).status_code == 302
    assert RollEntry.objects.get().recorded_by == clerk
    services.roll_entry_record(join_pass=pass_of(meeting, KUMPHAWAPI), name="นายอำเภอกุมภวาปี", role="attendee")
    other = reverse("proceedings:site-roll", kwargs={"pk": meeting.pk, "code": KUMPHAWAPI})
    before = written()
    response = client.get(other)
    assert response.status_code == 403
    assert "นายอำเภอกุมภวาปี" not in response.content.decode()
    assert client.post(other, {"name": "แทรก", "role": "attendee"}).status_code == 403
    entry = RollEntry.objects.get(name="นายอำเภอกุมภวาปี")
    remove = reverse("proceedings:site-roll-remove", kwargs={"pk": meeting.pk, "code": KUMPHAWAPI,
                                                             "entry_id": entry.pk})
    assert client.post(remove).status_code == 403
    # Nor through its own site's address with the other site's entry: not found on its roll, nothing removed.
    sneaky = reverse("proceedings:site-roll-remove", kwargs={"pk": meeting.pk, "code": MUEANG,
                                                             "entry_id": entry.pk})
    client.post(sneaky)
    assert written() == before
    # The chair's view of every site is not the clerk's either.
    assert client.get(reverse("proceedings:chair-live", kwargs={"pk": meeting.pk})).status_code == 403


def test_a_clerk_of_a_site_not_in_the_meeting_gets_not_found(client, schedule):
    meeting = schedule(sites=(MUEANG,))
    client.force_login(StaffFactory.create(role="clerk", site_code=KUMPHAWAPI).user)
    url = reverse("proceedings:site-roll", kwargs={"pk": meeting.pk, "code": KUMPHAWAPI})
    assert client.get(url).status_code == 404


def test_chair_opens_and_closes_a_vote_from_the_meeting_page(client, schedule):
    meeting = schedule(sites=(MUEANG,))
    client.force_login(schedule.scheduler)
    detail = client.get(reverse("meetings:detail", kwargs={"pk": meeting.pk}))
    assert reverse("proceedings:chair-live", kwargs={"pk": meeting.pk}) in detail.content.decode()
    response = client.post(reverse("proceedings:vote-open", kwargs={"pk": meeting.pk}),
                           {"agenda_item": "4", "question": "", "by": "site"})
    assert response.status_code == 302
    vote = Vote.objects.get()
    live = client.get(reverse("proceedings:chair-live", kwargs={"pk": meeting.pk})).content.decode()
    assert "ขออนุมัติโครงการถนนปลอดภัยช่วงสงกรานต์" in live
    assert "ปิดลงมติและประกาศผล" in live
    client.post(reverse("proceedings:vote-close", kwargs={"pk": meeting.pk, "vote_id": vote.pk}))
    vote.refresh_from_db()
    assert vote.status == "closed"
    # The control centre links to the same view on a page of its own, where the chair may record for a site.
    board = client.get(reverse("join:control-board")).content.decode()
    assert reverse("proceedings:chair", kwargs={"pk": meeting.pk}) in board
    page = client.get(reverse("proceedings:chair", kwargs={"pk": meeting.pk}))
    assert page.status_code == 200
    on_behalf = reverse("proceedings:site-roll", kwargs={"pk": meeting.pk, "code": MUEANG})
    assert on_behalf in client.get(reverse("proceedings:chair-live", kwargs={"pk": meeting.pk})).content.decode()
    assert client.post(on_behalf, {"name": "ผู้แทนอำเภอเมือง", "role": "attendee"}).status_code == 302
    assert RollEntry.objects.get(name="ผู้แทนอำเภอเมือง").recorded_by == schedule.scheduler


def test_opening_a_vote_when_the_meeting_is_not_under_way_says_why(client, schedule):
    meeting = schedule(sites=(MUEANG,), running=False)
    client.force_login(schedule.scheduler)
    before = written()
    response = client.post(reverse("proceedings:vote-open", kwargs={"pk": meeting.pk}), {"agenda_item": "4"},
                           follow=True)
    assert "เปิดลงมติได้เฉพาะระหว่างการประชุม" in response.content.decode()
    assert written() == before


def test_join_page_panel_casts_once_and_shows_the_result(client, schedule):
    meeting = schedule(sites=(MUEANG,))
    token = pass_of(meeting, MUEANG).token
    page = client.get(reverse("j:page", kwargs={"token": token})).content.decode()
    assert reverse("proceedings:pass-panel", kwargs={"token": token}) in page
    vote = services.vote_open(meeting=meeting, agenda_item=4, secret=True)
    panel = client.get(reverse("proceedings:pass-panel", kwargs={"token": token})).content.decode()
    assert 'value="approve"' in panel
    url = reverse("proceedings:pass-vote", kwargs={"token": token, "vote_id": vote.pk})
    response = client.post(url, {"choice": "approve"}, headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert "บันทึกการลงมติแล้ว" in response.content.decode()
    before = written()
    again = client.post(url, {"choice": "reject"}, headers={"HX-Request": "true"})
    assert again.status_code == 400
    assert "ลงมติได้ครั้งเดียว" in again.content.decode()
    assert written() == before
    services.vote_close(vote=vote)
    panel = client.get(reverse("proceedings:pass-panel", kwargs={"token": token})).content.decode()
    assert "ผลการลงมติ" in panel
    assert "เห็นชอบ <strong>1</strong>" in panel


def test_a_revoked_pass_gets_no_panel_and_cannot_vote(client, schedule):
    from django.utils import timezone

    from join.models import JoinPass

    meeting = schedule(sites=(MUEANG,))
    join_pass = pass_of(meeting, MUEANG)
    vote = services.vote_open(meeting=meeting, agenda_item=4)
    JoinPass.objects.filter(pk=join_pass.pk).update(revoked_at=timezone.now())
    assert client.get(reverse("proceedings:pass-panel", kwargs={"token": join_pass.token})).status_code == 410
    before = written()
    response = client.post(reverse("proceedings:pass-vote", kwargs={"token": join_pass.token, "vote_id": vote.pk}),
                           {"choice": "approve"})
    assert response.status_code == 400
    assert "ถูกยกเลิก" in response.content.decode()
    assert written() == before


def _chair_fixture(schedule, sites):
    meeting = schedule(sites=sites)
    for code in (HALL, *sites[:2]):
        services.roll_entry_record(join_pass=pass_of(meeting, code), name=f"ผู้แทน {code}", role="attendee")
    services.roll_entry_record(join_pass=pass_of(meeting, sites[-1]), name="ผู้ลา", role="absent", reason="ลาป่วย")
    done = services.vote_open(meeting=meeting, agenda_item=3)
    for code in sites:
        services.vote_cast(vote=done, join_pass=pass_of(meeting, code), choice="approve")
    services.vote_close(vote=done)
    secret = services.vote_open(meeting=meeting, agenda_item=4, secret=True)
    services.vote_cast(vote=secret, join_pass=pass_of(meeting, sites[0]), choice="reject")
    return meeting


@pytest.mark.parametrize("sites", [(MUEANG, KUMPHAWAPI), DISTRICTS], ids=["3 sites", "21 sites"])
def test_chair_live_view_costs_a_fixed_number_of_queries(client, schedule, django_assert_num_queries, sites):
    meeting = _chair_fixture(schedule, sites)
    client.force_login(schedule.scheduler)
    url = reverse("proceedings:chair-live", kwargs={"pk": meeting.pk})
    client.get(url)  # the session and the user are read the same way every time
    # session, user with staff + meeting, passes, roll entries, votes, open ballots, secret voters
    with django_assert_num_queries(8):
        response = client.get(url)
    assert response.status_code == 200
    assert response.content.decode().count("<tr data-holder=") == len(sites) + 1


@pytest.mark.parametrize("sites", [(MUEANG, KUMPHAWAPI), DISTRICTS], ids=["3 sites", "21 sites"])
def test_join_panel_costs_a_fixed_number_of_queries(client, schedule, django_assert_num_queries, sites):
    meeting = _chair_fixture(schedule, sites)
    url = reverse("proceedings:pass-panel", kwargs={"token": pass_of(meeting, sites[0]).token})
    client.get(url)
    # the pass + passes, roll entries, votes, open ballots, secret voters
    with django_assert_num_queries(6):
        response = client.get(url)
    assert response.status_code == 200
