"""Fault benchmark: parts of the service fail under load, and nothing submitted is lost.

    .venv/bin/python bench/faults/run.py [--only redis,worker,postgres] [--redis-down 300] [--rate 10]

Runs its own PostgreSQL cluster (port 5442) and Redis (port 6392) from the machine's binaries (`servers.py`), so that
it can stop them without touching the machine's own; gunicorn (3 workers), a Celery worker (2 processes) and beat
run on them with the production settings, as docker-compose runs them. The bench hub (`bench/decision_hub.py`) has
referrals waiting for health's answers and decisions waiting for the manager.

Each phase sends the mixed load (`MIX`, `--rate` requests a second, open loop): the police's system sends referrals
and lists them, health's system answers requests, a practitioner reads the queue and referral pages, the manager
signs decisions off. Anything submitted that is not accepted is sent again as an agency's system or a person would,
unchanged (same Idempotency-Key), every few seconds until it is. Agreed-action deadlines fall due all through the
phase. The phases:

- **redis**: after 30 s Redis stops (everything queued in it is lost, as it keeps nothing on disk) for
  `--redis-down` seconds (five minutes by default), then starts again empty; 60 s more load.
- **worker**: three times, 2,000 deadlines fall due at once and the worker (all its processes) is SIGKILLed while
  the sweep works through them; it is started again 10 s later, as a supervisor would; 30 s more load.
- **postgres**: after 30 s PostgreSQL stops (fast shutdown: open transactions roll back, connections are cut) for
  30 s and starts again; 60 s more load.

After each phase, once the retries are in and the due deadlines have had two minutes to fire, it checks:

1. every answer was the expected one or a clean 503 (with Retry-After, no stack trace): never a 500, never a page
   or body naming an exception, never no answer at all;
2. every referral the police sent is stored exactly once, under the id its 201 gave; every answer health sent is
   stored once; every decision the manager signed off is signed;
3. every deadline that fell due is breached once: one `deadline.breached` event, one notice, each manager's
   notification emailed; their lateness;
4. `manage.py seal_audit` then `manage.py verify_audit`: the ledger verifies.

Prints each phase's figures and verdicts and writes bench/results/faults.json; exits 1 if any check failed.
"""

import argparse
import json
import math
import subprocess
import sys
import threading
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

import psycopg  # noqa: E402

from bench import scenario, traffic  # noqa: E402
from bench.common import (  # noqa: E402  # noqa: E402
    PY,
    ROOT,
    Celery,
    collect_static,
    conninfo,
    decision_hub,
    environment,
    fresh_database,
    gunicorn,
    write_result,
)
from bench.faults.servers import PostgresCluster, RedisServer  # noqa: E402

PORT, PG_PORT, REDIS_PORT = 8942, 5442, 6392
DB = "mash_faults"
MIX = [("intake", 30), ("agency_list", 10), ("contribution", 15), ("queue", 20), ("referral_page", 20),
       ("sign_off", 5)]  # fmt: skip
RETRY_SECONDS = 3
DEADLINE_GRACE = 120


class Submissions:
    """Every outcome, sorted into accepted, clean refusals and anything else; what was not accepted is sent again
    (unchanged) from a thread of its own until it is."""

    def __init__(self, port: int = PORT):
        self.lock = threading.Lock()
        self.outcomes: list[traffic.Outcome] = []
        self.unclean: list[dict] = []
        self.pending: list[tuple[float, traffic.Request]] = []
        self.all: list[scenario.Submission] = []
        self.stop = threading.Event()
        self.conn = traffic.Connection(port)

    @staticmethod
    def clean_refusal(o: traffic.Outcome) -> bool:
        named = any(word in o.body for word in (b"Traceback", b"Exception", b"Error at /", b"OperationalError"))
        return o.status == 503 and "retry-after" in o.headers and not named

    def record(self, o: traffic.Outcome) -> None:
        accepted = scenario.ok(o)
        sub = o.request.tag
        with self.lock:
            self.outcomes.append(o)
            if not accepted and not self.clean_refusal(o):
                self.unclean.append({"step": o.step, "status": o.status, "body": o.body[:300].decode(errors="replace")})
            if sub is None:
                return
            if not sub.statuses:
                self.all.append(sub)
            sub.statuses.append(o.status)
            if accepted and o.step == "intake":
                sub.stored_id = json.loads(o.body)["id"]
            # A sign-off whose first answer was lost after it committed is answered "not awaiting sign-off" when
            # sent again: the check of the stored decisions decides. Anything else not accepted is sent again.
            settled = accepted or (o.step == "sign_off" and o.status == 200 and len(sub.statuses) > 1)
            if not settled:
                self.pending.append((time.monotonic() + RETRY_SECONDS, o.request))

    def resend(self) -> None:
        while not self.stop.is_set():
            with self.lock:
                now = time.monotonic()
                due = [r for at, r in self.pending if at <= now]
                self.pending = [(at, r) for at, r in self.pending if at > now]
            for request in due:
                began = time.perf_counter()
                status, headers, body = self.conn.send(request)
                self.record(traffic.Outcome(request, time.perf_counter() - began, status, headers, body[:4000]))
            self.stop.wait(0.5)

    def drain(self, seconds: float) -> bool:
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            with self.lock:
                if not self.pending:
                    return True
            time.sleep(1)
        return False


def sql(env: dict, query: str, params=None) -> list:
    with psycopg.connect(conninfo(env), connect_timeout=5) as conn:
        return conn.execute(query, params).fetchall()


def add_deadlines(env: dict, hub: str, start: datetime, seconds: float, count: int, bursts: list[datetime]) -> list:
    """`count` deadlines due evenly over `seconds` from `start`, then 2,000 due at each of `bursts`: a list of id
    lists, the even ones first."""
    groups = []
    for at in [None, *bursts]:
        args = ["--start", start.isoformat(), "--seconds", str(seconds), "--count", str(count)] if at is None else [
            "--start", at.isoformat(), "--seconds", "0", "--count", "0", "--burst-at", at.isoformat(), "--burst", "2000"]  # fmt: skip
        out = subprocess.run([PY, "-m", "bench.decision_hub", "deadlines", "--hub", hub, *args], cwd=ROOT, env=env,
                             check=True, capture_output=True, text=True)  # fmt: skip
        groups.append(json.loads(out.stdout.strip().splitlines()[-1]))
    return groups


def count(env: dict, query: str, params) -> int:
    return sql(env, query, params)[0][0]


def breached(env: dict, ids: list) -> int:
    return count(env, "SELECT count(*) FROM referrals_deadline WHERE id::text = ANY(%s) AND state = 'breached'", [ids])


def unsent_notifications(env: dict, ids: list) -> int:
    """Notifications of these deadlines' notices not yet emailed."""
    return count(env, "SELECT count(*) FROM referrals_notification n JOIN referrals_notice o ON o.id = n.notice_id "
                      "WHERE o.deadline_id::text = ANY(%s) AND n.emailed_at IS NULL", [ids])  # fmt: skip


def check_submissions(env: dict, subs: Submissions, marker: str) -> dict:
    mine = Counter(s.step for s in subs.all)
    never = [s.subject for s in subs.all if s.step != "sign_off" and not any(st == scenario.EXPECTED[s.step]
                                                                            for st in s.statuses)]  # fmt: skip
    stored = sql(
        env, "SELECT id::text FROM referrals_referral WHERE referrer_contact = %s", [f"{marker}@police.example"]
    )
    stored_ids = Counter(r[0] for r in stored)
    acknowledged = {s.stored_id for s in subs.all if s.step == "intake"}
    answered = [s.subject for s in subs.all if s.step == "contribution"]
    answers = dict(sql(env, """SELECT c.referral_id::text, count(*) FROM decisions_contribution c
                               JOIN agencies_agency a ON a.id = c.agency_id
                               WHERE a.slug = 'health' AND c.referral_id::text = ANY(%s) GROUP BY 1""", [answered]))  # fmt: skip
    signed = [s.subject for s in subs.all if s.step == "sign_off"]
    states = dict(sql(env, "SELECT id::text, state FROM decisions_decision WHERE id::text = ANY(%s)", [signed]))
    return {
        "sent": dict(mine),
        "resent": sum(len(s.statuses) - 1 for s in subs.all),
        "never_accepted": len(never),
        "referrals_stored": len(stored),
        "referrals_acknowledged": len(acknowledged),
        "referrals_lost": len(acknowledged - set(stored_ids)),
        "referrals_duplicated": sum(1 for n in stored_ids.values() if n > 1) + len(set(stored_ids) - acknowledged),
        "contributions_lost": sum(1 for r in answered if answers.get(r, 0) == 0),
        "contributions_duplicated": sum(1 for r in answered if answers.get(r, 0) > 1),
        "sign_offs_not_signed": sum(1 for d in signed if states.get(d) != "signed"),
    }


def wait_for_deadlines(env: dict, ids: list) -> None:
    end = time.monotonic() + DEADLINE_GRACE
    while time.monotonic() < end:
        left = count(env, "SELECT count(*) FROM referrals_deadline WHERE id::text = ANY(%s) AND state = 'open' "
                          "AND due_at <= now() - interval '5 seconds'", [ids])  # fmt: skip
        if left == 0 and unsent_notifications(env, ids) == 0:
            return
        time.sleep(2)


def check_deadlines(env: dict, ids: list) -> dict:
    rows = sql(env, "SELECT id::text, state, due_at, closed_at FROM referrals_deadline WHERE id::text = ANY(%s)", [ids])
    due = [r for r in rows if r[2] <= datetime.now(UTC) - timedelta(seconds=5)]
    events = Counter(
        r[0] for r in sql(env, "SELECT payload::jsonb->>'deadline_id' FROM audit_auditevent "
                               "WHERE action = 'deadline.breached' AND payload::jsonb->>'deadline_id' = ANY(%s)", [ids])
    )  # fmt: skip
    notices = Counter(r[0] for r in sql(env, "SELECT deadline_id::text FROM referrals_notice WHERE kind = 'breach' "
                                             "AND deadline_id::text = ANY(%s)", [ids]))  # fmt: skip
    late = sorted((r[3] - r[2]).total_seconds() for r in due if r[3] is not None)
    return {
        "deadlines_due": len(due),
        "not_breached": sum(1 for r in due if r[1] != "breached"),
        "breach_events_not_one": sum(1 for r in due if events[r[0]] != 1),
        "notices_not_one": sum(1 for r in due if notices[r[0]] != 1),
        "notifications_not_emailed": unsent_notifications(env, ids),
        "lateness_p50_s": round(late[len(late) // 2], 1) if late else None,
        "lateness_p99_s": round(late[min(len(late) - 1, math.ceil(0.99 * len(late)) - 1)], 1) if late else None,
        "lateness_max_s": round(late[-1], 1) if late else None,
    }


def verify_ledger(env: dict) -> dict:
    seal = subprocess.run([PY, "manage.py", "seal_audit"], cwd=ROOT, env=env, capture_output=True, text=True)
    verify = subprocess.run([PY, "manage.py", "verify_audit"], cwd=ROOT, env=env, capture_output=True, text=True)
    last = (verify.stdout.strip() or verify.stderr.strip()).splitlines()[-1:]
    return {"ledger_verifies": seal.returncode == 0 and verify.returncode == 0, "ledger": " ".join(last)}


def refusals(subs: Submissions, fault_ended: float) -> dict:
    """How many answers were 503, and when the last came relative to the end of the fault (negative: before)."""
    refused = [o.finished for o in subs.outcomes if o.status == 503]
    return {
        "refused_503": len(refused),
        "last_503_after_fault_s": round(max(refused) - fault_ended, 1) if refused else None,
        "unclean": len(subs.unclean),
        "unclean_examples": subs.unclean[:5],
    }


# The faults: each runs while the load goes on, from the phase's start; returns when the fault is over.


def redis_down(parts, seconds: float) -> None:
    time.sleep(30)
    parts["redis"].stop()
    time.sleep(seconds)
    parts["redis"].start()


def worker_killed(parts, kills: list[datetime], bursts: list[list]) -> list:
    """At each kill, how many of the 2,000 deadlines due then the sweep had recorded as breached."""
    at_kill = []
    for k, (at, ids) in enumerate(zip(kills, bursts, strict=True)):
        # 0.3, 0.8 and 1.3 s after they fell due: the once-a-second sweep is somewhere in its two batches of 1,000.
        time.sleep(max(0, (at - datetime.now(UTC)).total_seconds() + 0.3 + 0.5 * k))
        parts["celery"].kill_worker()
        at_kill.append(breached(parts["env"], ids))
        time.sleep(10)
        parts["celery"].start_worker()
    return at_kill


def postgres_restarted(parts, seconds: float) -> None:
    time.sleep(30)
    parts["postgres"].stop()
    time.sleep(seconds)
    parts["postgres"].start()


def phase(name: str, parts: dict, people: scenario.Scenario, hub: dict, args) -> dict:
    env = parts["env"]
    people.marker = f"faults-{name}"
    # The deadlines are written first (the worker phase's 6,000 take a while), to fall due from `start` on.
    start = datetime.now(UTC) + timedelta(seconds=60 if name == "worker" else 15)
    kills = [start + timedelta(seconds=30 + 40 * k) for k in range(3)] if name == "worker" else []
    fault_seconds = {"redis": 30 + args.redis_down, "worker": 130, "postgres": 30 + args.postgres_down}[name]
    after = 30 if name == "worker" else 60
    steady, *bursts = add_deadlines(
        env, hub["hub"], start + timedelta(seconds=10), fault_seconds + after - 20, 200, kills
    )
    ids = steady + [i for burst in bursts for i in burst]
    time.sleep(max(0, (start - datetime.now(UTC)).total_seconds()))
    subs = Submissions()
    load_seconds = fault_seconds + after
    load = threading.Thread(target=traffic.run, args=(PORT, args.rate, load_seconds, traffic.weighted(MIX, people.plan())),
                            kwargs={"threads": 32, "on_outcome": subs.record}, daemon=True)  # fmt: skip
    resender = threading.Thread(target=subs.resend, daemon=True)
    load.start()
    resender.start()
    print(f"[{name}] load at {args.rate}/s for {load_seconds:.0f} s; {len(ids)} deadlines falling due", flush=True)
    began = time.monotonic()
    evidence = {}
    if name == "redis":
        redis_down(parts, args.redis_down)
    elif name == "worker":
        evidence["burst_breached_when_killed"] = worker_killed(parts, kills, bursts)
    else:
        postgres_restarted(parts, args.postgres_down)
    fault_ended = time.monotonic()
    print(f"[{name}] fault over after {fault_ended - began:.0f} s", flush=True)
    load.join()
    drained = subs.drain(120)
    subs.stop.set()
    resender.join()
    wait_for_deadlines(env, ids)
    report = {
        "phase": name,
        "load_seconds": load_seconds,
        "requests": len(subs.outcomes),
        **evidence,
        **refusals(subs, fault_ended),
        "resends_drained": drained,
        **check_submissions(env, subs, people.marker),
        **check_deadlines(env, ids),
        **verify_ledger(env),
    }
    report["passed"] = all([
        report["unclean"] == 0, drained, report["never_accepted"] == 0, report["referrals_lost"] == 0,
        report["referrals_duplicated"] == 0, report["contributions_lost"] == 0,
        report["contributions_duplicated"] == 0, report["sign_offs_not_signed"] == 0, report["not_breached"] == 0,
        report["breach_events_not_one"] == 0, report["notices_not_one"] == 0,
        report["notifications_not_emailed"] == 0, report["ledger_verifies"],
    ])  # fmt: skip
    print(f"[{name}] " + json.dumps(report, default=str), flush=True)
    return report


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--only", default="redis,worker,postgres")
    parser.add_argument("--rate", type=float, default=10)
    parser.add_argument("--redis-down", type=float, default=300)
    parser.add_argument("--postgres-down", type=float, default=30)
    args = parser.parse_args()
    phases = args.only.split(",")
    postgres, redis = PostgresCluster(PG_PORT), RedisServer(REDIS_PORT)
    postgres.start()
    redis.start()
    reports = []
    try:
        env = environment(DB, pg_port=PG_PORT, redis=f"127.0.0.1:{REDIS_PORT}/0")
        fresh_database(DB, env)
        collect_static(env)
        seconds = {"redis": args.redis_down + 90, "worker": 160, "postgres": args.postgres_down + 90}
        sent = sum(seconds[p] for p in phases) * args.rate
        hub = decision_hub(env, **scenario.pools(MIX, sent))
        celery = Celery(env)
        celery.start_worker()
        celery.start_beat()
        parts = {"env": env, "postgres": postgres, "redis": redis, "celery": celery}
        server_log = open(Path(env["MASH_VAR_DIR"]) / "gunicorn.log", "ab")  # noqa: SIM115 - until the end
        print(f"server logs: {env['MASH_VAR_DIR']}/gunicorn.log and celery.log", flush=True)
        with gunicorn(env, PORT, workers=3, log=server_log):
            people = scenario.Scenario(PORT, hub, hub["asked"][-200:])
            for name in phases:
                reports.append(phase(name, parts, people, hub, args))
        celery.stop()
    finally:
        redis.stop()
        postgres.remove()
    result = {"date": datetime.now(UTC).date().isoformat(), "rate": args.rate, "mix": dict(MIX), "phases": reports}
    print(f"written to {write_result('faults', result)}")
    failed = [r["phase"] for r in reports if not r["passed"]]
    print("every check passed" if not failed else f"FAILED: {', '.join(failed)}")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
