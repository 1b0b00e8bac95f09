"""Cluster benchmark: the service on several nodes behind a real load balancer, with faults, and nothing lost.

    .venv/bin/python bench/cluster/run.py [--rate 10] [--seconds 150]

On one PostgreSQL and one Redis of its own (bench/faults/servers.py, so that nothing else on the machine is touched):
two gunicorn web servers (2 workers each) behind **nginx** (Debian's package, `nginx.conf` written beside its logs),
two Celery workers with different hostnames (`one@cluster`, `two@cluster`), and two beats — the second started "by
mistake" a few seconds after the first (docs/adr/0021: one leads, the other stands by). Files (attachments, returns)
live in the database by default (ATTACHMENT_STORAGE), so every node sees them.

The mixed load of bench/faults (`MIX`, `--rate` requests a second, open loop) goes to nginx for `--seconds`; what is
not accepted is sent again unchanged (same Idempotency-Key) as an agency's system or a person would. 200 deadlines
fall due through the run. The faults, while the load goes on:

- at 30 s web server one is SIGKILLed (its master and workers) and started again 30 s later;
- at 75 s worker one is SIGKILLed (all its processes) and started again 10 s later;
- at 100 s the leading beat is SIGKILLed: the standby takes the lock and goes on (not started again).

Then the checks of bench/faults: every answer the expected one or a clean 503; every referral, answer and sign-off
stored exactly once; every deadline breached once, with one notice and its emails, and its lateness; the ledger
verifies. And the cluster's own: requests spread over both web servers (nginx's log of the upstream of each
request), the practitioner's and the manager's sessions served by both, both workers ran tasks, only one beat sent
jobs at a time (each beat's log). Writes bench/results/cluster.json; exits 1 if any check failed.
"""

import argparse
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from bench import scenario, traffic  # noqa: E402
from bench.cluster import nginx  # noqa: E402
from bench.common import (  # noqa: E402
    ROOT,
    collect_static,
    decision_hub,
    environment,
    fresh_database,
    wait_until_healthy,
    write_result,
)
from bench.faults.run import (  # noqa: E402
    MIX,
    Submissions,
    add_deadlines,
    check_deadlines,
    check_submissions,
    refusals,
    sql,
    verify_ledger,
    wait_for_deadlines,
)
from bench.faults.servers import PostgresCluster, RedisServer  # noqa: E402

PORT, WEB_PORTS, PG_PORT, REDIS_PORT = 8950, (8951, 8952), 5452, 6402
DB = "mash_cluster"
CELERY = str(ROOT / ".venv" / "bin" / "celery")


class Nginx:
    def __init__(self, folder: Path):
        self.folder = folder
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        self.process = nginx.start(self.folder, PORT, list(WEB_PORTS))

    def upstreams(self) -> dict[int, int]:
        return nginx.upstreams(self.folder)

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=10)


class Node:
    """One process (group) of the cluster, started in its own session so that it can be SIGKILLed whole."""

    def __init__(self, name: str, command: list[str], env: dict, folder: Path):
        self.name, self.command, self.env = name, command, env
        self.log_path = folder / f"{name}.log"
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        log = open(self.log_path, "ab")  # noqa: SIM115 - the child holds it
        self.process = subprocess.Popen(self.command, cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT,
                                        start_new_session=True)  # fmt: skip
        log.close()

    def kill(self) -> None:
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait()

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.kill()

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""


def web(n: int, env: dict, folder: Path) -> Node:
    command = [str(ROOT / ".venv" / "bin" / "gunicorn"), "mash.wsgi:application", "--bind",
               f"127.0.0.1:{WEB_PORTS[n]}", "--workers", "2", "--log-level", "warning"]  # fmt: skip
    return Node(f"web-{n + 1}", command, env, folder)


def worker(name: str, env: dict, folder: Path) -> Node:
    command = [CELERY, "-A", "mash", "worker", "--concurrency=2", "--hostname", f"{name}@cluster",
               "--queues=celery,webhooks", "-l", "INFO", "--without-gossip", "--without-mingle"]  # fmt: skip
    return Node(f"worker-{name}", command, env, folder)


def beat(name: str, env: dict, folder: Path) -> Node:
    command = [CELERY, "-A", "mash", "beat", "-l", "INFO", "-s", str(folder / f"beat-{name}-schedule")]
    return Node(f"beat-{name}", command, env, folder)


def sends(node: Node) -> int:
    """How many jobs the beat has sent (or run itself), from its log."""
    return sum(1 for line in node.log().splitlines() if "Sending due task" in line or "running it here" in line)


def memory_mb(node: Node) -> float | None:
    """The resident memory of the node's processes (its process group), in MB; None if it is not running."""
    if node.process is None or node.process.poll() is not None:
        return None
    out = subprocess.run(["ps", "-o", "rss=", "-g", str(node.process.pid)], capture_output=True, text=True).stdout
    return round(sum(int(x) for x in out.split()) / 1024, 1)


def database_size(env: dict) -> dict:
    """The database's size on disk, its referrals and the ledger's events and size."""
    size, referrals, events, ledger = sql(env, "SELECT pg_database_size(current_database()), "
                                               "(SELECT count(*) FROM referrals_referral), (SELECT count(*) FROM audit_auditevent), "
                                               "pg_total_relation_size('audit_auditevent')")[0]  # fmt: skip
    return {"bytes": size, "referrals": referrals, "ledger_events": events, "ledger_bytes": ledger}


def growth(before: dict, after: dict) -> dict:
    """What the run's referrals (with everything the mixed load did beside them: answers, sign-offs, deadlines,
    sessions, the ledger) added to the database, per 100,000 referrals."""
    added = after["referrals"] - before["referrals"]
    per = 100_000 / added if added else 0
    return {
        "database_mb_before": round(before["bytes"] / 2**20, 1),
        "database_mb_after": round(after["bytes"] / 2**20, 1),
        "referrals_added": added,
        "ledger_events_per_referral": round((after["ledger_events"] - before["ledger_events"]) / added, 1)
        if added
        else None,
        "database_gb_per_100k_referrals": round((after["bytes"] - before["bytes"]) * per / 2**30, 2),
        "ledger_gb_per_100k_referrals": round((after["ledger_bytes"] - before["ledger_bytes"]) * per / 2**30, 2),
    }


def leads(node: Node) -> bool:
    return "this beat leads" in node.log()


def sample_memory(nodes: dict, timeline: dict) -> None:
    """Each node's peak resident memory under the load, sampled every 5 s."""
    peaks = timeline.setdefault("memory_peak_mb", {})
    while True:
        for name, node in nodes.items():
            mb = memory_mb(node)
            if mb is not None:
                peaks[name] = max(peaks.get(name, 0), mb)
        time.sleep(5)


def faults(nodes: dict, timeline: dict) -> None:
    began = time.monotonic()

    def at(seconds: float) -> None:
        time.sleep(max(0, began + seconds - time.monotonic()))

    at(30)
    nodes["web-1"].kill()
    timeline["web_one_killed"] = time.monotonic()
    at(60)
    nodes["web-1"].start()
    wait_until_healthy(WEB_PORTS[0], nodes["web-1"].process)
    at(75)
    nodes["worker-one"].kill()
    timeline["worker_one_killed"] = time.monotonic()
    at(85)
    nodes["worker-one"].start()
    at(100)
    leader, standby = ("beat-first", "beat-second") if leads(nodes["beat-first"]) else ("beat-second", "beat-first")
    timeline["beat_leader"] = leader
    timeline["standby_sent_while_leader_alive"] = sends(nodes[standby])
    timeline["leader_sent"] = sends(nodes[leader])
    nodes[leader].kill()
    killed = time.monotonic()
    while time.monotonic() < killed + 30 and sends(nodes[standby]) <= timeline["standby_sent_while_leader_alive"]:
        time.sleep(0.2)
    took = sends(nodes[standby]) > timeline["standby_sent_while_leader_alive"]
    timeline["standby_took_over_after_s"] = round(time.monotonic() - killed, 1) if took else None


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rate", type=float, default=10)
    parser.add_argument("--seconds", type=float, default=150)
    args = parser.parse_args()
    if args.seconds < 120:
        parser.error("--seconds must be at least 120: the faults take the first 100 s")
    folder = Path(tempfile.mkdtemp(prefix="mash-cluster-"))
    postgres, redis = PostgresCluster(PG_PORT), RedisServer(REDIS_PORT)
    postgres.start()
    redis.start()
    nodes: dict[str, Node] = {}
    nginx = Nginx(folder)
    try:
        env = environment(DB, pg_port=PG_PORT, redis=f"127.0.0.1:{REDIS_PORT}/0")
        fresh_database(DB, env)
        collect_static(env)
        hub = decision_hub(env, **scenario.pools(MIX, args.seconds * args.rate))
        nodes = {n.name: n for n in [web(0, env, folder), web(1, env, folder), worker("one", env, folder),
                                      worker("two", env, folder), beat("first", env, folder), beat("second", env, folder)]}  # fmt: skip
        for name in ("web-1", "web-2", "worker-one", "worker-two", "beat-first"):
            nodes[name].start()
        for n, name in enumerate(("web-1", "web-2")):
            wait_until_healthy(WEB_PORTS[n], nodes[name].process)
        time.sleep(3)
        nodes["beat-second"].start()  # by mistake: it must stand by
        nginx.start()
        time.sleep(1)
        print(f"cluster up in {folder}: nginx :{PORT} -> web :{WEB_PORTS[0]}, :{WEB_PORTS[1]}", flush=True)
        people = scenario.Scenario(PORT, hub, hub["asked"][-200:], marker="cluster")
        start = datetime.now(UTC) + timedelta(seconds=15)
        (ids,) = add_deadlines(env, hub["hub"], start, args.seconds - 30, 200, [])
        time.sleep(max(0, (start - datetime.now(UTC)).total_seconds() - 10))
        subs = Submissions(PORT)
        load = threading.Thread(target=traffic.run, args=(PORT, args.rate, args.seconds, traffic.weighted(MIX, people.plan())),
                                kwargs={"threads": 32, "on_outcome": subs.record}, daemon=True)  # fmt: skip
        resender = threading.Thread(target=subs.resend, daemon=True)
        load.start()
        resender.start()
        print(f"load at {args.rate}/s for {args.seconds:.0f} s through nginx; {len(ids)} deadlines", flush=True)
        timeline: dict = {"database_before": database_size(env)}
        sampler = threading.Thread(target=sample_memory, args=(nodes, timeline), daemon=True)
        sampler.start()
        faults(nodes, timeline)
        load.join()
        drained = subs.drain(120)
        subs.stop.set()
        resender.join()
        wait_for_deadlines(env, ids)
        report = cluster_report(nodes, nginx, subs, timeline, env, ids, drained)
        report.update({"rate": args.rate, "seconds": args.seconds, "date": datetime.now(UTC).date().isoformat()})
    finally:
        nginx.stop()
        for node in nodes.values():
            node.stop()
        redis.stop()
        postgres.remove()
    print(json.dumps(report, indent=2, default=str))
    print(f"logs in {folder}; written to {write_result('cluster', report)}")
    print("every check passed" if report["passed"] else "FAILED")
    sys.exit(0 if report["passed"] else 1)


def cluster_report(nodes, nginx, subs, timeline, env, ids, drained) -> dict:
    spread = nginx.upstreams()
    by_step = Counter(o.step for o in subs.outcomes)
    tasks = {name: len(re.findall(r"Task \S+\[[0-9a-f-]+\] succeeded", nodes[name].log()))
             for name in ("worker-one", "worker-two")}  # fmt: skip
    report = {
        "requests": len(subs.outcomes),
        "by_step": dict(by_step),
        "requests_per_web_server": {f"web-{n + 1}": spread.get(port, 0) for n, port in enumerate(WEB_PORTS)},
        "tasks_per_worker": tasks,
        "memory_peak_mb": timeline.get("memory_peak_mb"),
        "database": growth(timeline["database_before"], database_size(env)),
        "beat": {
            "leader_killed": timeline.get("beat_leader"),
            "sent_by_leader_before": timeline.get("leader_sent"),
            "sent_by_standby_while_leader_alive": timeline.get("standby_sent_while_leader_alive"),
            "standby_took_over_after_s": timeline.get("standby_took_over_after_s"),
        },
        **refusals(subs, timeline.get("web_one_killed", 0)),
        "resends_drained": drained,
        **check_submissions(env, subs, "cluster"),
        **check_deadlines(env, ids),
        **verify_ledger(env),
    }
    spread_ok = all(n > 0.25 * report["requests"] for n in report["requests_per_web_server"].values())
    report["passed"] = all([
        report["unclean"] == 0, drained, report["never_accepted"] == 0, report["referrals_lost"] == 0,
        report["referrals_duplicated"] == 0, report["contributions_lost"] == 0,
        report["contributions_duplicated"] == 0, report["sign_offs_not_signed"] == 0, report["not_breached"] == 0,
        report["breach_events_not_one"] == 0, report["notices_not_one"] == 0,
        report["notifications_not_emailed"] == 0, report["ledger_verifies"], spread_ok,
        all(n > 0 for n in tasks.values()), report["beat"]["sent_by_leader_before"] > 0,
        report["beat"]["sent_by_standby_while_leader_alive"] == 0, report["beat"]["standby_took_over_after_s"] is not None,
    ])  # fmt: skip
    return report


if __name__ == "__main__":
    main()
