"""Deadlines with the real parts: PostgreSQL, Redis, a Celery worker and beat as separate processes.

The worker and beat run against this test's PostgreSQL database (committed data: transaction=True) with one
timescale hour lasting one second (TIMESCALE_HOUR_SECONDS=1), so a Red rating of 5 hours falls due in 5 seconds,
and a sweep every second.
"""

import copy
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import uuid
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.db import connection
from django.utils import timezone

from agencies.models import Role
from audit.models import AuditEvent
from referrals import triage
from referrals.models import Deadline, DeadlineKind, Notice, Notification, Rating, Referral, SweepRun
from referrals.services import referral_create
from tests.factories import HubFactory, member, referral_data
from tests.mash.test_celery import ROOT

CELERY = Path(sys.executable).with_name("celery")
pytestmark = [
    pytest.mark.postgres,
    pytest.mark.redis,
    pytest.mark.celery,
    pytest.mark.django_db(transaction=True),
]


def _env(tmp_path: Path, redis_url: str) -> dict:
    db = connection.settings_dict
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "mash.settings",
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}",
        "REDIS_URL": redis_url,
        "MASH_VAR_DIR": str(tmp_path / "var"),
        "TIMESCALE_HOUR_SECONDS": "1",
        "DEADLINE_SWEEP_SECONDS": "1",
        "PYTHONUNBUFFERED": "1",
    }


class Processes:
    def __init__(self, tmp_path: Path):
        self.tmp_path, self.running = tmp_path, []

    def start(self, name: str, args: list[str], env: dict) -> subprocess.Popen:
        log = (self.tmp_path / f"{name}.log").open("ab")
        # Each process leads a group of its own, so that a worker and its pool's children can be killed together.
        process = subprocess.Popen(
            args, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
        self.running.append((name, process))
        return process

    def worker(self, env, name="worker"):
        return self.start(name, [CELERY, "-A", "mash", "worker", "--pool=prefork", "--concurrency=2", "-l", "INFO",
                                 "--without-gossip", "--without-mingle", "-n", f"{name}-{time.time_ns()}@%h"], env)  # fmt: skip

    def beat(self, env):
        schedule = self.tmp_path / "beat-schedule"
        return self.start("beat", [CELERY, "-A", "mash", "beat", "-l", "INFO", "-s", str(schedule)], env)

    def logs(self) -> str:
        return "\n".join(f"--- {p.name}\n{p.read_text(errors='replace')[-3000:]}" for p in self.tmp_path.glob("*.log"))

    def stop_all(self):
        for _, process in self.running:
            if process.poll() is None:
                process.terminate()
        for _, process in self.running:
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()


@pytest.fixture
def processes(tmp_path, empty_redis_queues):
    running = Processes(tmp_path)
    yield running
    running.stop_all()


def _wait(predicate, what: str, processes: Processes, seconds: float = 40):
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if value := predicate():
            return value
        time.sleep(0.05)
    pytest.fail(f"waited {seconds} s for {what}\n{processes.logs()}")


@pytest.fixture
def red_hub(settings):
    settings.TIMESCALE_HOUR_SECONDS = 1  # this process computes the due times
    hub = HubFactory(red_hours=5)
    return hub, member(hub, Role.PRACTITIONER), member(hub, Role.MANAGER)


def _rate_red(hub, practitioner) -> Deadline:
    referral = referral_create(hub=hub, data=referral_data(), channel="web")
    triage.referral_screen(
        referral=referral, by=practitioner, level="specialist", criteria=[], rating="red", rationale="Urgent."
    )
    return Deadline.objects.get(referral=referral, kind=DeadlineKind.RATING)


def test_a_red_rating_of_five_seconds_is_breached_within_two_seconds_with_one_notification(
    tmp_path, processes, red_hub
):
    hub, practitioner, manager = red_hub
    env = _env(tmp_path, django_settings.REDIS_URL)
    processes.worker(env)
    processes.beat(env)
    _wait(lambda: SweepRun.objects.exists(), "the first sweep", processes)

    red = _rate_red(hub, practitioner)
    assert red.due_at - red.starts_at == timedelta(seconds=5)
    _wait(lambda: Deadline.objects.get(pk=red.pk).state == "breached", "the breach", processes)
    red.refresh_from_db()
    late = (red.closed_at - red.due_at).total_seconds()
    assert 0 <= late <= 2, f"recorded {late:.2f} s after the due time"
    time.sleep(2)  # more sweeps run meanwhile: still exactly one notice, one notification (the manager)
    assert Notice.objects.filter(deadline=red, kind="breach").count() == 1
    assert list(
        Notification.objects.filter(notice__deadline=red, notice__kind="breach").values_list("recipient", flat=True)
    ) == [manager.pk]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _redis_server(processes: Processes, port: int) -> subprocess.Popen:
    args = [shutil.which("redis-server") or "redis-server", "--port", str(port), "--bind", "127.0.0.1",
            "--save", "", "--appendonly", "no"]  # fmt: skip
    server = processes.start(f"redis-{port}-{time.time_ns()}", args, {})
    _wait(lambda: _answers(port), "redis-server to start", processes, 10)
    return server


def _answers(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.2) as s:
            s.sendall(b"PING\r\n")
            return s.recv(16).startswith(b"+PONG")
    except OSError:
        return False


@pytest.mark.skipif(not shutil.which("redis-server"), reason="needs redis-server to start a Redis of its own")
def test_with_redis_down_the_breach_is_recorded_on_time_and_emailed_once_redis_is_back(tmp_path, processes, red_hub):
    """Beat runs the sweep itself when it cannot send it (mash/beat.py, docs/adr/0021): the breach is recorded within
    two seconds of its due time with no broker at all, once; its email waits in the database and goes when the
    broker is back."""
    hub, practitioner, manager = red_hub
    port = _free_port()
    redis = _redis_server(processes, port)  # a Redis of this test's own, to stop and start
    env = _env(tmp_path, f"redis://127.0.0.1:{port}/0")
    processes.worker(env)
    processes.beat(env)
    _wait(lambda: SweepRun.objects.exists(), "the first sweep", processes)

    redis.kill()
    redis.wait()
    red = _rate_red(hub, practitioner)  # the rating itself needs no broker
    _wait(lambda: Deadline.objects.get(pk=red.pk).state == "breached", "the breach with Redis down", processes)
    red.refresh_from_db()
    late = (red.closed_at - red.due_at).total_seconds()
    assert 0 <= late <= 2, f"recorded {late:.2f} s after the due time, with Redis down"
    breach = Notification.objects.filter(notice__deadline=red, notice__kind="breach")
    assert [n.recipient_id for n in breach] == [manager.pk] and breach.get().emailed_at is None  # waiting
    time.sleep(3)  # more sweeps in beat meanwhile: nothing twice
    assert Notice.objects.filter(deadline=red, kind="breach").count() == 1

    _redis_server(processes, port)
    _wait(lambda: breach.get().emailed_at is not None, "the email once Redis is back", processes, 90)
    assert Notice.objects.filter(deadline=red, kind="breach").count() == 1


def _due_now(hub, count: int) -> list:
    """`count` referrals of the hub, each with a Red deadline already past its due time (bulk-made: the sweep, not
    the intake, is under test)."""
    template = referral_create(hub=hub, data=referral_data(), channel="web")
    clones = []
    for i in range(count):
        clone = copy.copy(template)
        clone.pk, clone.reference = uuid.uuid4(), f"{template.reference}-{i}"
        clones.append(clone)
    Referral.objects.bulk_create(clones)
    now = timezone.now()
    deadlines = [
        Deadline(hub=hub, referral=r, kind=DeadlineKind.RATING, rating=Rating.RED, starts_at=now - timedelta(seconds=9),
                 warn_at=now - timedelta(seconds=3), due_at=now - timedelta(seconds=1))
        for r in clones
    ]  # fmt: skip
    return [d.pk for d in Deadline.objects.bulk_create(deadlines)]


def test_a_worker_killed_mid_sweep_loses_and_doubles_no_notification(tmp_path, processes, red_hub):
    """4,000 breaches take a sweep of twenty batches (one transaction each). The worker and its pool are SIGKILLed
    once some batches have committed and others have not; a new worker finishes the rest.

    Beat must not sweep in the worker's stead (docs/adr/0021): on a busy machine the worker took longer than
    DEADLINE_SWEEP_LATE_SECONDS to start, beat swept all four batches of 1,000 itself, and the kill came after."""
    hub, _, manager = red_hub
    ids = _due_now(hub, 4000)
    env = {
        **_env(tmp_path, django_settings.REDIS_URL),
        "DEADLINE_SWEEP_BATCH": "200",
        "DEADLINE_SWEEP_LATE_SECONDS": "600",
    }
    doomed = processes.worker(env, name="doomed")
    processes.beat(env)

    breached = lambda: Deadline.objects.filter(pk__in=ids, state="breached").count()  # noqa: E731
    at_kill = _wait(lambda: (n := breached()) and n, "the first batch of the sweep", processes, 60)
    os.killpg(doomed.pid, signal.SIGKILL)
    doomed.wait()
    assert 0 < at_kill < len(ids), f"the kill came after the sweep ({at_kill} breached), not during it"
    assert breached() < len(ids), "the sweep finished before the kill landed"

    processes.worker(env, name="successor")
    _wait(lambda: breached() == len(ids), "every breach after the new worker started", processes, 90)
    time.sleep(2)  # more sweeps meanwhile: nothing is recorded again
    assert Notice.objects.filter(deadline__in=ids, kind="breach").count() == len(ids)
    per_recipient = Notification.objects.filter(notice__deadline__in=ids, recipient=manager)
    assert per_recipient.count() == len(ids)
    assert per_recipient.values("notice__deadline").distinct().count() == len(ids)
    breaches = AuditEvent.objects.filter(
        action="deadline.breached",
        object_id__in=[str(r) for r in Deadline.objects.filter(pk__in=ids).values_list("referral_id", flat=True)],
    )
    assert breaches.count() == len(ids)
