"""CPU per request and where it goes: the service's intake, triage queue, referral page and sign-off, each sent one
at a time to a one-worker gunicorn while py-spy samples that worker.

    .venv/bin/python bench/profile/run.py [--requests 200] [--referrals 20000] [--compare COMMIT]

Creates mash_bench_profile afresh: the bench's decision hub (`bench/decision_hub.py`) and `--referrals` bulk
referrals (`--open` of them open, default 2,000), as bench/load does. For each step, after 20 requests to warm up, sends
`--requests` requests on one keep-alive connection and reports the worker's CPU per request (user + system time from
/proc, divided by the requests), p50/p95 latency, and the py-spy profile's top functions: by own time, and the
project's functions by time including what they call. With `--compare COMMIT` a second one-worker gunicorn runs that
commit's code (a git worktree) on the same database, and each step is sent to both, alternately in rounds, so the
two are measured side by side on the same machine. Raw profiles (py-spy's collapsed stacks) and the report go to
bench/results/. Only 127.0.0.1 is contacted.
"""

import argparse
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from contextlib import ExitStack, contextmanager
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from bench import scenario  # noqa: E402
from bench.common import (  # noqa: E402
    collect_static,
    conninfo,
    decision_hub,
    environment,
    fresh_database,
    percentile,
    wait_until_healthy,
    write_result,
)
from bench.data import load_referrals  # noqa: E402
from bench.traffic import Connection  # noqa: E402

DB = "mash_bench_profile"
PORTS = {"this": 8951, "compare": 8952}
STEPS = ("intake", "agency_list", "queue", "referral_page", "sign_off_queue", "sign_off")
RESULTS = ROOT / "bench" / "results"
PROJECT = ("mash/", "referrals/", "agencies/", "decisions/", "audit/", "reports/")


@contextmanager
def one_worker(env: dict, port: int, code: Path):
    """gunicorn with one sync worker serving `code`; yields the worker's pid."""
    env = {**env, "PYTHONPATH": str(code)}
    server = subprocess.Popen(
        [str(ROOT / ".venv" / "bin" / "gunicorn"), "mash.wsgi:application", "--bind", f"127.0.0.1:{port}",
         "--workers", "1", "--log-level", "warning"],
        cwd=code, env=env,
    )  # fmt: skip
    try:
        wait_until_healthy(port, server)
        children = subprocess.run(["pgrep", "-P", str(server.pid)], capture_output=True, text=True).stdout.split()
        yield int(children[0])
    finally:
        server.terminate()
        server.wait(timeout=20)


@contextmanager
def worktree(commit: str):
    path = Path(tempfile.mkdtemp(prefix=f"mash-profile-{commit[:12]}-")) / "code"
    subprocess.run(["git", "worktree", "add", "--detach", "-f", str(path), commit], cwd=ROOT, check=True)
    try:
        yield path
    finally:
        subprocess.run(["git", "worktree", "remove", "--force", str(path)], cwd=ROOT, capture_output=True)


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def send(port: int, make, count: int) -> tuple[list[float], int]:
    """`count` requests made by `make`, one at a time on one connection: their latencies and the wrong answers."""
    conn = Connection(port)
    times, wrong = [], 0
    for _ in range(count):
        request = make()
        began = time.perf_counter()
        status, headers, body = conn.send(request)
        times.append(time.perf_counter() - began)
        outcome = type("O", (), {"step": request.step, "status": status, "headers": headers})
        wrong += 0 if scenario.ok(outcome) else 1
    return times, wrong


def top(stacks: Path, limit: int = 12) -> dict:
    """py-spy's collapsed stacks summed: own samples per function, and the project's functions including callees."""
    own, inclusive, total = Counter(), Counter(), 0
    for line in stacks.read_text().splitlines():
        frames, _, count = line.rpartition(" ")
        if not frames or not count.isdigit():
            continue  # a stack py-spy could not read whole
        n = int(count)
        total += n
        names = frames.split(";")
        own[names[-1]] += n
        for name in set(names):
            if any(f"({part}" in name or f" {part}" in name for part in PROJECT):
                inclusive[name] += n
    share = lambda c: [(name, round(100 * n / total, 1)) for name, n in c.most_common(limit)]  # noqa: E731
    return {"samples": total, "own": share(own), "project_inclusive": share(inclusive)}


def measure(label: str, port: int, pid: int, step: str, make, count: int, gil: bool = False) -> dict:
    send(port, make, 20)
    stacks = RESULTS / f"profile-{label}-{step}.stacks"
    spy = subprocess.Popen(
        [str(ROOT / ".venv" / "bin" / "py-spy"), "record", "--pid", str(pid), "--rate", "250", "--format", "raw",
         "--output", str(stacks), "--nonblocking", *(["--gil"] if gil else [])],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    time.sleep(1.0)  # py-spy attaches
    before = cpu_seconds(pid)
    times, wrong = send(port, make, count)
    used = cpu_seconds(pid) - before
    spy.send_signal(signal.SIGINT)
    spy.wait(timeout=30)
    times.sort()
    return {
        "requests": count,
        "wrong_answers": wrong,
        "cpu_ms_per_request": round(1000 * used / count, 2),
        "p50_ms": round(1000 * statistics.median(times), 1),
        "p95_ms": percentile(times, 0.95),
        "profile": top(stacks) if stacks.exists() else None,
    }


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=200, help="per step (and per server with --compare)")
    parser.add_argument("--referrals", type=int, default=20_000)
    parser.add_argument("--open", type=int, default=2_000, help="of the referrals, how many are open")
    parser.add_argument("--rounds", type=int, default=1, help="with --compare: alternations per step")
    parser.add_argument("--compare", help="a commit to measure beside this checkout")
    parser.add_argument("--steps", default=",".join(STEPS))
    parser.add_argument("--gil", action="store_true", help="sample only while the worker holds the GIL (its Python)")
    args = parser.parse_args()
    steps = args.steps.split(",")
    RESULTS.mkdir(exist_ok=True)
    env = environment(DB)
    fresh_database(DB, env)
    collect_static(env)
    servers = 2 if args.compare else 1
    signs = (args.requests + 20) * servers * args.rounds
    hub = decision_hub(env, asked=50, proposed=signs + 50)
    load_referrals(DB, hub=hub["hub"], police=hub["police"], school=hub["school"], total=args.referrals,
                   open_count=args.open)  # fmt: skip
    import psycopg

    with psycopg.connect(conninfo(env)) as conn:
        open_ids = [str(r[0]) for r in conn.execute("SELECT id FROM referrals_referral WHERE status <> 'closed'")]
    report = {"date": datetime.now(UTC).date().isoformat(), "referrals": args.referrals, "steps": {}}
    with ExitStack() as stack:
        pids = {"this": stack.enter_context(one_worker(env, PORTS["this"], ROOT))}
        if args.compare:
            code = stack.enter_context(worktree(args.compare))
            pids["compare"] = stack.enter_context(one_worker(env, PORTS["compare"], code))
            report["compare"] = args.compare
        people = scenario.Scenario(PORTS["this"], hub, open_ids, marker="profile")
        plan = people.plan()
        for step in steps:
            rounds = {label: [] for label in pids}
            for r in range(args.rounds):
                order = list(pids) if r % 2 == 0 else list(reversed(pids))
                for label in order:
                    rounds[label].append(
                        measure(label, PORTS[label], pids[label], step, plan[step], args.requests, args.gil)
                    )
            report["steps"][step] = rounds
            for label, runs in rounds.items():
                cpu = [run["cpu_ms_per_request"] for run in runs]
                p95 = [run["p95_ms"] for run in runs]
                wrong = sum(run["wrong_answers"] for run in runs)
                print(f"{step:<15} {label:<8} CPU/request {cpu} ms  p95 {p95} ms  wrong answers {wrong}", flush=True)
            profile = rounds["this"][-1]["profile"]
            if profile:
                print("   own time:", "; ".join(f"{n} {p}%" for n, p in profile["own"][:8]))
                print("   project (incl.):", "; ".join(f"{n} {p}%" for n, p in profile["project_inclusive"][:10]))
    print(f"written to {write_result('profile', report)}")


if __name__ == "__main__":
    main()
