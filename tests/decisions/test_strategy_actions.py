"""A strategy discussion's actions (issue 19 part 1): each owned by an agency with a deadline at the end of its due
day, warned and breached by the deadline machinery; marked done from the referral page by the hub's staff or from the owning agency officer's actions page, audited,
its deadline met; outside the reader's scope it is a 404."""

import pytest
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEvent
from decisions import services
from referrals.models import Deadline, DeadlineKind, DeadlineState
from tests.decisions.test_strategy import _data, _received_days_ago

pytestmark = pytest.mark.django_db


def test_each_action_has_its_deadline_and_is_marked_done_from_the_referral_page(mash, client):
    referral = _received_days_ago(mash.referral())
    discussion = services.strategy_discussion_record(referral=referral, by=mash.practitioner, data=_data(mash))
    action = discussion.actions.get()
    deadline = Deadline.objects.get(pk=action.deadline_id)
    assert (deadline.kind, deadline.state, deadline.referral_id) == (
        DeadlineKind.ACTION,
        DeadlineState.OPEN,
        referral.pk,
    )
    assert timezone.localtime(deadline.due_at).date() == action.due_on
    assert deadline.label == "Northshire Children's Services (north)'s agreed action"

    client.force_login(mash.practitioner)
    page = reverse("referral-detail", args=[mash.hub.id, referral.id])
    shown = client.get(page).content.decode()
    done = reverse("strategy-action-done", args=[mash.hub.id, action.id])
    assert f'action="{done}"' in shown and "Mark done<span" in shown
    assert client.post(done).status_code == 302
    action.refresh_from_db()
    deadline.refresh_from_db()
    assert action.completed_by == mash.practitioner and deadline.state == DeadlineState.MET
    event = AuditEvent.objects.get(action="strategy_action.completed")
    assert event.data == {
        "referral_id": str(referral.pk), "discussion_id": str(discussion.pk), "owner_id": str(mash.social_care.pk),
        "on_time": True,
    }  # fmt: skip
    shown = client.get(page).content.decode()
    assert f"Done {timezone.localdate():%-d %B %Y}" in shown and f'action="{done}"' not in shown
    client.post(done)  # a second time: refused in words, nothing recorded again
    assert "This action is already done" in client.get(page).content.decode()
    assert AuditEvent.objects.filter(action="strategy_action.completed").count() == 1


def test_the_owning_agencys_officer_sees_it_and_marks_it_done_another_agency_or_hub_cannot(mash, client):
    from tests.people import build_mash

    referral = _received_days_ago(mash.referral())
    action = services.strategy_discussion_record(
        referral=referral, by=mash.practitioner, data=_data(mash)
    ).actions.get()
    done = reverse("strategy-action-done", args=[mash.hub.id, action.id])
    client.force_login(mash.officers["police"])  # not the owner
    assert action.description not in client.get(reverse("officer-actions", args=[mash.hub.id])).content.decode()
    assert client.post(done).status_code == 404
    other = build_mash("south")
    client.force_login(other.manager)
    assert client.post(reverse("strategy-action-done", args=[other.hub.id, action.id])).status_code == 404
    action.refresh_from_db()
    assert action.completed_at is None

    officer = mash.officers["social_care"]  # the owning agency's officer: on their actions page, done from there
    client.force_login(officer)
    mine = client.get(reverse("officer-actions", args=[mash.hub.id])).content.decode()
    assert "Agreed in strategy discussions" in mine and action.description in mine and f'action="{done}"' in mine
    response = client.post(done)
    assert response.status_code == 302 and response.url == reverse("officer-actions", args=[mash.hub.id])
    action.refresh_from_db()
    assert action.completed_by == officer
    assert Deadline.objects.get(pk=action.deadline_id).state == DeadlineState.MET
    assert AuditEvent.objects.get(action="strategy_action.completed").data["owner_id"] == str(mash.social_care.pk)
    page = client.get(reverse("officer-actions", args=[mash.hub.id])).content.decode()
    assert "Action marked done" in page and action.description not in page
