"""Benchmark of the audit ledger on PostgreSQL.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/mash_bench .venv/bin/python bench/audit/run.py [--events 1000000]

1. Loads N events (10 hubs and the global chain) with COPY, digests computed as `audit.record` computes them.
2. Times `seal()` over all of them, then `verify()` over all of them: events per second.
3. Times a service call (`funding_record`, a validated write of one row) with and without its audit event, in
   the same run, alternating batches so both see the same machine: the cost audit adds, in per cent.
The database is dropped and created afresh. Figures go to stdout and bench/results/audit.json.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mash.settings")
os.environ.setdefault("SECRET_KEY", "bench-only")
# Signs the ledger's heads (audit/anchor.py): a bench-only seed.
os.environ.setdefault("AUDIT_SIGNING_KEY", "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=")


def fresh_database(url: str) -> None:
    import psycopg

    name = url.rsplit("/", 1)[1]
    admin = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')
    subprocess.run([sys.executable, "manage.py", "migrate", "-v0"], cwd=ROOT, check=True)


def load_events(n: int) -> float:
    from audit import canonical
    from audit.events.actions import AuditAction
    from bench.ledger_rows import copy_events, row

    hubs = [str(uuid.uuid4()) for _ in range(10)] + [None]
    start = datetime(2026, 11, 1, tzinfo=UTC)
    began = time.perf_counter()

    def rows():
        for i in range(n):
            fields = {
                "hub_id": hubs[i % len(hubs)],
                "actor_type": "user",
                "actor_id": str(i % 500),
                "actor_agency_id": None,
                "action": (AuditAction.REFERRAL_VIEWED if i % 3 else AuditAction.HUB_UPDATED).value,
                "object_type": "referrals.referral",
                "object_id": str(uuid.UUID(int=i)),
                "payload": canonical.dumps({"rating": "amber", "source": "6", "count": i % 7}),
                "request_id": uuid.UUID(int=i).hex,
                "client_ip": "10.0.0.1",
            }
            yield row(start + timedelta(microseconds=i * 2_500), fields)

    copy_events(rows())  # bench/ledger_rows.py: digests as audit.record computes them
    return time.perf_counter() - began


def service_cost(calls: int, rounds: int) -> dict:
    """Median seconds per funding_record call with and without its audit event, alternating rounds."""
    from decimal import Decimal

    from agencies import services

    hub = services.hub_create(name=f"Bench {uuid.uuid4().hex[:6]}", slug=uuid.uuid4().hex[:12], working_days=[0, 1])
    agencies = [
        services.agency_create(name=f"Agency {uuid.uuid4().hex[:8]}", slug=uuid.uuid4().hex[:12], kind="police")
        for _ in range(calls)
    ]
    for agency in agencies:
        services.membership_set(hub=hub, agency=agency, kind="core")
    real_audit = services.record_change
    timings = {"with audit": [], "without audit": []}
    year = 2000
    for r in range(rounds):
        for label in ("with audit", "without audit") if r % 2 == 0 else ("without audit", "with audit"):
            services.record_change = real_audit if label == "with audit" else (lambda *a, **k: None)
            year += 1
            began = time.perf_counter()
            for agency in agencies:
                services.funding_record(
                    hub=hub,
                    agency=agency,
                    financial_year=year,
                    amount_gbp=Decimal("100.00"),
                    staff_fte=Decimal("1.0"),
                    working_pattern="hybrid",
                )
            timings[label].append((time.perf_counter() - began) / calls)
    services.record_change = real_audit
    with_audit = statistics.median(timings["with audit"])
    without = statistics.median(timings["without audit"])
    return {
        "calls_per_round": calls,
        "rounds": rounds,
        "ms_per_call_with_audit": round(with_audit * 1000, 3),
        "ms_per_call_without_audit": round(without * 1000, 3),
        "audit_adds_percent": round((with_audit / without - 1) * 100, 1),
    }


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--calls", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=10)
    args = parser.parse_args()
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        sys.exit("set DATABASE_URL to a PostgreSQL database the benchmark may drop and create")
    fresh_database(url)

    import django

    django.setup()
    from audit.services import seal
    from audit.verify import verify

    load_seconds = load_events(args.events)
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE audit_auditevent")  # as autovacuum would after a load this size
    began = time.perf_counter()
    blocks = seal()
    seal_seconds = time.perf_counter() - began
    sealed = sum(b.event_count for b in blocks)
    began = time.perf_counter()
    report = verify()  # one worker process per core
    verify_seconds = time.perf_counter() - began
    assert report.intact and report.events == args.events == sealed, report.summary()
    cost = service_cost(args.calls, args.rounds)
    results = {
        "date": datetime.now(UTC).date().isoformat(),
        "events": args.events,
        "load_seconds": round(load_seconds, 2),
        "seal_seconds": round(seal_seconds, 2),
        "seal_events_per_second": round(args.events / seal_seconds),
        "verify_seconds": round(verify_seconds, 2),
        "verify_events_per_second": round(args.events / verify_seconds),
        "service": cost,
    }
    out = ROOT / "bench" / "results"
    out.mkdir(parents=True, exist_ok=True)
    (out / "audit.json").write_text(json.dumps(results, indent=2))
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
