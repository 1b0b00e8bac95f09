"""Benchmark of referral intake: `POST /api/v1/referrals/` against a naive reference endpoint writing the same rows.

    .venv/bin/python bench/intake/run.py [--requests 400]

Creates the database mash_bench_intake afresh on the local PostgreSQL, starts gunicorn (3 workers) with the service's
settings plus the reference route, and sends referrals from this process at concurrency 1, 4 and 16 (threads,
keep-alive connections), alternating the two endpoints level by level. Reports requests per second and p50/p99
latency per endpoint and level, to stdout and bench/results/intake.json. Only 127.0.0.1 is contacted.
"""

import argparse
import base64
import http.client
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PORT = 8931
DB = "mash_bench_intake"
ENV = {
    **os.environ,
    "DJANGO_SETTINGS_MODULE": "bench.intake.settings",
    "SECRET_KEY": "bench-only",
    "DEBUG": "false",
    "ALLOWED_HOSTS": "127.0.0.1",
    "DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/{DB}",
    "REDIS_URL": "redis://127.0.0.1:6379/13",
    "API_THROTTLE_RATE": "1000000/min",
    "MASH_VAR_DIR": tempfile.mkdtemp(prefix="mash-bench-intake-"),
    "PYTHONPATH": str(ROOT),
}
PY = str(ROOT / ".venv" / "bin" / "python")


def setup() -> tuple[str, str]:
    import psycopg

    with psycopg.connect("dbname=postgres user=postgres host=127.0.0.1", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{DB}"')
        conn.execute(f'CREATE DATABASE "{DB}"')
    subprocess.run([PY, "manage.py", "migrate", "-v0"], cwd=ROOT, env=ENV, check=True)
    script = (
        "import django; django.setup()\n"
        "from agencies import services\n"
        "hub = services.hub_create(name='Bench hub', slug='bench', working_days=[0,1,2,3,4])\n"
        "agency = services.agency_create(name='Bench police', slug='police', kind='police', source_codes=['6'])\n"
        "services.membership_set(hub=hub, agency=agency, kind='core')\n"
        "_, cid, secret = services.api_client_create(hub=hub, agency=agency, name='bench')\n"
        "print(cid, secret)\n"
    )
    out = subprocess.run([PY, "-c", script], cwd=ROOT, env=ENV, check=True, capture_output=True, text=True)
    client_id, secret = out.stdout.split()[-2:]
    return client_id, secret


def token(client_id: str, secret: str) -> str:
    conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=10)
    basic = base64.b64encode(f"{client_id}:{secret}".encode()).decode()
    conn.request(
        "POST",
        "/api/v1/oauth/token/",
        "grant_type=client_credentials",
        {"Authorization": f"Basic {basic}", "Content-Type": "application/x-www-form-urlencoded"},
    )
    return json.loads(conn.getresponse().read())["access_token"]


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


def level(path: str, body: dict, bearer: str, concurrency: int, total: int) -> dict:
    latencies: list[float] = []
    errors = 0
    lock = threading.Lock()
    per_thread = total // concurrency

    def worker():
        nonlocal errors
        conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=30)
        payload = json.dumps(body)
        for _ in range(per_thread):
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
        "p99_ms": round(latencies[int(len(latencies) * 0.99) - 1] * 1000, 1),
    }


def main():
    global SERVICE_BODY
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=400, help="per endpoint and level")
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    from referrals.serializers import EXAMPLE_REFERRAL

    SERVICE_BODY = EXAMPLE_REFERRAL
    client_id, secret = setup()
    server = subprocess.Popen(
        [str(ROOT / ".venv" / "bin" / "gunicorn"), "mash.wsgi:application", "--bind", f"127.0.0.1:{PORT}",
         "--workers", "3", "--log-level", "warning"],
        cwd=ROOT, env=ENV,
    )  # fmt: skip
    try:
        for _ in range(100):
            try:
                http.client.HTTPConnection("127.0.0.1", PORT, timeout=1).request("GET", "/healthz")
                break
            except OSError:
                time.sleep(0.2)
        bearer = token(client_id, secret)
        level("/api/v1/referrals/", SERVICE_BODY, bearer, 4, 40)  # warm up both
        level("/bench/reference/referrals/", REFERENCE_BODY, bearer, 4, 40)
        results = {}
        for concurrency in (1, 4, 16):
            results[concurrency] = {
                "service": level("/api/v1/referrals/", SERVICE_BODY, bearer, concurrency, args.requests),
                "reference": level("/bench/reference/referrals/", REFERENCE_BODY, bearer, concurrency, args.requests),
            }
            s, r = results[concurrency]["service"], results[concurrency]["reference"]
            print(f"c={concurrency:>2}  service {s['rps']:>6} rps p50 {s['p50_ms']:>6} ms p99 {s['p99_ms']:>6} ms "
                  f"errors {s['errors']} | reference {r['rps']:>6} rps p50 {r['p50_ms']:>6} ms p99 {r['p99_ms']:>6} ms "
                  f"errors {r['errors']} | ratio {s['rps'] / r['rps']:.2f}x", flush=True)  # fmt: skip
    finally:
        server.terminate()
        server.wait(timeout=20)
    out = ROOT / "bench" / "results"
    out.mkdir(parents=True, exist_ok=True)
    report = {"date": datetime.now(UTC).date().isoformat(), "levels": results}
    (out / "intake.json").write_text(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
