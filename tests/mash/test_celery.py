"""Celery with a real worker process: the filesystem broker, Redis, ETA tasks and delay_on_commit.

Worker tests start `celery -A mash worker --pool=solo` as a subprocess with a fresh MASH_VAR_DIR under tmp_path, so
the broker folder, the file cache and the SQLite file are its own. Nothing is mocked. On the filesystem broker the
sender is a second subprocess with the same MASH_VAR_DIR, because this process's settings were loaded for another
folder; this process reads the heartbeat from that folder's cache by pointing CACHES at it. On Redis, this process
sends directly: its settings already name the Redis the worker uses.

The subprocesses run without DATABASE_URL (SQLite under tmp_path): the worker never touches the database, and the
sender's transactions only need one to commit or roll back.
"""

import base64
import json
import os
import subprocess
import sys
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

import psycopg
import pytest
from celery.contrib.django.task import DjangoTask
from django.conf import settings as django_settings
from django.db import transaction

from mash.celery import app
from mash.tasks import heartbeat, last_heartbeat
from tests.audit.test_postgres_ledger import _conninfo

ROOT = Path(__file__).resolve().parents[2]
CELERY = Path(sys.executable).with_name("celery")
WAIT = 30  # seconds: the longest any test waits for a worker or a task

# Sends tasks as the web app does, in a fresh interpreter whose settings point at the test's MASH_VAR_DIR. Takes a
# JSON list of steps; prints a JSON report with, per step name, the task id and send time, and for the
# delay_on_commit steps how many messages the broker folder held inside and after the transaction.
SENDER = """
import json, os, sys, time
import django
django.setup()
from django.conf import settings
from django.db import transaction
from mash.tasks import heartbeat

def in_broker():
    return len(os.listdir(settings.CELERY_BROKER_FOLDER))

report = {}
for step in json.loads(sys.argv[1]):
    name, send = step["name"], step["send"]
    if send == "now":
        report[name] = {"id": heartbeat.delay(name=name).id}
    elif send == "countdown":
        sent = time.time()
        result = heartbeat.apply_async(kwargs={"name": name}, countdown=step["seconds"])
        report[name] = {"id": result.id, "sent": sent}
    elif send == "on_commit":
        with transaction.atomic():
            heartbeat.delay_on_commit(name=name)
            inside = in_broker()
        report[name] = {"inside": inside, "after": in_broker()}
    elif send == "on_rollback":
        with transaction.atomic():
            heartbeat.delay_on_commit(name=name)
            inside = in_broker()
            transaction.set_rollback(True)
        report[name] = {"inside": inside, "after": in_broker()}
print(json.dumps(report))
"""


def _env(var_dir: Path, redis_url: str | None = None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL"}}
    env.update(DJANGO_SETTINGS_MODULE="mash.settings", MASH_VAR_DIR=str(var_dir), PYTHONUNBUFFERED="1")
    if redis_url:
        env["REDIS_URL"] = redis_url
    return env


def _send(env: dict[str, str], steps: list[dict]) -> dict:
    result = subprocess.run(
        [sys.executable, "-c", SENDER, json.dumps(steps)], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


class Worker:
    """One `celery worker` subprocess, its output in a log file (a pipe could fill up and block it)."""

    def __init__(self, env: dict[str, str], log_path: Path):
        self.name = f"mash-test-{uuid.uuid4().hex[:8]}"
        self.log_path = log_path
        with log_path.open("wb") as log:
            self.process = subprocess.Popen(
                [CELERY, "-A", "mash", "worker", "--pool=solo", "--without-gossip", "--without-mingle"]
                + ["--without-heartbeat", "-l", "INFO", "-n", f"{self.name}@%h"],
                cwd=ROOT,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )

    def wait_until_ready(self) -> None:
        _wait_for(lambda: " ready." in self.log() or self.process.poll() is not None, "the worker to start", self)
        assert self.process.poll() is None, f"the worker exited:\n{self.log()}"

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def stop(self) -> int:
        """Warm shutdown (SIGTERM), as supervisor (make run) and docker stop it; SIGKILL only if it hangs."""
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=5)
        return self.process.returncode


@pytest.fixture
def start_worker(tmp_path):
    """Start workers with `start_worker(env)`; every one is stopped at teardown, whatever the test did."""
    workers: list[Worker] = []

    def start(env: dict[str, str]) -> Worker:
        worker = Worker(env, tmp_path / f"worker-{len(workers)}.log")
        workers.append(worker)  # before waiting, so a worker that never gets ready is stopped too
        worker.wait_until_ready()
        return worker

    yield start
    for worker in workers:
        worker.stop()


def _wait_for(predicate, what: str, worker: Worker | None = None):
    deadline = time.monotonic() + WAIT
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.1)
    pytest.fail(f"waited {WAIT} s for {what}" + (f"; worker log:\n{worker.log()}" if worker else ""))


def _wait_for_heartbeat(name: str, worker: Worker) -> datetime:
    return _wait_for(lambda: last_heartbeat(name), f"heartbeat {name!r}", worker)


def _read_cache_in(settings, var_dir: Path) -> None:
    """Point this process's cache at the worker's file cache; last_heartbeat() then reads what the worker wrote."""
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.filebased.FileBasedCache", "LOCATION": var_dir / "cache"}
    }


def _broker_messages(var_dir: Path) -> list[dict]:
    """The messages waiting in the filesystem broker's folder, oldest first."""
    messages = []
    for path in sorted((var_dir / "celery" / "broker").glob("*.msg")):
        raw = json.loads(path.read_text())
        assert raw["properties"]["body_encoding"] == "base64"
        _args, kwargs, _embed = json.loads(base64.b64decode(raw["body"]))
        messages.append({**raw["headers"], "kwargs": kwargs, "redelivered": raw.get("redelivered", False)})
    return messages


def _at(epoch: float) -> datetime:
    return datetime.fromtimestamp(epoch, UTC)


def test_the_app_uses_the_reliability_settings():
    conf = app.conf
    assert conf.task_acks_late is True
    assert conf.task_reject_on_worker_lost is True
    assert conf.worker_prefetch_multiplier == 1
    assert conf.accept_content == ["json"]
    assert conf.task_serializer == "json" and conf.result_serializer == "json"
    assert 0 < conf.task_soft_time_limit < conf.task_time_limit
    assert conf.broker_connection_retry_on_startup is True

    # The registered task (what the worker runs) carries them, and is Django's task class, so delay_on_commit exists.
    task = app.tasks["mash.tasks.heartbeat"]
    assert heartbeat._get_current_object() is task
    assert isinstance(task, DjangoTask) and callable(task.delay_on_commit)
    assert task.acks_late is True and task.reject_on_worker_lost is True and task.ignore_result is True

    if django_settings.REDIS_URL:
        assert conf.broker_url == django_settings.REDIS_URL
        # A task still running when the visibility timeout ends would be delivered a second time.
        assert conf.broker_transport_options["visibility_timeout"] > conf.task_time_limit
    else:
        assert conf.broker_url == "filesystem://"
        options = conf.broker_transport_options
        # Senders write where the worker reads: one folder for both directions.
        assert options["data_folder_in"] == options["data_folder_out"] == str(django_settings.CELERY_BROKER_FOLDER)
        assert Path(options["data_folder_in"]).is_dir() and Path(options["control_folder"]).is_dir()


def _backend_pid() -> int:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return cursor.fetchone()[0]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_worker_keeps_its_database_connection_between_tasks_and_replaces_an_old_or_broken_one():
    """Celery's Django fixup closes the connection around every task unless CELERY_DB_REUSE_MAX is set; the app's
    own handlers then close it only as Django does around a request: when broken or older than CONN_MAX_AGE."""
    from celery.signals import task_postrun, task_prerun
    from django.db import connection

    assert app.conf.get("CELERY_DB_REUSE_MAX") >= 100
    task = app.tasks["mash.tasks.heartbeat"]  # as the worker runs it: not eagerly
    assert not task.request.is_eager
    connection.close_at = time.monotonic() + 600
    first = _backend_pid()
    for _ in range(3):
        task_prerun.send(sender=task, task_id="t", task=task)
        assert _backend_pid() == first  # the same PostgreSQL backend: no new connection per task
        task_postrun.send(sender=task, task_id="t", task=task)
    assert _backend_pid() == first

    connection.close_at = time.monotonic() - 1  # older than CONN_MAX_AGE
    task_postrun.send(sender=task, task_id="t", task=task)
    second = _backend_pid()
    assert second != first

    with psycopg.connect(_conninfo()) as other:  # the database drops the connection between two tasks
        other.execute("SELECT pg_terminate_backend(%s)", [second])
    connection.close_at = time.monotonic() + 600
    task_prerun.send(sender=task, task_id="t", task=task)
    third = _backend_pid()  # the health check finds it dead and connects again, so the task runs
    assert third not in (first, second)


@pytest.mark.django_db
def test_delay_on_commit_waits_for_the_commit(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks, transaction.atomic():
        heartbeat.delay_on_commit(name="rolled-back")
        transaction.set_rollback(True)
    assert callbacks == []

    # Captured, not run: the send waits for the test's outer transaction, which never commits.
    with django_capture_on_commit_callbacks() as callbacks, transaction.atomic():
        heartbeat.delay_on_commit(name="committed")
    [send] = callbacks
    assert send.func == heartbeat.delay and send.keywords == {"name": "committed"}


@pytest.mark.celery
def test_filesystem_worker_runs_a_heartbeat_and_an_eta_task_only_when_due(tmp_path, settings, start_worker):
    var_dir = tmp_path / "var"
    env = _env(var_dir)
    _read_cache_in(settings, var_dir)
    worker = start_worker(env)

    sent = _send(env, [{"send": "countdown", "name": "later", "seconds": 4}, {"send": "now", "name": "now"}])
    later_id, now_id = sent["later"]["id"], sent["now"]["id"]
    due = _at(sent["later"]["sent"] + 4)

    # The worker takes the ETA message at once and holds it; it has not run it early.
    _wait_for(lambda: f"[{later_id}] received" in worker.log(), "the worker to receive the ETA task", worker)
    looked = datetime.now(UTC)
    assert last_heartbeat("later") is None
    assert looked < due, "the worker took too long to receive the ETA task to tell whether it waited"

    _wait_for_heartbeat("now", worker)  # a plain task runs meanwhile
    later = _wait_for_heartbeat("later", worker)
    assert due <= later < _at(sent["later"]["sent"] + 4 + 10), "the ETA task ran before it was due, or long after"

    assert worker.stop() == 0  # so the log is complete
    log = worker.log()
    assert log.count(f"[{later_id}] succeeded") == 1 and log.count(f"[{now_id}] succeeded") == 1
    assert log.count("] received") == 2
    assert _broker_messages(var_dir) == []


@pytest.mark.celery
def test_filesystem_worker_gives_back_an_eta_task_it_holds_on_warm_shutdown(tmp_path, settings, start_worker):
    """The filesystem broker deletes a message's file when a worker reads it; until the task is acknowledged the
    message lives only in that worker's memory. A warm shutdown (SIGTERM) writes it back; SIGKILL would lose it."""
    var_dir = tmp_path / "var"
    env = _env(var_dir)
    _read_cache_in(settings, var_dir)
    first = start_worker(env)

    sent = _send(env, [{"send": "countdown", "name": "later", "seconds": 8}])
    task_id, due = sent["later"]["id"], _at(sent["later"]["sent"] + 8)
    _wait_for(lambda: f"[{task_id}] received" in first.log(), "the worker to receive the ETA task", first)
    assert _broker_messages(var_dir) == []  # held by the worker, not in the folder

    assert first.stop() == 0
    assert f"[{task_id}] succeeded" not in first.log()
    [message] = _broker_messages(var_dir)
    assert message["id"] == task_id and message["redelivered"] is True and message["kwargs"] == {"name": "later"}
    assert last_heartbeat("later") is None

    second = start_worker(env)
    assert due <= _wait_for_heartbeat("later", second)
    assert second.stop() == 0
    assert second.log().count(f"[{task_id}] succeeded") == 1


@pytest.mark.celery
def test_filesystem_broker_gets_only_the_committed_delay_on_commit_task(tmp_path, settings, start_worker):
    var_dir = tmp_path / "var"
    env = _env(var_dir)
    _read_cache_in(settings, var_dir)

    # No worker yet, so the broker folder shows exactly what was sent.
    report = _send(env, [{"send": "on_rollback", "name": "rolled-back"}, {"send": "on_commit", "name": "committed"}])
    assert report == {"rolled-back": {"inside": 0, "after": 0}, "committed": {"inside": 0, "after": 1}}
    [message] = _broker_messages(var_dir)
    assert message["task"] == "mash.tasks.heartbeat" and message["kwargs"] == {"name": "committed"}
    assert message["timelimit"] == [app.conf.task_time_limit, app.conf.task_soft_time_limit]

    worker = start_worker(env)
    _wait_for_heartbeat("committed", worker)
    assert worker.stop() == 0
    assert last_heartbeat("rolled-back") is None
    assert worker.log().count("] received") == 1  # nothing else arrived
    assert _broker_messages(var_dir) == []


@pytest.mark.redis
@pytest.mark.celery
@pytest.mark.django_db(transaction=True)
def test_redis_worker_runs_heartbeat_eta_and_committed_tasks(tmp_path, settings, empty_redis_queues, start_worker):
    worker = start_worker(_env(tmp_path / "var", redis_url=django_settings.REDIS_URL))
    # Read the cache as the app does (the suite gives each test its own key prefix; the worker uses the real one).
    settings.CACHES = {"default": {**settings.CACHES["default"], "KEY_PREFIX": "mash"}}
    # Unique names: the Redis database may be shared with other runs, so only this test's stamps count.
    now, later, committed, rolled_back = (f"{kind}-{uuid.uuid4().hex}" for kind in ("now", "later", "commit", "roll"))
    # The worker is up before the clock starts: on a loaded machine it took 15 s to run its first task, past the
    # countdown, and then the held-back task (sent first) ran first.
    ready = f"ready-{uuid.uuid4().hex}"
    heartbeat.delay(name=ready)
    _wait_for_heartbeat(ready, worker)

    sent = time.time()
    countdown = 8
    heartbeat.apply_async(kwargs={"name": later}, countdown=countdown)
    heartbeat.delay(name=now)
    with transaction.atomic():
        heartbeat.delay_on_commit(name=rolled_back)
        transaction.set_rollback(True)
    with transaction.atomic():
        heartbeat.delay_on_commit(name=committed)

    # The task sent now runs before the one held back, and that one not before its countdown.
    ran_now = _wait_for_heartbeat(now, worker)
    _wait_for_heartbeat(committed, worker)
    ran_later = _wait_for_heartbeat(later, worker)
    assert ran_now < _at(sent + countdown) <= ran_later < _at(sent + countdown + 30)
    # Sent before the committed task, it would have run first had it been sent at all.
    assert last_heartbeat(rolled_back) is None


def test_a_sender_that_finds_redis_down_tries_once_and_gives_up():
    """A web request (or beat) that queues a task while Redis is down must not wait: one connection attempt, then
    the failure, which mash/queue.py logs (the work is in the database for beat's catch-up). kombu's default for a
    first connection retried for about 6 s. The 'Redis' here is a real listener that counts the connections it is
    offered and closes each at once."""
    import socket
    import threading

    from celery import Celery

    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    listener.settimeout(0.2)
    attempts, done = [], threading.Event()

    def refuse():
        while not done.is_set():
            try:
                conn, _ = listener.accept()
            except OSError:
                continue
            attempts.append(1)
            conn.close()

    threading.Thread(target=refuse, daemon=True).start()
    sender = Celery("down", broker=f"redis://127.0.0.1:{listener.getsockname()[1]}/0", set_as_current=False)
    sender.conf.broker_transport_options = django_settings.REDIS_BROKER_OPTIONS
    try:
        with pytest.raises(Exception):  # noqa: B017, PT011 - whichever error the client raises: it is not sent
            sender.send_task("mash.tasks.heartbeat", retry=False)
    finally:
        done.set()
        listener.close()
    assert len(attempts) == 1
