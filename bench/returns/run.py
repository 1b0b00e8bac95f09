"""Benchmark of the monthly return: a month of 10,000 referrals, from the request to the PDF.

    .venv/bin/python bench/returns/run.py [--referrals 10000] [--builds 3]

Creates mash_bench_returns afresh with the bench hub, then writes a month's ledger (last month) as the services
would: per referral its receipt, screening, decision deadline and rating deadline, requests to the police and the
school with their deadlines, both answers (one in ten late, one in five no trace), the deadlines met, the decision
proposed and signed off (one in twelve after the rating's timescale), about 17 events each; one in fifteen is a
re-referral. Events are built by `audit.services.event()` with the clock set to their moment and inserted in bulk,
then sealed. The return reads only the ledger (and agency and threshold names), so no referral rows are needed.

Then builds the return `--builds` times through `reports.services.return_build` (seal; check the hub's chain in a
forked process while this one computes the figures and draws the PDF; store, audit), timing each step, to stdout and
bench/results/returns.json. In the same run, side by side: the same build with the check run first and the rest
after it (as before issue 20's last changes), the evidence section computed alone, the PDF drawn without it, and a
strategic lead's PDF (suppressed, drawn when downloaded).
"""

import argparse
import os
import random
import statistics
import sys
import time
import uuid
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from bench.common import bench_hub, environment, fresh_database, write_result  # noqa: E402

DB = "mash_bench_returns"
BATCH = 5000
SOURCES = ["6"] * 5 + ["2A"] * 3 + ["3A", "3E", "1A", "4", "5A", "8"]
RATINGS = [("red", 4), ("amber", 24), ("green", 72)]


def write_month(hub, police, school, count: int, month) -> int:
    """The month's events, built at their moments and inserted in batches; returns how many."""
    import time_machine

    from audit.events.actions import AuditAction
    from audit.services import event, record_many
    from reports.ledger import month_bounds

    rng = random.Random(7)  # noqa: S311 - reproducible bench data, not secrets
    start, end = month_bounds(month)
    span = (end - start).total_seconds() - 4 * 86400  # every referral decided inside the month
    pending, written = [], 0

    def add(moment, action, **kw):
        traveller.move_to(moment)
        pending.append(event(action, hub=hub, **kw))

    with time_machine.travel(start, tick=False) as traveller:
        for i in range(count):
            rid = str(uuid.uuid4())
            received = start + timedelta(seconds=span * i / count)
            cohort = "adult" if i % 5 == 0 else "child"
            source = rng.choice(SOURCES)
            ref = {"object_type": "referrals.referral", "object_id": rid}
            add(received, AuditAction.REFERRAL_RECEIVED, payload={
                "reference": f"B-{i}", "cohort": cohort, "channel": "api", "source_code": source,
                "referring_agency_id": police if source == "6" else school if source == "2A" else None,
                "concerns": ["financial", "neglect"] if cohort == "adult" else ["neglect"],
                "adult_risk_location": "own_home" if cohort == "adult" else "",
                "adult_risk_source": "known_to_individual" if cohort == "adult" else "",
                "immediate_risk": False, "consent": "not_obtained", "others": 1, "received_at": received.isoformat(),
            }, **ref)  # fmt: skip
            add(received, AuditAction.DEADLINE_SET, payload={"deadline_id": str(uuid.uuid4()), "kind": "decision", "rating": "",
                                                   "due_at": (received + timedelta(days=1)).isoformat()}, **ref)  # fmt: skip
            rating, hours = RATINGS[i % 3]
            screened = received + timedelta(minutes=20)
            add(screened, AuditAction.REFERRAL_SCREENED, payload={"screening_id": str(uuid.uuid4()), "threshold_version": 1,
                "level": "targeted" if cohort == "child" else "assessment", "criteria": [], "rating": rating}, **ref)  # fmt: skip
            due = received + timedelta(hours=hours)
            add(screened, AuditAction.DEADLINE_SET, payload={"deadline_id": str(uuid.uuid4()), "kind": "rating",
                                                   "rating": rating, "due_at": due.isoformat()}, **ref)  # fmt: skip
            asked = screened + timedelta(minutes=5)
            for n, agency in enumerate((police, school)):
                request = {"object_type": "decisions.informationrequest", "object_id": str(uuid.uuid4())}
                request_due = asked + timedelta(hours=2)
                add(asked, AuditAction.INFORMATION_REQUESTED, payload={"referral_id": rid, "agency_id": agency, "core": n == 0,
                                                             "due_at": request_due.isoformat()}, **request)  # fmt: skip
                add(asked, AuditAction.DEADLINE_SET, payload={"deadline_id": str(uuid.uuid4()), "kind": "request",
                                                    "rating": rating, "due_at": request_due.isoformat()}, **ref)  # fmt: skip
                answered = asked + timedelta(minutes=rng.randint(10, 110) if i % 10 else 150)
                add(answered, AuditAction.CONTRIBUTION_ADDED, actor_agency=agency, payload={
                    "referral_id": rid, "agency_id": agency, "known": i % 5 != 1, "risk_indicators": [],
                    "lawful_basis": "uk_gdpr_6_1_e", "disclosure": "shared", "requested_at": asked.isoformat(),
                    "due_at": request_due.isoformat(), "on_time": answered <= request_due,
                }, object_type="decisions.contribution", object_id=str(uuid.uuid4()))  # fmt: skip
                add(answered, AuditAction.DEADLINE_MET, payload={"deadline_id": str(uuid.uuid4()), "kind": "request",
                                                       "rating": rating, "due_at": request_due.isoformat()}, **ref)  # fmt: skip
            decided = received + timedelta(hours=hours * (1.5 if i % 12 == 0 else 0.8))
            decision = {"object_type": "decisions.decision", "object_id": str(uuid.uuid4())}
            add(decided - timedelta(minutes=10), AuditAction.DECISION_PROPOSED, payload={"referral_id": rid, "version": 1,
                "outcome": "early_help", "threshold_level": "targeted", "participant_ids": [police],
                "actions": 1, "amendment": False, "gate_overridden": False}, **decision)  # fmt: skip
            add(decided, AuditAction.DECISION_SIGNED_OFF, payload={
                "referral_id": rid, "version": 1, "outcome": "early_help" if cohort == "child" else "s42_enquiry",
                "threshold_level": "targeted", "proposed_at": (decided - timedelta(minutes=10)).isoformat(),
                "received_at": received.isoformat(), "rating": rating, "rationale_recorded": True, "actions": 1,
                "amendment": False,
            }, **decision)  # fmt: skip
            add(decided, AuditAction.DEADLINE_MET, payload={"deadline_id": str(uuid.uuid4()), "kind": "rating",
                                                  "rating": rating, "due_at": due.isoformat()}, **ref)  # fmt: skip
            if i % 15 == 0:
                add(received + timedelta(minutes=2), AuditAction.SUBJECT_MATCH_CONFIRMED, payload={
                    "candidate_referral_id": str(uuid.uuid4()), "reasons": ["NHS number equal"], "re_referral": True,
                    "days_since_earlier": 90}, **ref)  # fmt: skip
            if len(pending) >= BATCH:
                record_many(pending)
                written, pending = written + len(pending), []
    record_many(pending)
    return written + len(pending)


def _without_evidence(row):
    """The return as it would be without the evidence section (issue 20), for the side-by-side PDF timing."""
    import copy

    other = copy.copy(row)
    other.figures = {k: v for k, v in row.figures.items() if k != "evidence"}
    return other


@contextmanager
def _check_first():
    """The build as it was before the check ran beside the figures: the check first, the rest after it."""
    from audit import ledger_checks

    @contextmanager
    def here(hub, *, since=None):
        first = ledger_checks.CheckHere(hub, since)
        first.result()  # before the figures and the PDF, in this process
        yield first

    kept = ledger_checks.checking_alongside
    ledger_checks.checking_alongside = here
    try:
        yield
    finally:
        ledger_checks.checking_alongside = kept


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--referrals", type=int, default=10_000)
    parser.add_argument("--builds", type=int, default=3)
    args = parser.parse_args()
    env = environment(DB)
    fresh_database(DB, env)
    ids = bench_hub(env)
    os.environ.update(env)
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from agencies.models import Hub
    from audit import ledger_checks
    from audit.services import seal
    from audit.verify import verify
    from reports import pdf, services
    from reports.evidence_trend import evidence_of
    from reports.figures import monthly_figures
    from reports.ledger import month_bounds
    from reports.services import previous_month

    hub = Hub.objects.get(pk=ids["hub"])
    month = previous_month(timezone.localdate())
    began = time.perf_counter()
    events = write_month(ids["hub"], ids["police"], ids["school"], args.referrals, month)
    written = time.perf_counter() - began
    began = time.perf_counter()
    seal()
    sealed = time.perf_counter() - began
    print(
        f"{events:,} events for {args.referrals:,} referrals in {month:%B %Y}: written {written:.1f} s, sealed {sealed:.2f} s"
    )

    manager = get_user_model().objects.get(username="bench-manager")
    builds, steps = (
        [],
        {
            "check": [],
            "verify_every_block": [],
            "figures": [],
            "pdf": [],
            "evidence": [],
            "pdf_without_evidence": [],
            "lead_pdf": [],
        },  # fmt: skip
    )
    sequential = []
    for _ in range(args.builds):
        row = services.return_request(hub=hub, month=month, by=manager)
        began = time.perf_counter()
        row = services.return_build(return_id=row.pk)
        builds.append(time.perf_counter() - began)
        assert row.state == "ready", row.error
        with _check_first():
            other = services.return_request(hub=hub, month=month, by=manager)
            began = time.perf_counter()
            other = services.return_build(return_id=other.pk)
            sequential.append(time.perf_counter() - began)
            assert other.state == "ready", other.error
        for name, step in (
            ("check", lambda: ledger_checks.check(hub=hub, since=month_bounds(month)[0])),
            ("verify_every_block", lambda: verify(hub=hub)),
            ("figures", lambda: monthly_figures(hub, month)),
            ("pdf", lambda r=row: pdf.render(r)),
            # Side by side in the same run: the issue-20 sections' share of the build and the lead's download.
            ("evidence", lambda: evidence_of(hub, month)),
            ("pdf_without_evidence", lambda r=row: pdf.render(_without_evidence(r))),
            ("lead_pdf", lambda r=row: pdf.render(r, exact=False)),
        ):
            began = time.perf_counter()
            step()
            steps[name].append(time.perf_counter() - began)
    report = {
        "referrals": args.referrals,
        "events_in_month": events,
        "received": row.figures["referrals"]["total"],
        "decisions": row.figures["timeliness"]["decisions"],
        "pdf_bytes": len(bytes(row.pdf)),
        "build_seconds": [round(b, 3) for b in builds],
        "build_median_seconds": round(statistics.median(builds), 3),
        "check_first_build_seconds": [round(b, 3) for b in sequential],
        "check_first_build_median_seconds": round(statistics.median(sequential), 3),
        "steps_median_seconds": {k: round(statistics.median(v), 3) for k, v in steps.items()},
        "goal_seconds": 3.0,
    }
    print(f"with the check run first, then the rest: median {report['check_first_build_median_seconds']} s")
    print(f"return built {args.builds}x: median {report['build_median_seconds']} s, max {max(builds):.3f} s "
          f"(request to stored PDF); steps (median): {report['steps_median_seconds']}; PDF {report['pdf_bytes']:,} bytes")  # fmt: skip
    print(f"figures: {report['received']:,} referrals received, {report['decisions']:,} decisions")
    print(f"written to {write_result('returns', report)}")


if __name__ == "__main__":
    main()
