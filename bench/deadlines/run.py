"""Benchmark of the deadline sweep: 100,000 open deadlines falling due over 100 seconds.

    .venv/bin/python bench/deadlines/run.py [--deadlines 100000] [--spread 100]

Creates mash_bench_deadlines afresh, loads one referral per deadline and the deadlines (due from 20 s after the load
ends, evenly over `spread` seconds, already past their warning), then runs the sweep every second in this process,
as the beat and a worker would (without the broker hop), until every deadline is breached. Reports the lateness of
each breach (recorded time minus due time: p50, p99, max) and the sweeps' durations, to stdout and
bench/results/deadlines.json. Each breach writes its audit event, outbox notice and the manager's notification.
"""

import argparse
import json
import os
import statistics
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from bench.common import bench_hub, bench_pg_port, environment, fresh_database, percentile, write_result  # noqa: E402
from bench.data import load_referrals  # noqa: E402

DB = "mash_bench_deadlines"
DEADLINES = """
INSERT INTO referrals_deadline (id, hub_id, referral_id, kind, rating, starts_at, warn_at, due_at, state, warned_at)
SELECT gen_random_uuid(), hub_id, id, 'rating', 'red', received_at, now(),
       %(start)s::timestamptz + make_interval(secs => %(spread)s * (row_number() OVER (ORDER BY id)) / %(n)s),
       'open', now()
FROM referrals_referral
"""


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--deadlines", type=int, default=100_000)
    parser.add_argument("--spread", type=float, default=100.0)
    args = parser.parse_args()
    env = environment(DB)
    fresh_database(DB, env)
    hub = bench_hub(env)
    load_referrals(DB, hub=hub["hub"], police=hub["police"], school=hub["school"], total=args.deadlines,
                   open_count=args.deadlines)  # fmt: skip
    import psycopg

    start = datetime.now(UTC).timestamp() + 20
    with psycopg.connect(f"dbname={DB} user=postgres host=127.0.0.1 port={bench_pg_port()}", autocommit=True) as conn:
        conn.execute(
            DEADLINES, {"start": datetime.fromtimestamp(start, UTC), "spread": args.spread, "n": args.deadlines}
        )
        conn.execute("ANALYZE referrals_deadline")
    os.environ.update(env)
    import django

    django.setup()
    from referrals.deadlines import deadlines_sweep
    from referrals.models import Deadline

    durations = []
    while time.time() < start + args.spread + 5:
        tick = time.time()
        deadlines_sweep()
        durations.append(time.time() - tick)
        time.sleep(max(0.0, 1 - (time.time() - tick)))
    rows = Deadline.objects.values_list("due_at", "closed_at", "state")
    lateness = sorted((closed - due).total_seconds() for due, closed, state in rows if state == "breached")
    assert len(lateness) == args.deadlines, f"{len(lateness)} of {args.deadlines} breached"
    durations.sort()
    report = {
        "date": datetime.now(UTC).date().isoformat(),
        "deadlines": args.deadlines,
        "spread_s": args.spread,
        "lateness_p50_s": round(statistics.median(lateness), 3),
        "lateness_p99_s": round(lateness[int(len(lateness) * 0.99) - 1], 3),
        "lateness_max_s": round(lateness[-1], 3),
        "sweeps": len(durations),
        "sweep_p50_ms": percentile(durations, 0.5),
        "sweep_max_ms": percentile(durations, 1.0),
    }
    print(json.dumps(report), flush=True)
    write_result("deadlines", report)


if __name__ == "__main__":
    main()
