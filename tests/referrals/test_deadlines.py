"""Screening, RAG ratings and their deadlines, and the sweep that records warnings and breaches (services, no
broker): each test names the instant it sweeps at, so the clock is the test's own."""

import threading
from datetime import UTC, datetime, timedelta

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import connection

from agencies.models import Role
from audit.models import AuditEvent
from mash.errors import Refused
from referrals import deadlines, selectors, triage
from referrals.models import Deadline, DeadlineKind, Notice, Notification, Referral, ThresholdVersion
from referrals.services import referral_create
from tests.factories import CONSISTENT_LEVEL, UserFactory, member, referral_data

pytestmark = pytest.mark.django_db

# Tuesday 3 November 2026, 10:00 GMT: a working day, far from bank holidays and clock changes.
RECEIVED = datetime(2026, 11, 3, 10, 0, tzinfo=UTC)


@pytest.fixture
def people(hub):
    return {"practitioner": member(hub, Role.PRACTITIONER), "manager": member(hub, Role.MANAGER)}


@pytest.fixture
def referral(hub):
    return referral_create(hub=hub, data=referral_data(received_at=RECEIVED.isoformat()), channel="web", history=True)


def _screen(referral, by, rating="red", **reason):
    level = CONSISTENT_LEVEL[rating]  # a screening that does not contradict itself
    return triage.referral_screen(
        referral=referral, by=by, level=level, criteria=[f"{level}.1"], rating=rating, rationale="Bruising.", **reason
    )


def _open(referral, kind):
    return Deadline.objects.get(referral=referral, kind=kind, state="open")


def test_receipt_sets_a_decision_deadline_one_working_day_later(referral):
    decision = _open(referral, DeadlineKind.DECISION)
    # 10:00 Tuesday + 8 working hours (09:00-17:00) = 10:00 Wednesday; warned at 75 % = 6 h = 16:00 Tuesday.
    assert decision.due_at == datetime(2026, 11, 4, 10, 0, tzinfo=UTC)
    assert decision.warn_at == datetime(2026, 11, 3, 16, 0, tzinfo=UTC)
    assert Referral.objects.get(pk=referral.pk).due_at == decision.due_at


def test_screening_rates_sets_the_rating_deadline_and_is_audited(referral, people):
    screening = _screen(referral, people["practitioner"])
    referral.refresh_from_db()
    assert (referral.rating, referral.threshold_level, referral.status) == ("red", "specialist", "screened")
    red = _open(referral, DeadlineKind.RATING)
    assert red.due_at == RECEIVED + timedelta(hours=4) and red.rating == "red"  # Red counts 24/7 clock hours
    assert referral.due_at == red.due_at  # the earlier of the two deadlines orders the queue
    assert screening.threshold_version.number == 1  # the defaults, published on first use
    event = AuditEvent.objects.get(action="referral.screened")
    assert event.data["rating"] == "red" and event.data["threshold_version"] == 1


def test_amber_counts_working_hours(referral, people):
    _screen(referral, people["practitioner"], rating="amber")
    # The default Amber, 6 working hours, from Tuesday 10:00 = Tuesday 16:00.
    assert _open(referral, DeadlineKind.RATING).due_at == datetime(2026, 11, 3, 16, 0, tzinfo=UTC)


def test_blue_sets_no_rating_deadline(referral, people):
    _screen(referral, people["practitioner"], rating="blue")
    assert not Deadline.objects.filter(referral=referral, kind=DeadlineKind.RATING).exists()


@pytest.mark.parametrize(
    "change, field",
    [
        ({"level": "nonsense"}, "level"),
        ({"criteria": ["made.up"]}, "criteria"),
        ({"rating": "purple"}, "rating"),
        ({"rationale": "  "}, "rationale"),
    ],
)
def test_a_bad_screening_names_the_field_and_changes_nothing(referral, people, change, field):
    args = {"level": "specialist", "criteria": ["specialist.1"], "rating": "red", "rationale": "Bruising.", **change}
    with pytest.raises(ValidationError) as error:
        triage.referral_screen(referral=referral, by=people["practitioner"], **args)
    assert field in error.value.message_dict
    referral.refresh_from_db()
    assert referral.rating == "" and not referral.screenings.exists()
    assert not Deadline.objects.filter(referral=referral, kind=DeadlineKind.RATING).exists()


def test_the_manager_re_rates_with_a_reason_and_the_old_deadline_is_cancelled(referral, people):
    _screen(referral, people["practitioner"])
    old = _open(referral, DeadlineKind.RATING)
    triage.referral_re_rate(referral=referral, by=people["manager"], rating="green", reason="Child safe with aunt.")
    old.refresh_from_db()
    assert old.state == "cancelled"
    # The default Green, 8 working hours, from Tuesday 10:00: seven that day, one on Wednesday.
    assert _open(referral, DeadlineKind.RATING).due_at == RECEIVED + timedelta(hours=24)
    event = AuditEvent.objects.get(action="referral.re_rated")
    assert event.data["previous_rating"] == "red" and event.data["rating"] == "green"


def test_only_the_acting_manager_re_rates_and_a_reason_is_required(referral, people):
    _screen(referral, people["practitioner"])
    with pytest.raises(Refused, match="accountable manager"):
        triage.referral_re_rate(referral=referral, by=people["practitioner"], rating="green", reason="Because.")
    with pytest.raises(ValidationError) as error:
        triage.referral_re_rate(referral=referral, by=people["manager"], rating="green", reason="")
    assert "reason" in error.value.message_dict
    assert Referral.objects.get(pk=referral.pk).rating == "red"


def test_a_second_screening_may_raise_concern_but_only_the_manager_lowers_it(referral, people):
    _screen(referral, people["practitioner"], rating="green")
    _screen(referral, people["practitioner"], rating="red")  # raising: anyone screening may
    assert Referral.objects.get(pk=referral.pk).rating == "red" and referral.screenings.count() == 2
    with pytest.raises(ValidationError) as error:
        _screen(referral, people["practitioner"], rating="green")
    assert error.value.message_dict["rating"] == [
        "Lowering the rating from Red to Green is for the accountable manager, with a reason: raise it, keep it, or "
        "ask the manager"
    ]
    assert "level" in error.value.message_dict  # Specialist to Early help is lowering too
    assert Referral.objects.get(pk=referral.pk).rating == "red" and referral.screenings.count() == 2
    _screen(referral, people["practitioner"], rating="red")  # what is new, same rating: allowed
    with pytest.raises(ValidationError) as error:  # the manager lowers it too, but says why
        _screen(referral, people["manager"], rating="amber")
    assert error.value.message_dict == {
        "confirm_reason": [
            "Give your reason for lowering the rating from Red to Amber and the level from Specialist: child "
            "protection (s47) to Targeted: child in need (s17)"
        ]
    }
    assert referral.screenings.count() == 3
    lowered = _screen(referral, people["manager"], rating="amber", confirm_reason="Father arrested; child with aunt.")
    assert Referral.objects.get(pk=referral.pk).rating == "amber" and referral.screenings.count() == 4
    assert lowered.confirm_reason == "Father arrested; child with aunt."
    event = AuditEvent.objects.filter(action="referral.screened").order_by("-id").first()
    assert event.data["concern_lowered"] is True and event.data["contradictions_confirmed"] is False


def test_screenings_keep_the_thresholds_version_they_used(hub, referral, people):
    first = _screen(referral, people["practitioner"])
    levels = [{"code": "local", "name": "Local level", "criteria": [{"code": "local.1", "text": "Our words"}]}]
    second_version = triage.thresholds_publish(hub=hub, cohort="child", levels=levels, note="Board wording")
    assert second_version.number == 2
    first.refresh_from_db()
    assert first.threshold_version.number == 1 and first.threshold_version.level("specialist")
    assert selectors.thresholds_current(hub, "child") == second_version
    with pytest.raises(ValidationError, match="own code"):
        triage.thresholds_publish(hub=hub, cohort="child", levels=levels + levels, note="Twice")
    assert ThresholdVersion.objects.filter(hub=hub, cohort="child").count() == 2


def test_the_sweep_warns_then_breaches_once_and_notifies_the_assignee_and_the_manager(referral, people):
    _screen(referral, people["practitioner"])
    triage.referral_assign(referral=referral, by=people["practitioner"], to=people["practitioner"])
    red = _open(referral, DeadlineKind.RATING)

    assert deadlines.deadlines_sweep(now=RECEIVED + timedelta(hours=2)) == 0  # nothing due yet
    assert deadlines.deadlines_sweep(now=RECEIVED + timedelta(hours=3, minutes=1)) == 1  # 75 % of 4 h passed
    red.refresh_from_db()
    assert red.state == "open" and red.warned_at is not None

    late = RECEIVED + timedelta(hours=5)  # the sweep ran an hour late: it still catches the breach
    assert deadlines.deadlines_sweep(now=late) == 1
    assert deadlines.deadlines_sweep(now=late) == 0  # and never twice
    red.refresh_from_db()
    assert red.state == "breached" and red.closed_at is not None
    assert [n.kind for n in Notice.objects.filter(deadline=red).order_by("created_at")] == ["warning", "breach"]
    breach = Notification.objects.filter(notice__deadline=red, notice__kind="breach")
    assert {n.recipient for n in breach} == {people["practitioner"], people["manager"]}
    assert AuditEvent.objects.filter(action="deadline.breached", object_id=str(referral.pk)).count() == 1

    assert deadlines.notices_deliver() == 4  # two people, a warning and a breach each
    assert deadlines.notices_deliver() == 0
    assert len(mail.outbox) == 4 and all(referral.reference in m.subject for m in mail.outbox)
    assert not any("Alex" in m.body or "Example" in m.body for m in mail.outbox)  # no names in email


def test_a_breach_is_told_in_the_hubs_time_in_summer(hub, people):
    """In British Summer Time the notice gives the deadline on the hub's clock (UTC + 1), not the stored UTC."""
    summer = datetime(2026, 7, 14, 9, 0, tzinfo=UTC)  # Tuesday, 10:00 in London
    referral = referral_create(hub=hub, data=referral_data(received_at=summer.isoformat()), channel="web",
                               history=True)  # fmt: skip
    decision = _open(referral, DeadlineKind.DECISION)
    assert deadlines.deadlines_sweep(now=decision.due_at + timedelta(minutes=1)) >= 1
    subjects = set(Notification.objects.filter(notice__deadline=decision, notice__kind="breach")
                   .values_list("subject", flat=True))  # fmt: skip
    assert subjects == {f"{referral.reference}: deadline breached, {decision.label} (15 Jul 10:00)"}


def test_the_sweep_records_its_heartbeat(referral):
    assert deadlines.sweep_is_stale()
    deadlines.deadlines_sweep(now=RECEIVED)
    assert not deadlines.sweep_is_stale()


def test_a_practitioner_claims_but_only_the_manager_assigns_to_someone_else(hub, referral, people):
    other = member(hub, Role.PRACTITIONER)
    with pytest.raises(Refused, match="you may claim it"):
        triage.referral_assign(referral=referral, by=people["practitioner"], to=other)
    triage.referral_assign(referral=referral, by=people["manager"], to=other)
    assert Referral.objects.get(pk=referral.pk).assigned_to == other
    with pytest.raises(ValidationError, match="practitioner of this hub"):
        triage.referral_assign(referral=referral, by=people["manager"], to=UserFactory())


def test_the_sweep_works_in_batches(hub, people):
    for _ in range(5):
        referral_create(hub=hub, data=referral_data(received_at=RECEIVED.isoformat()), channel="web", history=True)
    assert deadlines.deadlines_sweep(now=RECEIVED + timedelta(days=3), batch=2) == 5
    assert Deadline.objects.filter(state="breached").count() == 5
    assert Notice.objects.filter(kind="breach").count() == 5


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_sweeps_at_once_record_each_breach_once(hub, people):
    for _ in range(40):
        referral_create(hub=hub, data=referral_data(received_at=RECEIVED.isoformat()), channel="web", history=True)
    start = threading.Barrier(2)
    counts = []

    def sweep():
        start.wait()
        try:
            counts.append(deadlines.deadlines_sweep(now=RECEIVED + timedelta(days=3), batch=5))
        finally:
            connection.close()

    threads = [threading.Thread(target=sweep) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sum(counts) == 40
    assert Deadline.objects.filter(state="breached").count() == 40
    assert Notice.objects.filter(kind="breach").count() == 40
    assert AuditEvent.objects.filter(action="deadline.breached").count() == 40
