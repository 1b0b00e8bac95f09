"""Side by side in one run: a month's rating deadlines read by the JSON lookup of the payload's `kind` (since issue
15) and by the search in the payload's text it replaced, on the database `bench/returns/run.py` leaves behind.

    .venv/bin/python bench/returns/run.py            # once, to write the month's ledger
    .venv/bin/python bench/returns/rating_lookup.py [--rounds 7]

Both reads must find the same events; the rounds alternate the two, and the medians and minimums are printed.
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from bench.common import environment  # noqa: E402

os.environ.update(environment("mash_bench_returns"))

import django  # noqa: E402

django.setup()

from agencies.models import Hub  # noqa: E402
from audit.events.actions import AuditAction  # noqa: E402
from reports.ledger import _hub_events, rating_deadlines_set  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=7)
    rounds = parser.parse_args().rounds
    hub = Hub.objects.get()
    set_events = _hub_events(hub, action=AuditAction.DEADLINE_SET).order_by("occurred_at")
    first, last = set_events.values_list("occurred_at", flat=True).first(), set_events.last().occurred_at
    span = {"occurred_at__gte": first, "occurred_at__lte": last}

    def lookup():
        return list(rating_deadlines_set(hub, **span).values_list("id", "payload"))

    def text_search():  # the read before issue 15, kept here as the reference
        pattern = '"kind":"rating"'
        rows = _hub_events(hub, action=AuditAction.DEADLINE_SET, payload__contains=pattern, **span)
        return list(rows.values_list("id", "payload"))

    found = sorted(lookup())
    assert found == sorted(text_search()), "the two reads disagree"
    times: dict[str, list[float]] = {"JSON lookup": [], "text search": []}
    for _ in range(rounds):
        for name, read in (("JSON lookup", lookup), ("text search", text_search)):
            started = time.perf_counter()
            read()
            times[name].append(time.perf_counter() - started)
    print(f"{len(found):,} rating deadlines; {rounds} rounds, alternated")
    for name, runs in times.items():
        print(f"{name}: median {statistics.median(runs) * 1000:.1f} ms, min {min(runs) * 1000:.1f} ms")


if __name__ == "__main__":
    main()
