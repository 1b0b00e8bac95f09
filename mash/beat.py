"""Beat's scheduler: one beat leads at a time, and the jobs that must not wait for the broker run here without it.

- **One leader** (docs/adr/0021): a beat sends nothing unless it holds the deployment's beat lock — a PostgreSQL
  session advisory lock on a connection of its own, or, on SQLite (`make run`), an exclusive lock on
  `MASH_VAR_DIR/celery/beat.lock`. A second beat started by mistake waits on standby, asking again every
  `STANDBY_SECONDS`, and takes over if the leader's process or its connection dies (the lock goes with them).
- **Run here** (`BEAT_RUN_HERE`): for a job such as the deadline sweep, whose work is in the database and must be on
  time, beat runs the task's function in its own process when it cannot publish it (the broker is down) and, on
  PostgreSQL, when the job's own record says no worker has run it for `late_after` seconds (every worker dead or
  busy). The sweep takes its rows with SKIP LOCKED, so a worker sweeping at the same moment never doubles a breach.
  Whatever the job leaves for the broker (its emails) is in the database too and waits for the broker's return.

celery.beat.PersistentScheduler does the rest (the schedule, its file). Set as `CELERY_BEAT_SCHEDULER`.
"""

import contextlib
import fcntl
import logging
import os
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from celery.beat import PersistentScheduler
from django.conf import settings
from django.db import close_old_connections, connection
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.module_loading import import_string

log = logging.getLogger("mash.beat")
STANDBY_SECONDS = 5.0
# pg_try_advisory_lock's key: "mashbeat" read as a 64-bit number.
LOCK_KEY = int.from_bytes(b"mashbeat", "big") & 0x7FFF_FFFF_FFFF_FFFF


@dataclass(frozen=True)
class RunHere:
    """A job beat runs itself when it must: `last_run` names a function giving the job's last run (a datetime, or
    None if it never ran), read to tell a job no worker has run for `late_after` seconds."""

    last_run: str
    late_after: float


class BeatLock:
    """The deployment's beat lock, held for the life of this process (or of its lock connection)."""

    def __init__(self):
        self._held = None  # the psycopg connection, or the file, that holds the lock

    def held(self) -> bool:
        """Whether this beat holds the lock; takes it when it is free."""
        if connection.vendor == "postgresql":
            return self._postgres()
        return self._file()

    def _postgres(self) -> bool:
        import psycopg

        if self._held is not None:
            try:
                self._held.execute("SELECT 1")
                return True
            except psycopg.Error:  # the connection, and the lock with it, is gone: try to take it again
                log.warning("beat: the connection holding the beat lock was lost")
                self.release()
        try:
            held = psycopg.connect(**_lock_connection_params(), autocommit=True, connect_timeout=3)
        except psycopg.Error as exc:
            log.warning("beat: cannot reach the database for the beat lock (%s); standing by", exc)
            return False
        try:
            leads = held.execute("SELECT pg_try_advisory_lock(%s)", [LOCK_KEY]).fetchone()[0]
        except psycopg.Error as exc:
            log.warning("beat: could not ask for the beat lock (%s); standing by", exc)
            leads = False
        if leads:
            self._held = held
            log.warning("beat: this beat leads (it holds the beat lock)")
            return True
        held.close()
        return False

    def _file(self) -> bool:
        if self._held is not None:
            return True
        path = Path(settings.VAR_DIR) / "celery" / "beat.lock"
        path.parent.mkdir(parents=True, exist_ok=True)
        held = open(path, "a+")  # noqa: SIM115 - kept open for as long as this beat leads
        try:
            fcntl.flock(held.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            held.close()
            return False
        held.seek(0)
        held.truncate()
        held.write(f"{os.getpid()}\n")
        held.flush()
        self._held = held
        log.warning("beat: this beat leads (it holds %s)", path)
        return True

    def release(self) -> None:
        if self._held is not None:
            with contextlib.suppress(Exception):  # already gone with its process or connection
                self._held.close()
            self._held = None


# The libpq settings of DATABASES' OPTIONS that the lock's connection keeps (TLS, the role's options); Django's own
# OPTIONS (isolation level, pool) are not libpq's.
LIBPQ_OPTIONS = {"sslmode", "sslrootcert", "sslcert", "sslkey", "options", "application_name", "target_session_attrs"}


def _lock_connection_params() -> dict:
    db = settings.DATABASES["default"]
    params = {"dbname": db["NAME"], "user": db.get("USER"), "password": db.get("PASSWORD"), "host": db.get("HOST"),
              "port": db.get("PORT")}  # fmt: skip
    params.update({k: v for k, v in (db.get("OPTIONS") or {}).items() if k in LIBPQ_OPTIONS})
    return {k: v for k, v in params.items() if v}


class Scheduler(PersistentScheduler):
    lock_class = BeatLock

    def __init__(self, *args, **kwargs):
        self.lock = self.lock_class()
        self._leading = None  # not known until the first tick
        super().__init__(*args, **kwargs)

    def tick(self, *args, **kwargs):
        leading = self.lock.held()
        if leading != self._leading:
            self._leading = leading
            if not leading:
                log.warning(
                    "beat: another beat leads (or the lock cannot be had); this one stands by and sends nothing"
                )
        if not leading:
            return STANDBY_SECONDS
        return super().tick(*args, **kwargs)

    def apply_entry(self, entry, producer=None):
        log.info("Scheduler: Sending due task %s (%s)", entry.name, entry.task)  # as Celery's own scheduler says
        here = run_here_rule(entry.task)
        if here is not None and connection.vendor == "postgresql" and job_is_late(here):
            log.warning("beat: no worker has run %s for %.0f s; running it here", entry.task, here.late_after)
            run_here(entry)
            return
        try:
            self.apply_async(entry, producer=producer, advance=False)
        except Exception as exc:  # noqa: BLE001 - a scheduled job is never lost to a broker error, only reported
            if here is None:
                log.error("beat: could not send %s: %s", entry.name, exc)
                return
            log.warning("beat: could not send %s (%s); running it here", entry.task, exc)
            run_here(entry)

    @cached_property
    def producer(self):
        """Celery's beat connects first, retrying for as long as the broker is down: a beat started during an outage
        would run nothing. This producer connects when it first publishes; a failed publish runs the job here."""
        return self.Producer(self.connection, auto_declare=False)

    @cached_property
    def connection(self):
        """The broker connection, trying once per publish (kombu's default retries a first connection for seconds)."""
        return self.app.connection_for_write(transport_options={"max_retries": 0})

    def close(self):
        super().close()
        self.lock.release()


def run_here_rule(task: str) -> RunHere | None:
    rule = settings.BEAT_RUN_HERE.get(task)
    return RunHere(**rule) if rule else None


def job_is_late(rule: RunHere, now: datetime | None = None) -> bool:
    """Whether the job's last run (by a worker or by beat) is older than its `late_after`; a job that never ran is
    not late (nothing to go by: it is sent as usual)."""
    try:
        last = import_string(rule.last_run)()
    except Exception as exc:  # noqa: BLE001 - no answer from the database: send as usual
        log.warning("beat: cannot tell when %s last ran (%s)", rule.last_run, exc)
        close_old_connections()
        return False
    return last is not None and (now or timezone.now()) - last > timedelta(seconds=rule.late_after)


def run_here(entry) -> bool:
    """Run the scheduled task's function in this process (not through the broker); False if it failed."""
    close_old_connections()  # a connection the database dropped meanwhile is not reused
    try:
        import_string(entry.task)(*entry.args, **entry.kwargs)
    except Exception:  # noqa: BLE001 - beat goes on; the next tick tries again
        log.exception("beat: %s failed when run here", entry.task)
        close_old_connections()
        return False
    return True
