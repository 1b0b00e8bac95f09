"""Beat's scheduler (mash/beat.py, docs/adr/0021): the deadline sweep runs in beat itself when the broker cannot take
it, or when no worker has run it for a while (PostgreSQL); a second beat stands by while the first leads.

The broker that is down is a real one that refuses: a Redis URL on a port nothing listens on. The broker that is up
is kombu's in-memory transport (the message is published, and no worker takes it)."""

from contextlib import suppress
from datetime import UTC, datetime, timedelta

import pytest
from celery import Celery
from django.conf import settings
from django.utils import timezone

from audit.events.actions import AuditAction
from audit.events.reading import events_of
from audit.models import AuditEvent
from mash import beat
from referrals.deadlines import SWEEP, sweep_last_run_at
from referrals.models import Deadline, DeadlineKind, Notice, SweepRun
from referrals.services import referral_create
from tests.factories import referral_data
from tests.referrals.test_deadline_worker import _free_port  # free once closed: nothing listens on it

pytestmark = pytest.mark.django_db(transaction=True)


def _scheduler(broker: str, tmp_path, name="beat") -> beat.Scheduler:
    app = Celery("beat-test", broker=broker, set_as_current=False)  # the project app stays the current one
    app.conf.beat_schedule = {"deadlines-sweep": settings.CELERY_BEAT_SCHEDULE["deadlines-sweep"]}
    return beat.Scheduler(app=app, schedule_filename=str(tmp_path / name), lazy=False)


@pytest.fixture
def overdue(hub):
    """A referral received a month ago: its decision deadline (one working day) is long past and still open."""
    referral = referral_create(hub=hub, data=referral_data(received_at=(timezone.now() - timedelta(days=20)).isoformat()),
                               channel="web", history=True)  # fmt: skip
    return Deadline.objects.get(referral=referral, kind=DeadlineKind.DECISION)


def _send_the_sweep(scheduler):
    assert scheduler.lock.held()
    scheduler.apply_entry(scheduler.schedule["deadlines-sweep"], producer=scheduler.producer)


def test_with_the_broker_down_beat_sweeps_itself_and_records_each_breach_once(overdue, tmp_path):
    scheduler = _scheduler(f"redis://127.0.0.1:{_free_port()}/0", tmp_path)
    try:
        _send_the_sweep(scheduler)
        overdue.refresh_from_db()
        assert overdue.state == "breached"
        assert sweep_last_run_at() is not None  # the sweep's own record: the dashboard's heartbeat stays fresh

        _send_the_sweep(scheduler)  # the next second, still down: nothing new, nothing twice
        breaches = events_of(AuditAction.DEADLINE_BREACHED, AuditEvent.objects, deadline_id=str(overdue.pk))
        assert breaches.count() == 1
        # The breach's email waits in the database for the broker (notices_deliver, once it is back).
        assert Notice.objects.filter(deadline=overdue, kind="breach").count() == 1
    finally:
        scheduler.close()


def test_with_the_broker_up_beat_only_sends_the_sweep(overdue, tmp_path):
    scheduler = _scheduler("memory://", tmp_path)
    try:
        _send_the_sweep(scheduler)
    finally:
        scheduler.close()
    overdue.refresh_from_db()
    assert overdue.state == "open"  # sent to the workers; none is running here
    assert sweep_last_run_at() is None


@pytest.mark.postgres
def test_beat_sweeps_itself_when_no_worker_has_swept_for_a_while(overdue, tmp_path):
    scheduler = _scheduler("memory://", tmp_path)
    fresh = timezone.now()
    SweepRun.objects.create(name=SWEEP, last_run_at=fresh, last_duration_ms=1, last_count=0)
    try:
        _send_the_sweep(scheduler)  # a worker swept a moment ago: sent as usual
        overdue.refresh_from_db()
        assert overdue.state == "open"

        late = settings.DEADLINE_SWEEP_LATE_SECONDS + 1
        SweepRun.objects.filter(name=SWEEP).update(last_run_at=fresh - timedelta(seconds=late))
        _send_the_sweep(scheduler)  # no worker has swept for longer than that: beat does
        overdue.refresh_from_db()
        assert overdue.state == "breached"
        assert sweep_last_run_at() > fresh
    finally:
        scheduler.close()


def test_a_second_beat_stands_by_until_the_first_stops(overdue, tmp_path):
    down = f"redis://127.0.0.1:{_free_port()}/0"  # were either to send, it would sweep here
    first = _scheduler(down, tmp_path, "first")
    second = _scheduler(down, tmp_path, "second")
    try:
        assert first.lock.held()
        assert second.tick() == beat.STANDBY_SECONDS and not second.lock.held()
        overdue.refresh_from_db()
        assert overdue.state == "open"  # the standby sent nothing and swept nothing

        first.close()  # the leader stops (or dies: the lock goes with its process or connection)
        assert second.lock.held()
        _send_the_sweep(second)
        overdue.refresh_from_db()
        assert overdue.state == "breached"
    finally:
        for scheduler in (first, second):
            with suppress(Exception):  # the first may be closed already
                scheduler.close()


def test_a_job_that_never_ran_is_not_late_and_a_failing_run_here_is_reported(caplog):
    rule = beat.RunHere(last_run="referrals.deadlines.sweep_last_run_at", late_after=5)
    assert not beat.job_is_late(rule)  # nothing to go by: sent as usual
    assert beat.job_is_late(rule, now=datetime(2999, 1, 1, tzinfo=UTC)) is False  # still none

    class Entry:
        task, args, kwargs = "mash.beat.no_such_job", (), {}

    assert beat.run_here(Entry()) is False
    assert "failed when run here" in caplog.text
