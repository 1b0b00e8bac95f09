"""Load benchmark: a mixed scenario at rising rates against gunicorn + PostgreSQL + Redis + a Celery worker + beat.

    .venv/bin/python bench/load/run.py [--rates 10,20,40,50,60,80] [--seconds 20] [--referrals 50000]

Creates mash_bench_load afresh (the bench hub, `--referrals` referrals of which 2,000 open, VIEW grants), starts
gunicorn (3 workers), a Celery worker (2 processes) and beat, all on the local PostgreSQL and Redis, and signs a
practitioner in through the login form. Then, for each rate, sends requests for `--seconds` on an open-loop schedule
(64 client threads; each latency counts from the moment the request was due, so a server that falls behind shows
it). The mix:

- 30 % agency intake: `POST /api/v1/referrals/` (police API client, a new child each time, Idempotency-Key);
- 20 % agency list: `GET /api/v1/referrals/?page_size=50`;
- 25 % triage queue: `GET /hubs/<id>/queue/` as the practitioner;
- 25 % referral page: `GET /hubs/<id>/referrals/<id>/` of an open referral, as the practitioner.

Reports per rate and step: requests, errors (any status other than the expected one, or no answer), p50/p95/p99,
the rate achieved, and the CPU each part used (gunicorn, PostgreSQL, worker + beat, this generator) from /proc, to
stdout and bench/results/load.json. Saturation: the first rate whose achieved rate falls below 95 % of the target
or whose p99 passes 1 s. Only 127.0.0.1 is contacted.

Not yet in the mix (next session): agencies' contributions and the manager's sign-off (a web POST behind the
two-factor step).
"""

import argparse
import http.client
import json
import os
import queue
import random
import subprocess
import sys
import threading
import time
import uuid
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from bench.common import (  # noqa: E402
    ROOT,
    bench_hub,
    collect_static,
    environment,
    fresh_database,
    gunicorn,
    percentile,
    session_login,
    token,
    write_result,
)
from bench.data import grant_hub_view, load_referrals  # noqa: E402

PORT = 8941
DB = "mash_bench_load"
THREADS = 64
MIX = [("intake", 30), ("agency_list", 20), ("queue", 25), ("referral_page", 25)]
EXPECTED = {"intake": 201, "agency_list": 200, "queue": 200, "referral_page": 200}
CELERY = str(ROOT / ".venv" / "bin" / "celery")


def referral_body(n: int) -> str:
    return json.dumps(
        {
            "referrer": {"name": "PC Load", "role": "Response officer", "contact": "load@police.example"},
            "source_code": "6",
            "concerns": ["neglect"],
            "narrative": "Load test referral.",
            "immediate_risk": False,
            "consent": "not_obtained",
            "consent_reason": "Load test.",
            "subject": {"given_name": f"Load{n}", "family_name": f"Child{n % 9973}", "date_of_birth": "2017-03-02"},
        }
    )


class Parts:
    """The process ids of each part, for CPU accounting from /proc."""

    def __init__(self, workers: list[subprocess.Popen]):
        self.workers = workers

    @staticmethod
    def _children(pid: int) -> list[int]:
        out = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True).stdout.split()
        return [int(p) for p in out]

    def pids(self) -> dict[str, list[int]]:
        gunicorn_master = [
            int(p)
            for p in subprocess.run(["pgrep", "-f", f"127.0.0.1:{PORT}"], capture_output=True, text=True).stdout.split()
        ]
        web = gunicorn_master + [c for p in gunicorn_master for c in self._children(p)]
        celery = [w.pid for w in self.workers] + [c for w in self.workers for c in self._children(w.pid)]
        postgres = [
            int(p) for p in subprocess.run(["pgrep", "-u", "postgres"], capture_output=True, text=True).stdout.split()
        ]
        # A process counted once (the workers' command lines name the address as the master's does).
        return {
            "gunicorn": sorted(set(web)),
            "postgres": sorted(set(postgres)),
            "celery": sorted(set(celery)),
            "generator": [os.getpid()],
        }

    @staticmethod
    def cpu_seconds(pids: list[int]) -> float:
        total = 0
        for pid in pids:
            try:
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
                total += int(fields[11]) + int(fields[12])  # utime + stime in clock ticks
            except (FileNotFoundError, IndexError, ProcessLookupError):
                continue
        return total / os.sysconf("SC_CLK_TCK")


@contextmanager
def celery(env: dict):
    log = open(Path(env["MASH_VAR_DIR"]) / "celery.log", "ab")  # noqa: SIM115 - closed below
    worker = subprocess.Popen([CELERY, "-A", "mash", "worker", "--concurrency=2", "-l", "WARNING"], cwd=ROOT, env=env,
                              stdout=log, stderr=subprocess.STDOUT)  # fmt: skip
    beat = subprocess.Popen([CELERY, "-A", "mash", "beat", "-l", "WARNING", "-s", str(Path(env["MASH_VAR_DIR"]) / "beat")],
                            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)  # fmt: skip
    try:
        time.sleep(3)
        yield [worker, beat]
    finally:
        for process in (worker, beat):
            process.terminate()
        for process in (worker, beat):
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
        log.close()


def run_rate(rate: float, seconds: float, plan: dict) -> dict:
    """Send `rate` requests per second for `seconds` on an open-loop schedule; returns the latencies by step."""
    due: queue.Queue = queue.Queue()
    results: list[tuple[str, float, bool]] = []
    lock = threading.Lock()
    rng = random.Random(int(rate))  # noqa: S311 - a reproducible mix, not a secret
    steps = [name for name, weight in MIX for _ in range(weight)]

    def client():
        conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=30)
        while (item := due.get()) is not None:
            step, at = item
            method, path, body, headers = plan[step]()
            ok = False
            try:
                conn.request(method, path, body, headers)
                response = conn.getresponse()
                response.read()
                ok = response.status == EXPECTED[step]
            except (OSError, http.client.HTTPException):
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=30)
            with lock:
                results.append((step, time.perf_counter() - at, ok))

    threads = [threading.Thread(target=client, daemon=True) for _ in range(THREADS)]
    for thread in threads:
        thread.start()
    start = time.perf_counter()
    total = int(rate * seconds)
    for i in range(total):
        at = start + i / rate
        pause = at - time.perf_counter()
        if pause > 0:
            time.sleep(pause)
        due.put((rng.choice(steps), at))
    for _ in threads:
        due.put(None)
    for thread in threads:
        thread.join(timeout=120)
    elapsed = time.perf_counter() - start
    report = {"target_rate": rate, "sent": total, "achieved_rate": round(len(results) / elapsed, 1), "steps": {}}
    for step, _ in MIX:
        mine = sorted(latency for name, latency, _ in results if name == step)
        errors = sum(1 for name, _, ok in results if name == step and not ok)
        report["steps"][step] = {
            "requests": len(mine),
            "errors": errors,
            "p50_ms": percentile(mine, 0.50) if mine else None,
            "p95_ms": percentile(mine, 0.95) if mine else None,
            "p99_ms": percentile(mine, 0.99) if mine else None,
        }
    every = sorted(latency for _, latency, _ in results)
    report["p99_ms"] = percentile(every, 0.99)
    report["errors"] = sum(1 for *_, ok in results if not ok)
    return report


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rates", default="10,20,40,50,60,80")
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--referrals", type=int, default=50_000)
    args = parser.parse_args()
    env = environment(DB)
    fresh_database(DB, env)
    collect_static(env)
    hub = bench_hub(env)
    load_referrals(DB, hub=hub["hub"], police=hub["police"], school=hub["school"], total=args.referrals,
                   open_count=2_000)  # fmt: skip
    grant_hub_view(DB, hub=hub["hub"])
    import psycopg

    with psycopg.connect(f"dbname={DB} user=postgres host=127.0.0.1") as conn:
        open_ids = [str(r[0]) for r in conn.execute("SELECT id FROM referrals_referral WHERE status <> 'closed'")]
    reports = []
    with gunicorn(env, PORT, workers=3), celery(env) as workers:
        bearer = token(PORT, hub["client_id"], hub["secret"])
        cookie = session_login(PORT, "bench-practitioner", "bench-password-1234")
        counter = iter(range(10**9))
        api = {"Authorization": f"Bearer {bearer}", "Content-Type": "application/json"}
        web = {"Cookie": cookie}
        plan = {
            "intake": lambda: ("POST", "/api/v1/referrals/", referral_body(n := next(counter)),
                               {**api, "Idempotency-Key": f"load-{uuid.uuid4()}-{n}"}),
            "agency_list": lambda: ("GET", "/api/v1/referrals/?page_size=50", None, api),
            "queue": lambda: ("GET", f"/hubs/{hub['hub']}/queue/", None, web),
            "referral_page": lambda: ("GET", f"/hubs/{hub['hub']}/referrals/{random.choice(open_ids)}/", None, web),  # noqa: S311
        }  # fmt: skip
        parts = Parts(workers)
        for rate in [float(r) for r in args.rates.split(",")]:
            pids = parts.pids()
            before = {name: parts.cpu_seconds(p) for name, p in pids.items()}
            began = time.perf_counter()
            report = run_rate(rate, args.seconds, plan)
            wall = time.perf_counter() - began
            report["cpu_cores_used"] = {
                name: round((parts.cpu_seconds(p) - before[name]) / wall, 2) for name, p in pids.items()
            }
            reports.append(report)
            line = " ".join(
                f"{step} p50 {s['p50_ms']} p95 {s['p95_ms']} p99 {s['p99_ms']} err {s['errors']};"
                for step, s in report["steps"].items()
            )
            print(f"rate {rate:g}/s -> {report['achieved_rate']}/s, errors {report['errors']}: {line} "
                  f"CPU cores: {report['cpu_cores_used']}", flush=True)  # fmt: skip
    saturated = next(
        (r["target_rate"] for r in reports if r["achieved_rate"] < 0.95 * r["target_rate"] or r["p99_ms"] > 1000),
        None,
    )
    result = {
        "date": datetime.now(UTC).date().isoformat(),
        "referrals": args.referrals,
        "seconds_per_rate": args.seconds,
        "mix": dict(MIX),
        "rates": reports,
        "saturates_at": saturated,
    }
    print(f"saturates at: {saturated}/s" if saturated else "did not saturate at the rates tried")
    print(f"written to {write_result('load', result)}")


if __name__ == "__main__":
    main()
