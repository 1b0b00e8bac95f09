"""PostgreSQL: the application's role cannot change the ledger, and sealing never skips an event that commits
late, however many processes write while the sealer runs."""

import os
import subprocess
import sys
import threading
from pathlib import Path

import psycopg
import pytest
from django.core.management import call_command
from django.db import connection, connections, transaction

from audit.models import AuditBlock, AuditEvent
from audit.services import record, seal
from audit.verify import verify

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]
ROOT = Path(__file__).resolve().parents[2]
APP_ROLE = "mash_app_test"


def _conninfo(**overrides) -> str:
    s = connection.settings_dict
    params = {"dbname": s["NAME"], "user": s["USER"], "host": s["HOST"] or "127.0.0.1", "port": s["PORT"] or 5432}
    params.update(overrides)
    return " ".join(f"{k}={v}" for k, v in params.items() if v)


@pytest.fixture
def app_role(monkeypatch):
    monkeypatch.setenv("MASH_APP_DB_PASSWORD", "test-only-password")
    call_command("db_roles", database="default", app_role=APP_ROLE, stdout=open(os.devnull, "w"))  # noqa: SIM115
    return APP_ROLE


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE audit_auditevent SET action = 'hub.created'",
        "DELETE FROM audit_auditevent",
        "TRUNCATE audit_auditevent",
        "UPDATE audit_auditblock SET event_count = 0",
        "DELETE FROM audit_auditblock",
        "TRUNCATE audit_auditblock",
    ],
)
def test_application_role_cannot_update_delete_or_truncate_the_ledger(app_role, statement):
    record("hub.updated", payload={"red_hours": 1})
    seal()
    with psycopg.connect(_conninfo(user=app_role, password="test-only-password")) as app:
        with pytest.raises(psycopg.errors.InsufficientPrivilege, match="permission denied"):
            app.execute(statement)
        app.rollback()
        # …while it reads the ledger and writes the rest of the service's tables.
        assert app.execute("SELECT count(*) FROM audit_auditevent").fetchone()[0] == 1
        app.execute("UPDATE agencies_hub SET area = area")
    assert AuditEvent.objects.count() == 1 and AuditBlock.objects.get().event_count == 1


@pytest.mark.parametrize("statement", ["UPDATE audit_auditevent SET payload = '{}'", "TRUNCATE audit_auditevent"])
def test_even_the_owner_is_refused_by_the_triggers(statement):
    record("hub.updated", payload={"red_hours": 1})
    with pytest.raises(Exception, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(statement)
    assert AuditEvent.objects.get().data == {"red_hours": 1}


def test_superuser_tamper_in_replica_mode_is_named_by_verify_audit():
    events = [record("hub.updated", payload={"red_hours": i}) for i in range(3)]
    seal()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL session_replication_role = replica")
        cursor.execute("UPDATE audit_auditevent SET payload = '{\"n\":7}' WHERE id = %s", [events[1].id])
    result = subprocess.run(
        [sys.executable, "manage.py", "verify_audit"],
        cwd=ROOT,
        env={**os.environ, "DATABASE_URL": _database_url()},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 1
    assert f"event {events[1].id}: content does not match its recorded digest" in result.stderr


def _database_url() -> str:
    s = connection.settings_dict
    return f"postgres://{s['USER']}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


def test_an_event_with_a_lower_id_that_commits_late_is_never_skipped():
    recorded, release = threading.Event(), threading.Event()
    late = {}

    def slow_service():
        try:
            with transaction.atomic():
                late["event"] = record("hub.updated", payload={"name": "late"})
                recorded.set()
                release.wait(timeout=20)
        finally:
            connections.close_all()

    writer = threading.Thread(target=slow_service)
    writer.start()
    assert recorded.wait(timeout=20)
    early = record("hub.updated", payload={"name": "early"})  # a higher id, committed first
    assert early.id > late["event"].id

    first = seal()
    sealed_ids = _sealed_ids()
    assert late["event"].id not in sealed_ids  # its transaction is still open
    assert early.id not in sealed_ids  # and nothing at or after the oldest open transaction is sealed yet
    release.set()
    writer.join(timeout=20)
    second = seal()
    assert late["event"].id in _sealed_ids() and early.id in _sealed_ids()
    assert sum(b.event_count for b in first + second) == AuditEvent.objects.count()
    assert verify().intact


def _sealed_ids() -> set[int]:
    ids = set()
    for block in AuditBlock.objects.all():
        ids |= set(
            AuditEvent.objects.filter(
                hub_id=None if str(block.chain).startswith("00000000") else block.chain,
                txid__gte=block.lower_bound,
                txid__lt=block.upper_bound,
            ).values_list("id", flat=True)
        )
    return ids


WRITER = """
import random, sys, time, django
django.setup()
from django.db import transaction
from audit.services import record
for i in range(int(sys.argv[1])):
    with transaction.atomic():
        for _ in range(random.randint(1, 3)):
            record("hub.updated", payload={"red_hours": int(sys.argv[2]), "amber_hours": i})
        time.sleep(random.random() / 200)
"""

SEALER = """
import sys, time, django
django.setup()
from audit.services import seal
deadline = time.time() + float(sys.argv[1])
runs = 0
while time.time() < deadline:
    seal(); runs += 1
    time.sleep(0.01)
print(runs)
"""


def test_writers_and_a_repeated_sealer_seal_every_event_exactly_once():
    env = {**os.environ, "DATABASE_URL": _database_url(), "DJANGO_SETTINGS_MODULE": "mash.settings"}
    writers = [subprocess.Popen([sys.executable, "-c", WRITER, "150", str(n)], cwd=ROOT, env=env) for n in range(3)]
    sealers = [
        subprocess.Popen([sys.executable, "-c", SEALER, "6"], cwd=ROOT, env=env, stdout=subprocess.PIPE, text=True)
        for _ in range(2)
    ]
    for process in writers:
        assert process.wait(timeout=120) == 0
    runs = [int(p.communicate(timeout=60)[0]) for p in sealers]
    assert all(r > 1 for r in runs)
    seal()
    events = AuditEvent.objects.count()
    assert events >= 3 * 150
    blocks = list(AuditBlock.objects.order_by("number"))
    assert len(blocks) > 1  # the sealers really ran while the writers wrote
    assert sum(b.event_count for b in blocks) == events
    assert len(_sealed_ids()) == events
    report = verify()
    assert report.intact and report.events == events


@pytest.mark.parametrize("hubs", [1, 4], ids=["one chain: split by id range", "several chains: split by chain"])
def test_parallel_verification_agrees_and_names_the_tampered_event(monkeypatch, hubs):
    import audit.verify as verification
    from tests.factories import HubFactory

    monkeypatch.setattr(verification, "PARALLEL_FROM", 0)
    hub_list = [HubFactory() for _ in range(hubs)]
    events = [record("hub.updated", hub=hub_list[i % hubs], payload={"red_hours": i}) for i in range(60)]
    seal()
    events += [record("hub.updated", hub=hub_list[i % hubs], payload={"red_hours": i}) for i in range(60, 90)]
    seal()
    parallel, serial = verify(workers=2), verify(workers=1)
    assert parallel.intact and serial.intact
    assert (parallel.events, parallel.heads) == (serial.events, serial.heads)
    victims = sorted([events[70].id, events[10].id])
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL session_replication_role = replica")
        cursor.execute("UPDATE audit_auditevent SET payload = '{\"i\":-1}' WHERE id = ANY(%s)", [victims])
    report = verify(workers=2)
    assert not report.intact and report.problem.event == victims[0]
