"""Benchmark of referral intake: `POST /api/v1/referrals/` against a naive reference endpoint writing the same rows.

    .venv/bin/python bench/intake/run.py [--requests 400]

Creates the database mash_bench_intake afresh on the local PostgreSQL, starts gunicorn (3 workers) with the service's
settings plus the reference route, and sends referrals from this process at concurrency 1, 4 and 16 (threads,
keep-alive connections), alternating the two endpoints level by level. Each referral is of a new child (its own
name and NHS number), so subject matching searches as it would for most real referrals. Reports requests per second and p50/p99
latency per endpoint and level, to stdout and bench/results/intake.json. Only 127.0.0.1 is contacted.
"""

import argparse
import http.client
import json
import os
import statistics
import sys
import threading
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from bench.common import bench_hub, environment, fresh_database, gunicorn, percentile, token, write_result  # noqa: E402

PORT = 8931
DB = "mash_bench_intake"
ENV = environment(DB, settings="bench.intake.settings")


SERVICE_BODY = None
REFERENCE_BODY = {
    "cohort": "child",
    "source_code": "6",
    "concerns": ["neglect"],
    "narrative": "Bench referral.",
    "consent": "not_obtained",
    "consent_reason": "Bench.",
    "referrer_name": "PC Bench",
    "referrer_contact": "bench@police.example",
    "persons": [
        {"role": "subject", "given_name": "Alex", "family_name": "Example", "date_of_birth": "2018-05-04",
         "nhs_number": "9434765919", "postcode": "SW1A 1AA"},
        {"role": "parent_carer", "given_name": "Sam", "family_name": "Example"},
    ],
}  # fmt: skip


COUNTER = iter(range(10**8))
COUNTER_LOCK = threading.Lock()


def varied(body: dict, subject_key: str) -> str:
    """The body with a subject of its own (name and NHS number), as most real referrals are of someone new."""
    from referrals.dataset import nhs_check_digit

    while True:
        with COUNTER_LOCK:
            n = next(COUNTER)
        first_nine = f"{400000000 + n:09d}"
        if (check := nhs_check_digit(first_nine)) is not None:
            break
    body = json.loads(json.dumps(body))
    subject = body["subject"] if subject_key == "subject" else body["persons"][0]
    subject.update(given_name=f"Child{n}", family_name=f"Family{n % 997}", nhs_number=first_nine + check)
    return json.dumps(body)


def level(path: str, body: dict, bearer: str, concurrency: int, total: int) -> dict:
    latencies: list[float] = []
    errors = 0
    lock = threading.Lock()
    per_thread = total // concurrency

    def worker():
        nonlocal errors
        conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=30)
        subject_key = "subject" if "subject" in body else "persons"
        for _ in range(per_thread):
            payload = varied(body, subject_key)
            headers = {
                "Authorization": f"Bearer {bearer}",
                "Content-Type": "application/json",
                "Idempotency-Key": str(uuid.uuid4()),
            }
            began = time.perf_counter()
            conn.request("POST", path, payload, headers)
            response = conn.getresponse()
            response.read()
            elapsed = time.perf_counter() - began
            with lock:
                latencies.append(elapsed)
                if response.status != 201:
                    errors += 1

    threads = [threading.Thread(target=worker) for _ in range(concurrency)]
    began = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - began
    latencies.sort()
    return {
        "requests": len(latencies),
        "errors": errors,
        "rps": round(len(latencies) / wall, 1),
        "p50_ms": round(statistics.median(latencies) * 1000, 1),
        "p99_ms": percentile(latencies, 0.99),
    }


def main():
    global SERVICE_BODY
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=400, help="per endpoint and level")
    args = parser.parse_args()
    os.environ.update(ENV)
    import django

    django.setup()
    from referrals.serializers import EXAMPLE_REFERRAL

    SERVICE_BODY = EXAMPLE_REFERRAL
    fresh_database(DB, ENV)
    hub = bench_hub(ENV)
    results = {}
    with gunicorn(ENV, PORT):
        bearer = token(PORT, hub["client_id"], hub["secret"])
        level("/api/v1/referrals/", SERVICE_BODY, bearer, 4, 40)  # warm up both
        level("/bench/reference/referrals/", REFERENCE_BODY, bearer, 4, 40)
        for concurrency in (1, 4, 16):
            results[concurrency] = {
                "service": level("/api/v1/referrals/", SERVICE_BODY, bearer, concurrency, args.requests),
                "reference": level("/bench/reference/referrals/", REFERENCE_BODY, bearer, concurrency, args.requests),
            }
            s, r = results[concurrency]["service"], results[concurrency]["reference"]
            print(f"c={concurrency:>2}  service {s['rps']:>6} rps p50 {s['p50_ms']:>6} ms p99 {s['p99_ms']:>6} ms "
                  f"errors {s['errors']} | reference {r['rps']:>6} rps p50 {r['p50_ms']:>6} ms p99 {r['p99_ms']:>6} ms "
                  f"errors {r['errors']} | ratio {s['rps'] / r['rps']:.2f}x", flush=True)  # fmt: skip
    write_result("intake", {"date": datetime.now(UTC).date().isoformat(), "levels": results})


if __name__ == "__main__":
    main()
