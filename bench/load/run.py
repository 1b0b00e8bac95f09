"""Load benchmark: a mixed scenario at rising rates against gunicorn + PostgreSQL + Redis + a Celery worker + beat.

    .venv/bin/python bench/load/run.py [--rates 10,20,40,50,60,80] [--seconds 20] [--referrals 50000]

Creates mash_bench_load afresh: the bench's decision hub (`bench/decision_hub.py`: police and health core, a
school, the agreement signed, a practitioner, the manager with an authenticator, API clients), enough referrals
screened with requests open to health and with decisions proposed for every contribution and sign-off the run will
send, and `--referrals` bulk referrals (2,000 open) with their VIEW grants. Starts gunicorn (3 workers), a Celery
worker (2 processes, the default queue only: webhooks are left queued) and beat, all on the local PostgreSQL and
Redis; signs the practitioner in through the login form and the manager through the login form and the two-factor
step; waits until the worker has finished the tasks the set-up queued. Then, for each rate, sends requests for
`--seconds` on an open-loop schedule (64 client threads; each latency counts from the moment the request was due,
so a server that falls behind shows it), after a VACUUM ANALYZE and `--warm-up` seconds (10) of the mix at half the
first rate, not reported. The mix (`bench/scenario.py`):

- 25 % agency intake `POST /api/v1/referrals/`, 15 % agency list, 10 % health's contribution through the API;
- 20 % triage queue and 20 % referral page as the practitioner;
- 5 % the sign-off queue and 5 % signing a decision off (the review form's POST) as the manager.

Reports per rate and step: requests, errors (any status other than the expected one, or no answer), p50/p95/p99,
the rate achieved, the CPU each part used (gunicorn, PostgreSQL, worker + beat, this generator) from /proc, and the
connections the database accepted (each a new PostgreSQL process, whose CPU /proc misses once it has gone), to stdout
and bench/results/load.json. Saturation: the first rate whose achieved rate falls below 95 % of the target or whose
p99 passes 1 s. Only 127.0.0.1 is contacted. `--workers` and `--threads` set gunicorn's (3 sync workers by
default).
"""

import argparse
import os
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from bench import scenario, traffic  # noqa: E402
from bench.common import (  # noqa: E402
    Celery,
    broker_drained,
    celery,
    collect_static,
    conninfo,
    decision_hub,
    environment,
    fresh_database,
    gunicorn,
    percentile,
    write_result,
)
from bench.data import load_referrals  # noqa: E402

PORT = 8941
DB = "mash_bench_load"
THREADS = 64
MIX = [("intake", 25), ("agency_list", 15), ("contribution", 10), ("queue", 20), ("referral_page", 20),
       ("sign_off_queue", 5), ("sign_off", 5)]  # fmt: skip


class Parts:
    """The process ids of each part, for CPU accounting from /proc."""

    def __init__(self, workers: Celery):
        self.workers = workers.processes()

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


def database_sessions(env: dict) -> int:
    """How many connections the bench database has accepted so far (PostgreSQL's own count, `sessions`)."""
    import psycopg

    with psycopg.connect(conninfo(env)) as conn:
        return conn.execute("SELECT sessions FROM pg_stat_database WHERE datname = current_database()").fetchone()[0]


def run_rate(rate: float, seconds: float, next_request) -> dict:
    """Send `rate` requests per second for `seconds`; the latencies and errors by step."""
    began = time.perf_counter()
    outcomes = traffic.run(PORT, rate, seconds, next_request, threads=THREADS, seed=int(rate))
    report = {"target_rate": rate, "sent": int(rate * seconds),
              "achieved_rate": round(len(outcomes) / (time.perf_counter() - began), 1),
              "steps": traffic.latencies(outcomes, [step for step, _ in MIX], scenario.ok)}  # fmt: skip
    report["p99_ms"] = percentile(sorted(o.latency for o in outcomes), 0.99)
    report["errors"] = sum(1 for o in outcomes if not scenario.ok(o))
    return report


def settle(env: dict, first_rate: float, seconds: float, next_request) -> None:
    """A steady state before the first measured rate: VACUUM ANALYZE after the bulk load (else autovacuum works through
    the new tables during the first rate), then `seconds` of the mix at half the first rate, not reported, so each web
    worker has read its templates and written its prepared reads before anything is timed."""
    import psycopg

    began = time.perf_counter()
    with psycopg.connect(conninfo(env), autocommit=True) as conn:
        conn.execute("VACUUM (ANALYZE)")
    if seconds > 0:
        traffic.run(PORT, first_rate / 2, seconds, next_request, threads=THREADS, seed=0)
    print(f"settled in {time.perf_counter() - began:.0f} s (VACUUM ANALYZE, {seconds:g} s warm-up)", flush=True)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rates", default="10,20,40,50,60,80")
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--referrals", type=int, default=50_000)
    parser.add_argument("--warm-up", type=float, default=10, help="seconds of the mix before the first rate")
    parser.add_argument("--workers", type=int, default=3, help="gunicorn workers")
    parser.add_argument("--threads", type=int, default=1, help="threads per gunicorn worker (gthread above 1)")
    args = parser.parse_args()
    rates = [float(r) for r in args.rates.split(",")]
    sent = sum(rates) * args.seconds + rates[0] / 2 * args.warm_up
    env = environment(DB)
    fresh_database(DB, env)
    collect_static(env)
    hub = decision_hub(env, **scenario.pools(MIX, sent))  # enough for every contribution and sign-off
    load_referrals(DB, hub=hub["hub"], police=hub["police"], school=hub["school"], total=args.referrals,
                   open_count=2_000)  # fmt: skip
    import psycopg

    with psycopg.connect(conninfo(env)) as conn:
        open_ids = [str(r[0]) for r in conn.execute("SELECT id FROM referrals_referral WHERE status <> 'closed'")]
    reports = []
    with gunicorn(env, PORT, workers=args.workers, threads=args.threads), celery(env) as workers:
        people = scenario.Scenario(PORT, hub, open_ids, marker="load")
        next_request = traffic.weighted(MIX, people.plan())
        print(f"the worker took {broker_drained(env):.0f} s to finish the set-up's tasks", flush=True)
        settle(env, rates[0], args.warm_up, next_request)
        parts = Parts(workers)
        for rate in rates:
            pids = parts.pids()
            before = {name: parts.cpu_seconds(p) for name, p in pids.items()}
            sessions = database_sessions(env)
            began = time.perf_counter()
            report = run_rate(rate, args.seconds, next_request)
            wall = time.perf_counter() - began
            report["cpu_cores_used"] = {
                name: round((parts.cpu_seconds(p) - before[name]) / wall, 2) for name, p in pids.items()
            }
            report["database_connections_opened"] = database_sessions(env) - sessions - 1  # not this reading's own
            reports.append(report)
            line = " ".join(
                f"{step} p50 {s['p50_ms']} p95 {s['p95_ms']} p99 {s['p99_ms']} err {s['errors']};"
                for step, s in report["steps"].items()
            )
            print(f"rate {rate:g}/s -> {report['achieved_rate']}/s, errors {report['errors']}: {line} "
                  f"CPU cores: {report['cpu_cores_used']}, database connections opened: "
                  f"{report['database_connections_opened']}", flush=True)  # fmt: skip
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
