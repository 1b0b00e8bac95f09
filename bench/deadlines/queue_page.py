"""Benchmark of the triage queue page `GET /hubs/<id>/queue/` with 1M referrals of which 20,000 are open.

    .venv/bin/python bench/deadlines/queue_page.py [--referrals 1000000] [--open 20000] [--requests 300]

Creates mash_bench_queue afresh and loads the referrals (bench/data.py): the hub's staff see them all by the one
policy (agencies/policy.py), with no row per referral to grant. Starts gunicorn, signs in as the practitioner through the login form and reads
the queue as a practitioner would: the first page unfiltered, then filtered by rating, by cohort, "mine", and
the tenth page, in turn. Reports p50/p95/p99 to stdout and bench/results/deadlines-queue.json.
"""

import argparse
import http.client
import json
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from bench.common import (
    bench_hub,
    collect_static,
    environment,
    fresh_database,
    gunicorn,
    percentile,
    session_login,
    write_result,
)  # noqa: E402
from bench.data import load_referrals  # noqa: E402

DB = "mash_bench_queue"
PORT = 8933
VIEWS = ("", "?rating=red", "?cohort=adult", "?mine=on", "?page=10", "?partial=1")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--referrals", type=int, default=1_000_000)
    parser.add_argument("--open", type=int, default=20_000)
    parser.add_argument("--requests", type=int, default=300)
    args = parser.parse_args()
    env = environment(DB)
    fresh_database(DB, env)
    collect_static(env)
    hub = bench_hub(env)
    loaded = load_referrals(
        DB, hub=hub["hub"], police=hub["police"], school=hub["school"], total=args.referrals, open_count=args.open
    )
    print(f"loaded {args.referrals} referrals in {loaded:.1f} s", flush=True)
    latencies: list[float] = []
    by_view: dict[str, list[float]] = {view: [] for view in VIEWS}
    with gunicorn(env, PORT, workers=2):
        cookie = session_login(PORT, "bench-practitioner", "bench-password-1234")
        conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=30)
        base = f"/hubs/{hub['hub']}/queue/"
        for i in range(args.requests):
            view = VIEWS[i % len(VIEWS)]
            began = time.perf_counter()
            conn.request("GET", base + view, headers={"Cookie": cookie})
            response = conn.getresponse()
            body = response.read()
            elapsed = time.perf_counter() - began
            assert response.status == 200, (response.status, view)
            assert b"BENCH-" in body or view == "?mine=on", f"no referral on the queue page {view!r}"
            latencies.append(elapsed)
            by_view[view].append(elapsed)
    latencies.sort()
    report = {
        "date": datetime.now(UTC).date().isoformat(),
        "referrals": args.referrals,
        "open": args.open,
        "requests": len(latencies),
        "p50_ms": percentile(latencies, 0.50),
        "p95_ms": percentile(latencies, 0.95),
        "p99_ms": percentile(latencies, 0.99),
        "p95_ms_by_view": {view or "first page": percentile(sorted(v), 0.95) for view, v in by_view.items()},
    }
    print(json.dumps(report), flush=True)
    write_result("deadlines-queue", report)


if __name__ == "__main__":
    main()
