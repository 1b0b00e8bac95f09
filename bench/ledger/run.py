"""Benchmark of a national-size ledger on PostgreSQL, partitioned by month (docs/adr/0022).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/mash_bench_ledger .venv/bin/python bench/ledger/run.py \\
        [--events 50000000] [--hubs 150] [--months 84] [--workers 2] [--fresh] [--phases load,verify,day,return]

1. load: `--events` spread evenly over the `--months` months before this one, across `--hubs` hubs (one event in
   fifty on the nil chain), loaded with COPY one month per transaction by `--workers` processes, digests computed as
   `audit.record` computes them (bench/ledger_rows.py); after each round of months, `seal()` — as beat's sealing
   every minute would have — timed apart: seal events/s. Resumable: a month whose partition holds events is
   skipped, and sealing takes up whatever was left unsealed. Actions mix a return's (received, screened,
   deadline.set, requests and answers, sign-offs) with reads, their payloads carrying what reports/ledger.py reads.
2. verify: a full check of every chain (`ledger_checks.check(full=True)`, signed; verify's worker processes):
   events/s.
3. day: one day of new events (`--day-events`, default the national rate of 60 million a year) recorded today,
   sealed, then the nightly incremental check (`ledger_checks.check()`, from each chain's last verified head): s.
4. return: one hub's last full month: the ledger read of its return (`reports.ledger.month_events`, the events and
   context the figures are computed from) and the check a build runs beside it (`ledger_checks.check(hub, since=
   the month's start)`), timed apart. The figures and the PDF are not: bench/returns times them on a real month.
Then the disk: every partition's size with its indexes, the average month, bytes per event, extrapolated to 400
million events and to a year (60 million events). Each phase prints as it ends; bench/results/ledger.json is
written after each (bench.common.write_result).
"""

import argparse
import os
import sys
import time
import uuid
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mash.settings")
os.environ.setdefault("SECRET_KEY", "bench-only")
# Signs the ledger's heads and checks (audit/anchor.py, audit/ledger_checks.py): a bench-only seed.
os.environ.setdefault("AUDIT_SIGNING_KEY", "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=")
# The bench's own heads log, begun afresh with the database (--fresh).
HEADS_LOG = Path(os.environ.setdefault("AUDIT_HEADS_LOG", str(ROOT / "var" / "bench-ledger-heads.jsonl")))

from bench.audit.run import fresh_database  # noqa: E402
from bench.common import write_result  # noqa: E402

NATIONAL_PER_YEAR = 60_000_000
HUB_SEED = 42


def hubs_of(count: int) -> list[str]:
    return [str(uuid.UUID(int=HUB_SEED * 1_000_003 + i)) for i in range(count)]


def _fields(i: int, k: int, referral: str, hub: str | None, occurred: datetime) -> dict:
    """Event i, its hub's k-th, of a mix: a referral's life in ten events (received … signed off), reads of it."""
    from audit import canonical
    from audit.events.actions import AuditAction

    step = k % 10
    action, payload = AuditAction.REFERRAL_VIEWED, {"ids": [referral], "count": 1}
    if step == 0:
        action = AuditAction.REFERRAL_RECEIVED
        payload = {"received_at": occurred.isoformat(), "cohort": "child", "referring_agency_id": referral}
    elif step == 2:
        action, payload = AuditAction.REFERRAL_SCREENED, {"rating": "amber", "source": "6"}
    elif step == 3:
        action, payload = (
            AuditAction.DEADLINE_SET,
            {"kind": "rating", "due_at": (occurred + timedelta(hours=24)).isoformat()},
        )
    elif step == 4:
        action, payload = AuditAction.INFORMATION_REQUESTED, {"agency_id": referral}
    elif step == 6:
        action, payload = AuditAction.CONTRIBUTION_ADDED, {"agency_id": referral}
    elif step == 8:
        action, payload = AuditAction.DECISION_SIGNED_OFF, {"referral_id": referral, "outcome": "nfa"}
    return {
        "hub_id": hub,
        "actor_type": "user",
        "actor_id": str(i % 5000),
        "actor_agency_id": None,
        "action": action.value,
        "object_type": "referrals.referral",
        "object_id": referral,
        "payload": canonical.dumps(payload),
        "request_id": uuid.UUID(int=i).hex,
        "client_ip": "10.0.0.1",
    }


def _rows(first: int, count: int, hubs: list[str], start: datetime, end: datetime):
    from bench.ledger_rows import row

    span = (end - start).total_seconds()
    for n in range(count):
        i = first + n
        k = i // len(hubs)
        hub = None if k % 50 == 49 else hubs[i % len(hubs)]  # one in fifty of every hub's share: sign-ins
        occurred = start + timedelta(seconds=span * n / count)
        referral = str(uuid.UUID(int=(k // 10) * len(hubs) + i % len(hubs)))
        yield row(occurred, _fields(i, k, referral, hub, occurred))


def _load_month(args) -> int:
    """In a worker process: one month's events, one COPY (one transaction)."""
    month, first, count, hub_count = args
    from django.db import connection

    from audit import partitions
    from bench.ledger_rows import copy_events

    try:
        start = partitions.month_start(month)
        end = partitions.month_start(partitions.add_months(month, 1))
        return copy_events(_rows(first, count, hubs_of(hub_count), start, end))
    finally:
        connection.close()


def _month_loaded(month: date) -> bool:
    from django.db import connection

    from audit import partitions

    with connection.cursor() as cursor:
        cursor.execute(f"SELECT EXISTS (SELECT 1 FROM {partitions.partition_name(month)})")  # noqa: S608
        return cursor.fetchone()[0]


def _seal_until(expected: int, idle: float = 30) -> tuple[int, float]:
    """seal() until `expected` more events are sealed (another database's transactions can hold the horizon back
    for a moment) or nothing has come for `idle` s: (events sealed, seconds inside seal())."""
    from audit.services import seal

    sealed, seconds, idle_since = 0, 0.0, time.monotonic()
    while sealed < expected and time.monotonic() - idle_since < idle:
        began = time.perf_counter()
        n = sum(b.event_count for b in seal())
        seconds += time.perf_counter() - began
        sealed += n
        if n:
            idle_since = time.monotonic()
        else:
            time.sleep(0.2)
    return sealed, seconds


def load(args, months: list[date], results: dict) -> None:
    from concurrent.futures import ProcessPoolExecutor
    from multiprocessing import get_context

    from django.db import connections

    per_month = args.events // len(months)
    todo = [(m, i * per_month, per_month, args.hubs) for i, m in enumerate(months) if not _month_loaded(m)]
    loaded = sealed = 0
    load_seconds = seal_seconds = 0.0
    for r in range(0, len(todo), args.workers):
        batch = todo[r : r + args.workers]
        connections.close_all()
        began = time.perf_counter()
        with ProcessPoolExecutor(max_workers=len(batch), mp_context=get_context("fork")) as pool:
            n = sum(pool.map(_load_month, batch))
        load_seconds += time.perf_counter() - began
        loaded += n
        got, seconds = _seal_until(n)
        sealed, seal_seconds = sealed + got, seal_seconds + seconds
        print(
            f"load: {r + len(batch)}/{len(todo)} months, {loaded:,} events, {loaded / load_seconds:,.0f}/s; "
            f"seal {sealed / max(seal_seconds, 1e-9):,.0f}/s",
            flush=True,
        )
    got, seconds = _seal_until(1, idle=2)  # whatever a resumed run left unsealed
    sealed, seal_seconds = sealed + got, seal_seconds + seconds
    results["load"] = {
        "months_loaded_this_run": len(todo),
        "events_loaded_this_run": loaded,
        "load_events_per_second": round(loaded / load_seconds) if load_seconds else None,
        "events_sealed_this_run": sealed,
        "seal_seconds": round(seal_seconds, 2),
        "seal_events_per_second": round(sealed / seal_seconds) if seal_seconds else None,
    }


def verify_full(args, results: dict) -> None:
    from django.db import connection

    from audit import ledger_checks

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE audit_auditevent")  # as autovacuum would after a load this size
    began = time.perf_counter()
    report = ledger_checks.check(full=True, workers=args.workers)
    seconds = time.perf_counter() - began
    assert report.intact, report.summary()
    results["verify_full"] = {
        "events": report.events,
        "workers": args.workers,
        "seconds": round(seconds, 2),
        "events_per_second": round(report.events / seconds),
    }
    print(f"full verify: {report.events:,} events in {seconds:.1f} s, {report.events / seconds:,.0f}/s", flush=True)


def day(args, results: dict) -> None:
    from audit import ledger_checks
    from bench.ledger_rows import copy_events

    end = datetime.now(UTC)
    start = end - timedelta(days=1)
    first = args.events + int(time.time())  # ids of payloads apart from the months'
    began = time.perf_counter()
    n = copy_events(_rows(first, args.day_events, hubs_of(args.hubs), start, end))
    sealed, seal_seconds = _seal_until(n)
    loaded = time.perf_counter() - began - seal_seconds
    began = time.perf_counter()
    report = ledger_checks.check(workers=args.workers)
    seconds = time.perf_counter() - began
    assert report.intact, report.summary()
    results["incremental_day"] = {
        "day_events": n,
        "load_seconds": round(loaded, 2),
        "seal_seconds": round(seal_seconds, 2),
        "events_recomputed": report.events,
        "blocks_recomputed": report.recomputed,
        "blocks": report.blocks,
        "seconds": round(seconds, 2),
    }
    print(f"incremental check of a day ({n:,} events; {report.events:,} recomputed): {seconds:.1f} s", flush=True)


def hub_month(args, months: list[date], results: dict) -> None:
    from audit import ledger_checks, partitions
    from reports.ledger import month_events

    hub = SimpleNamespace(pk=uuid.UUID(hubs_of(args.hubs)[0]))
    month = months[-1]
    end = partitions.month_start(partitions.add_months(month, 1))
    timings = []
    for _ in range(3):
        began = time.perf_counter()
        loaded = month_events(hub, month, until=end)
        timings.append(time.perf_counter() - began)
    began = time.perf_counter()
    report = ledger_checks.check(hub=hub.pk, since=partitions.month_start(month), workers=1)
    check_seconds = time.perf_counter() - began
    assert report.intact, report.summary()
    results["return_hub_month"] = {
        "month": month.isoformat(),
        "month_events": len(loaded.month),
        "read_seconds_best": round(min(timings), 3),
        "read_seconds_first": round(timings[0], 3),
        "check_events": report.events,
        "check_seconds": round(check_seconds, 3),
        "timed": "reports.ledger.month_events (the return's ledger read) and the build's check of the hub's chain "
        "since the month began; not the figures or the PDF (bench/returns)",
    }
    print(
        f"return of one hub-month ({len(loaded.month):,} month events): read {min(timings):.3f} s "
        f"(first {timings[0]:.3f}); its check {report.events:,} events {check_seconds:.2f} s",
        flush=True,
    )


def disk(results: dict) -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname, pg_total_relation_size(c.oid), c.reltuples FROM pg_inherits i "
            "JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = 'audit_auditevent'::regclass"
        )
        sizes = cursor.fetchall()
        cursor.execute("SELECT count(*) FROM audit_auditevent")
        (events,) = cursor.fetchone()
        cursor.execute("SELECT pg_total_relation_size('audit_auditblock'), pg_total_relation_size('audit_ledgercheck')")
        blocks, checks = cursor.fetchone()
    total = sum(size for _, size, _ in sizes)
    months = [size for name, size, tuples in sizes if not name.endswith("_default") and tuples > 0]
    per_event = total / events if events else 0
    results["disk"] = {
        "events": events,
        "events_table_bytes": total,
        "partitions_with_events": len(months),
        "month_partition_average_bytes": round(sum(months) / len(months)) if months else 0,
        "bytes_per_event": round(per_event, 1),
        "blocks_and_checks_bytes": blocks + checks,
        "extrapolated_400m_events_gb": round(per_event * 400_000_000 / 1e9, 1),
        "extrapolated_per_year_gb": round(per_event * NATIONAL_PER_YEAR / 1e9, 1),
    }
    print(
        f"disk: {total / 1e9:.2f} GB for {events:,} events ({per_event:.0f} B/event with indexes), month average "
        f"{results['disk']['month_partition_average_bytes'] / 1e6:.0f} MB; 400M events "
        f"{results['disk']['extrapolated_400m_events_gb']} GB; a year (60M) {results['disk']['extrapolated_per_year_gb']} GB",
        flush=True,
    )


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=50_000_000)
    parser.add_argument("--hubs", type=int, default=150)
    parser.add_argument("--months", type=int, default=84)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 2)
    parser.add_argument("--day-events", type=int, default=NATIONAL_PER_YEAR // 365)
    parser.add_argument("--fresh", action="store_true", help="drop and create the database first")
    parser.add_argument("--phases", default="load,verify,day,return")
    args = parser.parse_args()
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        sys.exit("set DATABASE_URL to a PostgreSQL database the benchmark may drop and create")
    if args.fresh:
        HEADS_LOG.unlink(missing_ok=True)
        fresh_database(url)
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from django.db import connection

    from audit import partitions

    this_month = partitions.month_of(datetime.now(UTC))
    months = [partitions.add_months(this_month, n - args.months) for n in range(args.months)]
    with connection.cursor() as cursor:
        partitions.ensure_months(cursor, months[0], partitions.add_months(this_month, 3))
    phases = args.phases.split(",")
    results = {"date": datetime.now(UTC).date().isoformat(), "events": args.events, "hubs": args.hubs,
               "months": args.months, "phases": phases}  # fmt: skip
    steps = {"load": lambda: load(args, months, results), "verify": lambda: verify_full(args, results),
             "day": lambda: day(args, results), "return": lambda: hub_month(args, months, results)}  # fmt: skip
    for phase in phases:
        steps[phase]()
        write_result("ledger", results)
    disk(results)
    print(f"written: {write_result('ledger', results)}")


if __name__ == "__main__":
    main()
