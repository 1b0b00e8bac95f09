"""Benchmark of the agency list endpoint `GET /api/v1/referrals/` with 1M referrals in the database.

    .venv/bin/python bench/intake/list.py [--referrals 1000000] [--requests 500]

Creates mash_bench_list afresh, loads the referrals (about a third the bench police's own), starts gunicorn and reads
the police's referrals one request at a time, as an agency system polling for status would,
following the `next` cursor page after page (the 500th page lies 25,000 referrals deep). Reports p50/p95/p99 to stdout and bench/results/intake-list.json.
"""

import argparse
import http.client
import json
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from bench.common import bench_hub, environment, fresh_database, gunicorn, percentile, token, write_result  # noqa: E402
from bench.data import load_referrals  # noqa: E402

DB = "mash_bench_list"
PORT = 8932


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--referrals", type=int, default=1_000_000)
    parser.add_argument("--requests", type=int, default=500)
    args = parser.parse_args()
    env = environment(DB)
    fresh_database(DB, env)
    hub = bench_hub(env)
    loaded = load_referrals(
        DB, hub=hub["hub"], police=hub["police"], school=hub["school"], total=args.referrals, open_count=20_000
    )
    print(f"loaded {args.referrals} referrals in {loaded:.1f} s", flush=True)
    with gunicorn(env, PORT, workers=2):
        bearer = token(PORT, hub["client_id"], hub["secret"])
        conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=30)
        headers = {"Authorization": f"Bearer {bearer}"}
        latencies: list[float] = []
        url = "/api/v1/referrals/"
        for _ in range(args.requests):
            began = time.perf_counter()
            conn.request("GET", url, headers=headers)
            response = conn.getresponse()
            page = json.loads(response.read())
            latencies.append(time.perf_counter() - began)
            assert response.status == 200, response.status
            url = page["next"].split("127.0.0.1", 1)[-1].split(f":{PORT}", 1)[-1]
    latencies.sort()
    report = {
        "date": datetime.now(UTC).date().isoformat(),
        "referrals": args.referrals,
        "requests": len(latencies),
        "p50_ms": percentile(latencies, 0.50),
        "p95_ms": percentile(latencies, 0.95),
        "p99_ms": percentile(latencies, 0.99),
    }
    print(json.dumps(report), flush=True)
    write_result("intake-list", report)


if __name__ == "__main__":
    main()
