"""The strategy discussion's deadline after a Red rating (issue 19 part 1): due the hub's strategy_discussion_hours
after the rating, met when a discussion is recorded, cancelled when the rating is lowered or the referral closes,
warned and breached by the sweep like the other kinds, on the referral page and counted in the monthly return."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from agencies.models import Hub
from audit.models import AuditEvent
from decisions import services
from referrals import deadlines, triage
from referrals.models import Deadline, DeadlineKind, Notification
from reports.figures import monthly_figures
from tests.factories import AnsweredReferralFactory, SignedOffDecisionFactory

pytestmark = pytest.mark.django_db

LONDON = ZoneInfo("Europe/London")
RATED = datetime(2026, 10, 6, 9, 0, tzinfo=LONDON)  # a Tuesday


def _red(mash, rating="red"):
    with time_machine.travel(RATED, tick=False):
        return mash.referral(rating=rating)


def _strategy(referral):
    return list(Deadline.objects.filter(referral=referral, kind=DeadlineKind.STRATEGY))


def _events(action):
    return [e for e in AuditEvent.objects.filter(action=action) if e.data["kind"] == "strategy"]


def _discussion(mash, referral, held):
    data = {
        "held_on": held.date().isoformat(), "held_time": held.strftime("%H:%M"), "mode": "meeting",
        "participants": [{"agency": getattr(mash, k), "role": f"{k} lead"} for k in ("police", "social_care", "health")],
        "decision": "s47_single_agency", "reason": "", "s47_started_on": held.date().isoformat(), "actions": [],
    }  # fmt: skip
    with time_machine.travel(held + timedelta(minutes=30), tick=False):
        return services.strategy_discussion_record(referral=referral, by=mash.practitioner, data=data)


def test_a_red_rating_sets_the_deadline_at_the_hubs_hours_and_amber_or_green_none(mash):
    Hub.objects.filter(pk=mash.hub.pk).update(strategy_discussion_hours=48)
    referral = _red(mash)
    [deadline] = _strategy(referral)
    assert (deadline.state, deadline.rating, deadline.due_at) == ("open", "red", RATED + timedelta(hours=48))
    assert deadline.label == "Strategy discussion, Red"
    assert len(_events("deadline.set")) == 1
    assert _strategy(_red(mash, "amber")) == [] and _strategy(_red(mash, "green")) == []


def test_a_discussion_recorded_meets_it(mash):
    referral = _red(mash)
    _discussion(mash, referral, RATED + timedelta(hours=20))
    [deadline] = _strategy(referral)
    assert deadline.state == "met"
    assert len(_events("deadline.met")) == 1


def test_lowered_to_amber_it_is_cancelled_with_the_reason_and_red_again_sets_a_new_one(mash):
    referral = _red(mash)
    with time_machine.travel(RATED + timedelta(hours=1), tick=False):
        triage.referral_re_rate(referral=referral, by=mash.manager, rating="amber", reason="Father arrested.")
    [cancelled] = _strategy(referral)
    assert cancelled.state == "cancelled"
    [event] = _events("deadline.cancelled")
    assert event.data["reason"] == "re_rated"
    with time_machine.travel(RATED + timedelta(hours=2), tick=False):
        triage.referral_re_rate(referral=referral, by=mash.manager, rating="red", reason="Father released.")
    assert sorted(d.state for d in _strategy(referral)) == ["cancelled", "open"]


def test_closed_by_another_decision_without_a_discussion_it_is_cancelled(mash):
    referral = AnsweredReferralFactory(mash=mash, rating="red")  # every core agency asked and answered
    assert [d.state for d in _strategy(referral)] == ["open"]
    SignedOffDecisionFactory(mash=mash, referral=referral, changes={"outcome": "early_help"})
    [deadline] = _strategy(referral)
    assert deadline.state == "cancelled"
    assert [e.data["reason"] for e in _events("deadline.cancelled")] == ["closed"]


def test_the_sweep_warns_then_breaches_it_notifies_and_the_page_and_the_return_show_it(mash, client):
    referral = _red(mash)
    triage.referral_assign(referral=referral, by=mash.practitioner, to=mash.practitioner)
    [deadline] = _strategy(referral)
    hours = mash.hub.strategy_discussion_hours
    with time_machine.travel(RATED + timedelta(hours=hours * 0.8), tick=False):
        deadlines.deadlines_sweep()
    deadline.refresh_from_db()
    assert deadline.state == "open" and deadline.warned_at is not None
    with time_machine.travel(RATED + timedelta(hours=hours, minutes=1), tick=False):
        deadlines.deadlines_sweep()
    deadline.refresh_from_db()
    assert deadline.state == "breached"
    told = Notification.objects.filter(notice__deadline=deadline, notice__kind="breach")
    assert {n.recipient for n in told} == {mash.practitioner, mash.manager}
    assert all("Strategy discussion" in n.subject and "strategy" not in n.subject for n in told)

    client.force_login(mash.manager)
    page = client.get(reverse("referral-detail", args=[mash.hub.id, referral.id])).content.decode()
    assert "Strategy discussion, Red" in page

    figures = monthly_figures(mash.hub, RATED.date().replace(day=1), RATED + timedelta(days=20))
    breaches = figures["timeliness"]["breaches"]
    assert breaches["strategy"] == 1 and breaches["total"] == sum(v for k, v in breaches.items() if k != "total")


def test_closed_by_a_decision_to_hold_a_strategy_discussion_it_stays_due_until_one_is_recorded(mash):
    referral = AnsweredReferralFactory(mash=mash, rating="red")
    SignedOffDecisionFactory(mash=mash, referral=referral, changes={"outcome": "s47_strategy"})
    assert [d.state for d in _strategy(referral)] == ["open"]
    referral.refresh_from_db()
    _discussion(mash, referral, referral.received_at + timedelta(minutes=5))
    assert [d.state for d in _strategy(referral)] == ["met"]
