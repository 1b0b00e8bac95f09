"""Instructions per request, counted by valgrind's callgrind: the same count whatever else the machine is doing, so
two versions of the code can be compared on a busy, shared machine whose CPU seconds swing by 10–40 % by the hour.

    .venv/bin/python bench/instructions/run.py [--steps queue,referral_page,sign_off_queue] [--requests 20]
                                               [--compare COMMIT]

Creates mash_bench_instructions afresh as bench/profile does (the bench's decision hub, `--referrals` bulk referrals,
2,000 of them open). For each step and each version of the code (this checkout; with `--compare`, that commit in a
git worktree, on the same database), runs Django's test client in one process (bench/instructions/client.py) under
callgrind twice: with 10 requests to warm up, and with 10 + `--requests`. The difference divided by `--requests` is
what one request costs the web process, middleware, view and template included; PostgreSQL's own work is in its
processes and not counted (EXPLAIN ANALYZE shows it). Prints millions of instructions per request and writes
bench/results/instructions.json. Needs valgrind (Debian's package). Only 127.0.0.1 is contacted.
"""

import argparse
import re
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from contextlib import nullcontext
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from bench.common import PY, collect_static, decision_hub, environment, fresh_database, write_result  # noqa: E402
from bench.data import load_referrals  # noqa: E402
from bench.instructions.client import STEPS  # noqa: E402
from bench.profile.run import worktree  # noqa: E402

DB = "mash_bench_instructions"


def instructions(env: dict, code: Path, step: str, count: int, hub: dict) -> int:
    """What callgrind counted for the client process sending `count` requests after its warm-up."""
    command = ["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null", PY,
               str(ROOT / "bench" / "instructions" / "client.py"), step, str(count), hub["hub"],
               hub["practitioner"]["username"], hub["manager"]["username"]]  # fmt: skip
    run = subprocess.run(command, cwd=code, env={**env, "PYTHONPATH": str(code)}, capture_output=True, text=True)
    found = re.search(r"I\s+refs:\s+([\d,]+)", run.stderr)
    if run.returncode != 0 or not found:
        raise SystemExit(f"{step} in {code}: {run.stdout[-2000:]}{run.stderr[-2000:]}")
    return int(found.group(1).replace(",", ""))


def per_request(env: dict, code: Path, step: str, count: int, hub: dict) -> float:
    with ThreadPoolExecutor(2) as pool:  # the two runs side by side: one per core
        warm, full = pool.map(lambda n: instructions(env, code, step, n, hub), (0, count))
    return round((full - warm) / count / 1e6, 1)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=20)
    parser.add_argument("--referrals", type=int, default=20_000)
    parser.add_argument("--compare", help="a commit to measure beside this checkout")
    parser.add_argument("--steps", default=",".join(STEPS))
    args = parser.parse_args()
    env = environment(DB)
    fresh_database(DB, env)
    collect_static(env)
    hub = decision_hub(env, asked=10, proposed=60)
    load_referrals(DB, hub=hub["hub"], police=hub["police"], school=hub["school"], total=args.referrals,
                   open_count=2_000)  # fmt: skip
    report = {"date": datetime.now(UTC).date().isoformat(), "referrals": args.referrals, "requests": args.requests,
              "compare": args.compare, "steps": {}}  # fmt: skip
    codes = {"this": ROOT}
    with worktree(args.compare) if args.compare else nullcontext() as other:
        if args.compare:
            codes[args.compare] = other
        for step in args.steps.split(","):
            report["steps"][step] = {
                name: per_request(env, code, step, args.requests, hub) for name, code in codes.items()
            }
            print(step, " / ".join(f"{name} {m} M" for name, m in report["steps"][step].items()), flush=True)
    write_result("instructions", report)


if __name__ == "__main__":
    main()
