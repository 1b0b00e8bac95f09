"""Referral intake under wrk: the service's `POST /api/v1/referrals/` beside a standalone naive DRF project.

    .venv/bin/python bench/intake/wrk.py [--seconds 10] [--rounds 2] [--levels 1,4,16]

Creates two databases afresh on the local PostgreSQL: mash_bench_intake_wrk for the service (migrated, with the bench
hub and its police API client, as bench/intake/run.py) and mash_bench_naive for the naive project in
bench/intake/naive/ (no middleware, token authentication, a ModelSerializer with nested persons, one audit row and
three guardian permission rows per referral; it imports nothing of the service). Starts both under gunicorn with the
same flags and workers on two ports, warms both up, then loads each with Debian's wrk and bench/intake/referral.lua
(a new child, NHS number, postcode and Idempotency-Key per request) at each concurrency level, alternating which
endpoint goes first, round by round. After every run it counts the rows written: a run with any non-2xx answer, any
socket error, or rows that do not match the 2xx count fails the benchmark (after the results are written). Reports
requests/s and p50/p90/p99 per endpoint, level and round, and the ratio service / naive, to stdout and
bench/results/intake-wrk.json. Only 127.0.0.1 is contacted.
"""

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from contextlib import ExitStack
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from bench.common import PY, ROOT, bench_hub, bench_pg_port, environment, fresh_database, gunicorn, token, write_result  # noqa: E402

SERVICE_DB, NAIVE_DB = "mash_bench_intake_wrk", "mash_bench_naive"
LUA = str(Path(__file__).with_name("referral.lua"))

SUBJECT = {"given_name": "@GIVEN@", "family_name": "@FAMILY@", "nhs_number": "@NHS@", "postcode": "@POSTCODE@"}


def service_body() -> str:
    """The service's documented example referral, its subject's names, NHS number and postcode left for wrk."""
    from referrals.serializers import EXAMPLE_REFERRAL

    return json.dumps({**EXAMPLE_REFERRAL, "subject": {**EXAMPLE_REFERRAL["subject"], **SUBJECT}})


def naive_body() -> str:
    """The same referral in the naive project's flat shape: referrer fields, and the persons in one list."""
    from referrals.serializers import EXAMPLE_REFERRAL

    example = {**EXAMPLE_REFERRAL}
    referrer, subject, others = example.pop("referrer"), example.pop("subject"), example.pop("others")
    subject = {key: value for key, value in subject.items() if key not in SUBJECT}
    return json.dumps({
        "cohort": "child",
        **example,
        **{f"referrer_{key}": value for key, value in referrer.items()},
        "persons": [{"role": "subject", **subject, **SUBJECT}, *others],
    })  # fmt: skip


def free_port() -> int:
    """A port nothing listens on now (other benchmarks may hold fixed ones: /healthz must be answered by ours)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def naive_environment() -> dict:
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "bench.intake.naive.settings",
        "NAIVE_DB": NAIVE_DB,
        "SECRET_KEY": "bench-only",
        "PYTHONPATH": str(ROOT),
    }


def naive_database(env: dict) -> str:
    """Drop, create and migrate the naive project's database; its agency user's token."""
    import psycopg

    with psycopg.connect(
        f"dbname=postgres user=postgres host=127.0.0.1 port={bench_pg_port()}", autocommit=True
    ) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{NAIVE_DB}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{NAIVE_DB}"')
    out = subprocess.run([PY, "-m", "bench.intake.naive.prepare"], cwd=ROOT, env=env, check=True,
                         capture_output=True, text=True)  # fmt: skip
    return out.stdout.split()[-1]


# What each database holds per referral taken: (table, rows per referral). The first is the referral itself.
ROWS = {
    "service": [("referrals_referral", 1), ("referrals_person", 2)],
    "naive": [("naive_referral", 1), ("naive_person", 2), ("naive_auditrow", 1), ("guardian_groupobjectpermission", 3)],
}


def counts(db: str, endpoint: str) -> dict[str, int]:
    import psycopg

    with psycopg.connect(f"dbname={db} user=postgres host=127.0.0.1 port={bench_pg_port()}") as conn:
        return {table: conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0] for table, _ in ROWS[endpoint]}  # noqa: S608


class Endpoint:
    def __init__(self, name: str, port: int, path: str, db: str, auth: str, body: str):
        self.name, self.url, self.db, self.auth, self.body = name, f"http://127.0.0.1:{port}{path}", db, auth, body


RUN = iter(range(1, 100))  # BENCH_RUN: keeps NHS numbers and keys of one database's runs apart (0 is the warm-up)


def load(endpoint: Endpoint, concurrency: int, seconds: int, threads: int, run: int | None = None) -> dict:
    """One wrk run; its figures with the rows it wrote, and `problems` listing what went wrong."""
    before = counts(endpoint.db, endpoint.name)
    env = {**os.environ, "BENCH_AUTH": endpoint.auth, "BENCH_BODY": endpoint.body,
           "BENCH_RUN": str(next(RUN) if run is None else run)}  # fmt: skip
    command = ["wrk", f"-t{min(threads, concurrency)}", f"-c{concurrency}", f"-d{seconds}s", "--timeout", "10s",
               "--latency", "-s", LUA, endpoint.url]  # fmt: skip
    out = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    line = next((x for x in out.stdout.splitlines() if x.startswith("BENCH_JSON ")), None)
    if out.returncode != 0 or line is None:
        raise RuntimeError(f"wrk failed ({out.returncode}): {out.stdout}\n{out.stderr}")
    figures = json.loads(line.removeprefix("BENCH_JSON "))
    time.sleep(1)  # requests still in flight when wrk stopped finish on the server
    after = counts(endpoint.db, endpoint.name)
    written = {table: after[table] - before[table] for table in after}
    referrals = written[ROWS[endpoint.name][0][0]]
    problems = []
    if figures["non2xx"] or figures["ok"] != figures["requests"]:
        problems.append(f"{figures['non2xx']} non-2xx answers of {figures['requests']}: {out.stderr.strip()[:600]}")
    failures = {k: figures[k] for k in ("connect_errors", "read_errors", "write_errors", "timeouts") if figures[k]}
    if failures:
        problems.append(f"socket errors {failures}")
    # wrk stops at the deadline with a request in flight on most connections: the server still writes it, but no
    # answer is counted. So every 2xx answer has its referral, and no referral was written that was not sent.
    in_flight = figures["sent"] - figures["requests"]
    if not figures["ok"] <= referrals <= figures["ok"] + in_flight:
        problems.append(f"{referrals} referrals written for {figures['ok']} 2xx answers and {in_flight} in flight")
    for table, per in ROWS[endpoint.name][1:]:
        if written[table] != per * referrals:
            problems.append(f"{written[table]} rows in {table} for {referrals} referrals (expected {per} each)")
    return {**figures, "in_flight": in_flight, "written": written, "problems": problems}


def show(level: int, rnd: int, name: str, r: dict) -> str:
    flag = "  FAILED: " + "; ".join(r["problems"]) if r["problems"] else ""
    return (f"round {rnd} c={level:>2} {name:<7} {r['rps']:>7.1f} rps  p50 {r['p50_ms']:>6.1f}  p90 {r['p90_ms']:>6.1f}"
            f"  p99 {r['p99_ms']:>6.1f} ms  2xx {r['ok']:>5}  non-2xx {r['non2xx']}{flag}")  # fmt: skip


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=int, default=10, help="per endpoint, level and round")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--levels", default="1,4,16")
    parser.add_argument("--threads", type=int, default=2, help="wrk threads")
    parser.add_argument("--workers", type=int, default=3, help="gunicorn workers, for both")
    args = parser.parse_args()
    levels = [int(x) for x in args.levels.split(",")]

    service_env = environment(SERVICE_DB, redis="127.0.0.1:6379/12")
    os.environ.update(service_env)
    import django

    django.setup()
    fresh_database(SERVICE_DB, service_env)
    hub = bench_hub(service_env)
    naive_env = naive_environment()
    naive_token = naive_database(naive_env)
    logs = Path(tempfile.mkdtemp(prefix="mash-bench-wrk-"))
    print(f"gunicorn logs in {logs}", flush=True)

    rounds, failed = [], []
    service_port, naive_port = free_port(), free_port()
    with ExitStack() as stack:
        service_log = stack.enter_context(open(logs / "service.log", "ab"))  # noqa: SIM115
        naive_log = stack.enter_context(open(logs / "naive.log", "ab"))  # noqa: SIM115
        stack.enter_context(gunicorn(service_env, service_port, args.workers, service_log))
        stack.enter_context(
            gunicorn(naive_env, naive_port, args.workers, naive_log, app="bench.intake.naive.wsgi:application")
        )
        bearer = token(service_port, hub["client_id"], hub["secret"])
        endpoints = [
            Endpoint("service", service_port, "/api/v1/referrals/", SERVICE_DB, f"Bearer {bearer}", service_body()),
            Endpoint("naive", naive_port, "/api/referrals/", NAIVE_DB, f"Token {naive_token}", naive_body()),
        ]
        for endpoint in endpoints:  # warm up: every worker's connections, imports and caches
            warm = load(endpoint, 4, 3, args.threads, run=0)
            print(show(4, 0, endpoint.name, warm) + "  (warm-up)", flush=True)
            failed += [f"warm-up {endpoint.name}: {p}" for p in warm["problems"]]
        for rnd in range(1, args.rounds + 1):
            result = {}
            for i, level in enumerate(levels):
                order = endpoints if (rnd + i) % 2 else endpoints[::-1]
                result[level] = {e.name: load(e, level, args.seconds, args.threads) for e in order}
                for e in order:
                    print(show(level, rnd, e.name, result[level][e.name]), flush=True)
                    failed += [f"round {rnd} c={level} {e.name}: {p}" for p in result[level][e.name]["problems"]]
                s, n = result[level]["service"], result[level]["naive"]
                result[level]["ratio"] = round(s["rps"] / n["rps"], 2) if n["rps"] else None
                print(f"round {rnd} c={level:>2} ratio {result[level]['ratio']}x", flush=True)
            rounds.append(result)

    summary = {}
    for level in levels:
        runs = [r[level] for r in rounds]
        summary[level] = {
            "service_rps": round(statistics.median(r["service"]["rps"] for r in runs), 1),
            "naive_rps": round(statistics.median(r["naive"]["rps"] for r in runs), 1),
            "ratio": round(statistics.median(r["ratio"] for r in runs if r["ratio"]), 2),
            "service_p99_ms_max": max(r["service"]["p99_ms"] for r in runs),
            "naive_p99_ms_max": max(r["naive"]["p99_ms"] for r in runs),
        }
        print(f"c={level:>2} median over {len(runs)} rounds: service {summary[level]['service_rps']} rps, naive "
              f"{summary[level]['naive_rps']} rps, ratio {summary[level]['ratio']}x; worst p99 service "
              f"{summary[level]['service_p99_ms_max']} ms, naive {summary[level]['naive_p99_ms_max']} ms")  # fmt: skip
    path = write_result("intake-wrk", {
        "date": datetime.now(UTC).date().isoformat(), "seconds": args.seconds, "workers": args.workers,
        "wrk_threads": args.threads, "load_average": os.getloadavg(), "rounds": rounds, "summary": summary,
        "failed": failed,
    })  # fmt: skip
    print(f"written to {path}")
    if failed:
        print("\nBENCHMARK FAILED: " + str(len(failed)) + " run(s) with errors or lost rows:", file=sys.stderr)
        for problem in failed:
            print("  " + problem, file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
