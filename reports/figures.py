"""A month's figures for one hub, computed from ledger events only (reports/ledger.py says which).

Referrals (and the adults' figures and re-referrals, which are figures of the referrals received) count in the month
they were received, by the `referral.received` payload's `received_at`; every other figure counts by the time of
its event. What a strategic lead sees of them is suppressed (reports/suppression.py).

Every category is listed, zeros included, so that returns of different months and hubs line up. Times are clock
hours. A percentage is None where there is nothing to divide by. No personal data: counts, codes and agency names.
"""

import math
import statistics
from collections import Counter
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext_noop

from agencies.codes import ReferralSource
from agencies.models import AgencyKind, DocumentKind, WorkingPattern, financial_year_label, financial_year_of
from audit.events.actions import AuditAction
from decisions.models import OUTCOMES, OutcomesMet, outcome_label
from decisions.models.strategy import STRATEGY_DECISIONS
from mash.memory import collector_paused
from mash.words import plain
from referrals.models import AdultRiskLocation, AdultRiskSource, AdultRiskType, Rating, ThresholdVersion
from reports.evidence import NO_AGENCY
from reports.evidence_trend import evidence
from reports.ledger import Event, MonthEvents, agency_names, at, first_sign_offs, month_events, rating_due
from reports.proportions import percent

RATINGS = [Rating.RED, Rating.AMBER, Rating.GREEN, Rating.BLUE]
TIMED_RATINGS = [Rating.RED, Rating.AMBER, Rating.GREEN]
DEADLINE_KINDS = ["decision", "rating", "request", "action", "outcome", "strategy"]  # outcome: telling the referrer
REVIEW_WARNING_DAYS = 90  # a core document's review "falls due" when it is due within this many days of month end
NOT_RECORDED = gettext_noop("Not recorded")  # a label in the source language, as the figures keep them
# The agencies a strategy discussion is counted by: the required ones (social care by cohort) and education.
STRATEGY_KINDS = [AgencyKind.POLICE, AgencyKind.CHILDRENS_SOCIAL_CARE, AgencyKind.ADULT_SOCIAL_CARE, AgencyKind.HEALTH,
                  AgencyKind.EDUCATION]  # fmt: skip


def monthly_figures(hub, month: date, until: datetime | None = None) -> dict:
    """The month's figures; for a month still running, `until` (the build's start) bounds them: provisional. Their
    labels are the source language's whoever asks, so that the figures and their digest are the same for a return in
    English and in Welsh (its PDF translates them)."""
    with collector_paused(), translation.override(settings.LANGUAGE_CODE):
        return plain(_figures(hub, month, until))


def _figures(hub, month: date, until: datetime | None) -> dict:
    events = month_events(hub, month, until)
    names = agency_names(events)
    return {
        "hub": {"id": str(hub.pk), "name": hub.name},
        "month": f"{month:%Y-%m}",
        "period": {"start": events.start.isoformat(), "end": events.until.isoformat()},
        "provisional": events.until < events.end,
        "referrals": _referrals(hub, events, names),
        "timeliness": _timeliness(events),
        "agencies": _agencies(events, names),
        "outcomes": _outcomes(events),
        "re_referrals": _re_referrals(events),
        "quality": _quality(events),
        "agreements": _agreements(events, names),
        "funding": _funding(events, names, month),
        "adults": _adults(events),
        "strategy": _strategy(events),
        "evidence": evidence(hub, events, names, month),
    }


# Helpers -----------------------------------------------------------------------------------------------------------


def median(values: list[float]) -> float | None:
    return round(statistics.median(values), 1) if values else None


def percentile_90(values: list[float]) -> float | None:
    """Nearest rank: the smallest value with at least 90 % of the values at or below it."""
    if not values:
        return None
    ordered = sorted(values)
    return round(ordered[math.ceil(0.9 * len(ordered)) - 1], 1)


def _hours(later: datetime, earlier: datetime) -> float:
    return (later - earlier).total_seconds() / 3600


def _counted(counter: Counter, choices) -> list[dict]:
    """Every choice in order with its count; then anything seen that the list does not name."""
    rows = [{"code": c.value, "label": c.label, "count": counter.get(c.value, 0)} for c in choices]
    known = {c.value for c in choices}
    rows += [
        {"code": code, "label": code or NOT_RECORDED, "count": n}
        for code, n in sorted(counter.items(), key=lambda item: str(item[0]))
        if code not in known
    ]
    return rows


def _latest_ratings(events: MonthEvents) -> dict[str, Event]:
    """Each referral screened in the month, with the month's last screening or re-rating of it."""
    latest: dict[str, Event] = {}
    for e in events.month:
        if e.action in (AuditAction.REFERRAL_SCREENED, AuditAction.REFERRAL_RE_RATED):
            latest[e.object_id] = e
    return latest


# Sections ----------------------------------------------------------------------------------------------------------


def _referrals(hub, events: MonthEvents, names: dict) -> dict:
    received = events.of(AuditAction.REFERRAL_RECEIVED)
    by_agency = Counter(names.get(e.data.get("referring_agency_id"), NO_AGENCY) for e in received)
    latest = _latest_ratings(events)
    cohorts = {e.object_id: e.data["cohort"] for e in received}
    levels = Counter((events.cohort(referral_id), e.data["level"]) for referral_id, e in latest.items())
    weeks = Counter(min((at(e.data["received_at"]).astimezone(events.start.tzinfo).day - 1) // 7, 4) for e in received)
    last_day = (events.end - timedelta(days=1)).day
    return {
        "total": len(received),
        "recorded_late": events.recorded_late,  # received in the month, recorded after it ended (reports/ledger.py)
        "by_cohort": {
            "child": sum(1 for c in cohorts.values() if c == "child"),
            "adult": sum(1 for c in cohorts.values() if c == "adult"),
        },
        "by_channel": dict(sorted(Counter(e.data.get("channel", "") for e in received).items())),
        "by_source": _counted(Counter(e.data.get("source_code", "") for e in received), ReferralSource),
        "by_agency": [{"agency": a, "count": n} for a, n in sorted(by_agency.items())],
        "screened": len(latest),
        "by_rating": _counted(Counter(e.data["rating"] for e in latest.values()), RATINGS),
        "by_threshold_level": _levels(hub, levels),
        "by_week": [
            {"label": f"{7 * w + 1}–{last_day if w == 4 else 7 * w + 7}", "count": weeks.get(w, 0)} for w in range(5)
        ],
    }


def _levels(hub, levels: Counter) -> list[dict]:
    """The (cohort, level) pairs screened, children first, lowest level first, named as the hub's newest thresholds
    name them."""
    names: dict[tuple[str, str], tuple[int, str]] = {}
    for version in ThresholdVersion.objects.filter(hub=hub).order_by("number"):
        for rank, level in enumerate(version.levels):
            names[(version.cohort, level["code"])] = (rank, level["name"])
    rows = [
        {"cohort": cohort, "code": code, "label": names.get((cohort, code), (99, code))[1], "count": n}
        for (cohort, code), n in levels.items()
    ]
    return sorted(rows, key=lambda r: (r["cohort"] != "child", names.get((r["cohort"], r["code"]), (99,))[0]))


def _timeliness(events: MonthEvents) -> dict:
    decisions = first_sign_offs(events)
    rows, every = [], []
    for rating in TIMED_RATINGS:
        mine = [e for e in decisions if e.data.get("rating") == rating]
        hours = [_hours(e.at, at(e.data["received_at"])) for e in mine]
        every += hours
        within = sum(1 for e in mine if (due := rating_due(events, e.data["referral_id"], e.at)) and e.at <= due)
        rows.append(
            {
                "rating": rating.value,
                "label": rating.label,
                "decisions": len(mine),
                "within_timescale": within,
                "percent_within": percent(within, len(mine)),
                "median_hours": median(hours),
                "p90_hours": percentile_90(hours),
            }
        )
    breaches = Counter(e.data.get("kind") for e in events.of(AuditAction.DEADLINE_BREACHED))
    return {
        "decisions": len(decisions),
        "by_rating": rows,
        "median_hours": median(every),
        "p90_hours": percentile_90(every),
        "breaches": {**{kind: breaches.get(kind, 0) for kind in DEADLINE_KINDS}, "total": sum(breaches.values())},
    }


def _agencies(events: MonthEvents, names: dict) -> list[dict]:
    requested = Counter(e.data["agency_id"] for e in events.of(AuditAction.INFORMATION_REQUESTED))
    answers: dict[str, list[Event]] = {}
    for e in events.of(AuditAction.CONTRIBUTION_ADDED):
        answers.setdefault(e.data["agency_id"], []).append(e)
    rows = []
    for agency_id in set(_members(events)) | set(requested) | set(answers):
        mine = answers.get(agency_id, [])
        rows.append(
            {
                "agency": names.get(agency_id, agency_id),
                "requests": requested.get(agency_id, 0),
                "contributions": len(mine),
                "median_response_hours": median([_hours(e.at, at(e.data["requested_at"])) for e in mine]),
                "median_allowed_hours": median(
                    [_hours(at(e.data["due_at"]), at(e.data["requested_at"])) for e in mine]
                ),
                "on_time_percent": percent(sum(1 for e in mine if e.data.get("on_time")), len(mine)),
                "no_trace_percent": percent(sum(1 for e in mine if not e.data.get("known")), len(mine)),
            }
        )
    return sorted(rows, key=lambda r: r["agency"])


def _outcomes(events: MonthEvents) -> dict:
    """Each outcome's count by code, with England's words: a return shows them in the words of the procedures the
    hub follows (`outcome_words`), so that a month rebuilt after the hub changes its procedures keeps its digest."""
    counts: Counter = Counter()
    for e in first_sign_offs(events):
        counts[(events.cohort(e.data["referral_id"]), e.data.get("outcome", ""))] += 1
    counts[("", "no_mash_response")] += len(events.of(AuditAction.REFERRAL_CLOSED_NO_RESPONSE))
    rows = []
    for cohort, choices in OUTCOMES.items():
        rows += [
            {"cohort": cohort, "code": c.value, "label": c.label, "count": counts.pop((cohort, c.value), 0)}
            for c in choices
        ]
    rows.append(
        {
            "cohort": "",
            "code": "no_mash_response",
            "label": outcome_label("", "no_mash_response"),
            "count": counts.pop(("", "no_mash_response"), 0),
        }
    )
    rows += [{"cohort": c, "code": o, "label": o or NOT_RECORDED, "count": n} for (c, o), n in sorted(counts.items())]
    amendments = sum(1 for e in events.of(AuditAction.DECISION_SIGNED_OFF) if e.data.get("amendment"))
    return {"rows": rows, "decided": sum(r["count"] for r in rows), "amendments": amendments}


def _re_referrals(events: MonthEvents) -> dict:
    children = sum(1 for e in events.of(AuditAction.REFERRAL_RECEIVED) if e.data["cohort"] == "child")
    again = {
        e.object_id
        for e in events.of(AuditAction.SUBJECT_MATCH_CONFIRMED)
        if e.data.get("re_referral") and not _undone(e, events)
    }
    return {"count": len(again), "child_referrals": children, "percent": percent(len(again), children)}


def _undone(confirmed: Event, events: MonthEvents) -> bool:
    """The confirmed match's same-person link was undone before the build (by its link id; a match confirmed before
    issue 18 has none: by its two referrals)."""
    if "link_id" in confirmed.data:
        return confirmed.data["link_id"] in events.undone_links
    return (confirmed.object_id, confirmed.data["candidate_referral_id"]) in events.undone_pairs


def _quality(events: MonthEvents) -> dict:
    decisions = first_sign_offs(events)
    with_rationale = sum(1 for e in decisions if e.data.get("rationale_recorded"))
    completed = events.of(AuditAction.ACTION_COMPLETED)
    on_time = sum(1 for e in completed if e.data.get("on_time"))
    return {
        "decisions": len(decisions),
        "rationale_recorded": with_rationale,
        "rationale_percent": percent(with_rationale, len(decisions)),
        "actions_agreed": sum(e.data.get("actions", 0) for e in events.of(AuditAction.DECISION_SIGNED_OFF)),
        "actions_completed": len(completed),
        "actions_completed_on_time": on_time,
        "on_time_percent": percent(on_time, len(completed)),
    }


def _members(events: MonthEvents) -> dict[str, str]:
    members: dict[str, str] = {}
    for e in events.standing:
        if e.action == AuditAction.MEMBERSHIP_SET:
            members[e.data["agency_id"]] = e.data["kind"]
    return members


def _agreements(events: MonthEvents, names: dict) -> dict:
    month_end = (events.until - timedelta(microseconds=1)).astimezone(events.start.tzinfo).date()
    versions: dict[str, dict] = {}  # document id -> the newest version in force at the month's end
    signed: dict[tuple[str, str, int], str] = {}
    for e in events.standing:
        d = e.data
        if e.action == AuditAction.DOCUMENT_VERSION_PUBLISHED and date.fromisoformat(d["effective_from"]) <= month_end:
            if d["number"] > versions.get(d["document_id"], {}).get("number", 0):
                versions[d["document_id"]] = d
        elif e.action == AuditAction.AGREEMENT_SIGNED:
            signed[(d["agency_id"], d["document_id"], d["version"])] = d["signed_on"]
    labels = dict(DocumentKind.choices)
    documents = sorted(versions.values(), key=lambda v: list(labels).index(v["kind"]) if v["kind"] in labels else 99)
    soon = month_end + timedelta(days=REVIEW_WARNING_DAYS)
    rows = []
    for agency_id, kind in sorted(_members(events).items(), key=lambda m: names.get(m[0], m[0])):
        rows.append(
            {
                "agency": names.get(agency_id, agency_id),
                "membership": kind,
                "signatures": [
                    {
                        "document": labels.get(v["kind"], v["kind"]),
                        "version": v["number"],
                        "signed_on": signed.get((agency_id, v["document_id"], v["number"])),
                    }
                    for v in documents
                ],
            }
        )
    reviews = [
        {
            "document": labels.get(v["kind"], v["kind"]),
            "version": v["number"],
            "review_due": v["review_due"],
            "overdue": date.fromisoformat(v["review_due"]) <= month_end,
        }
        for v in documents
        if date.fromisoformat(v["review_due"]) <= soon
    ]
    return {"agencies": rows, "reviews_due": reviews, "review_window_days": REVIEW_WARNING_DAYS}


def _funding(events: MonthEvents, names: dict, month: date) -> dict:
    year = financial_year_of(month)
    funded: dict[str, dict] = {}
    for e in events.standing:
        if e.action in (AuditAction.FUNDING_RECORDED, AuditAction.FUNDING_CHANGED) and e.data["financial_year"] == year:
            funded[e.data["agency_id"]] = e.data
    requested = Counter(e.data["agency_id"] for e in events.of(AuditAction.INFORMATION_REQUESTED))
    answered = Counter(e.data["agency_id"] for e in events.of(AuditAction.CONTRIBUTION_ADDED))
    patterns = dict(WorkingPattern.choices)
    rows = []
    for agency_id in set(_members(events)) | set(funded):
        f = funded.get(agency_id)
        rows.append(
            {
                "agency": names.get(agency_id, agency_id),
                "amount_gbp": f["amount_gbp"] if f else None,
                "staff_fte": f["staff_fte"] if f else None,
                "working_pattern": patterns.get(f["working_pattern"], f["working_pattern"]) if f else None,
                "requests": requested.get(agency_id, 0),
                "contributions": answered.get(agency_id, 0),
            }
        )
    return {
        "financial_year": financial_year_label(year),
        "agencies": sorted(rows, key=lambda r: r["agency"]),
        "total_gbp": str(sum((Decimal(f["amount_gbp"]) for f in funded.values()), Decimal("0.00"))),
        "total_fte": str(sum((Decimal(f["staff_fte"]) for f in funded.values()), Decimal("0.00"))),
    }


def _adults(events: MonthEvents) -> dict:
    adults = [e for e in events.of(AuditAction.REFERRAL_RECEIVED) if e.data["cohort"] == "adult"]
    types = Counter(concern for e in adults for concern in e.data.get("concerns", []))
    return {
        "referrals": len(adults),
        "type_of_risk": _counted(types, AdultRiskType),
        "location_of_risk": _counted(Counter(e.data.get("adult_risk_location", "") for e in adults), AdultRiskLocation),
        "source_of_risk": _counted(Counter(e.data.get("adult_risk_source", "") for e in adults), AdultRiskSource),
        "desired_outcomes": _desired_outcomes(events),
    }


def _desired_outcomes(events: MonthEvents) -> dict:
    """Making Safeguarding Personal, from the month's decisions on adults whose voice was recorded (the sign-off
    event's optional facts): asked what they wanted, outcomes expressed, and met fully, partly or not."""
    voiced = [e for e in first_sign_offs(events) if "adult_asked" in e.data]
    met = Counter(e.data.get("outcomes_met", "") for e in voiced if e.data.get("outcomes_expressed"))
    return {
        "decisions": len(voiced),
        "asked": sum(1 for e in voiced if e.data["adult_asked"]),
        "expressed": sum(1 for e in voiced if e.data.get("outcomes_expressed")),
        "met": _counted(met, OutcomesMet),
    }


def _strategy(events: MonthEvents) -> dict:
    """Strategy discussions recorded in the month (an event of the month, as every figure here; one held on the
    month's last evening and recorded the next morning counts in the next month): the agencies present, those missing
    a required agency (and the manager's reasons given in the month), the hours from the referral's receipt to the
    discussion, those held within the hub's hours after a Red rating, the decisions, and the s47 enquiries started.
    A discussion recorded before the payload carried its agency kinds and times counts only in the totals."""
    held = events.of(AuditAction.STRATEGY_DISCUSSION_RECORDED)
    counted = {k.value for k in STRATEGY_KINDS}  # the required and recommended kinds (housing, say, is not counted)
    kinds = Counter(kind for e in held for kind in e.data.get("agency_kinds", []) if kind in counted)
    hours = [_hours(at(e.data["held_at"]), at(e.data["received_at"])) for e in held if "received_at" in e.data]
    after_red = [e for e in held if e.data.get("red_at")]
    within = sum(
        1 for e in after_red if at(e.data["held_at"]) <= at(e.data["red_at"]) + timedelta(hours=e.data["due_hours"])
    )
    decisions = [d for cohort in STRATEGY_DECISIONS.values() for d in cohort]
    return {
        "discussions": len(held),
        "by_cohort": {
            "child": sum(1 for e in held if e.data.get("cohort") == "child"),
            "adult": sum(1 for e in held if e.data.get("cohort") == "adult"),
        },
        "agencies_present": _counted(kinds, STRATEGY_KINDS),
        "missing_required_agency": sum(1 for e in held if e.data["missing_kinds"]),
        "manager_reasons_given": len(events.of(AuditAction.STRATEGY_DISCUSSION_REASON_GIVEN)),
        "median_hours_from_referral": median(hours),
        "after_red": {
            "discussions": len(after_red),
            "within_hub_hours": within,
            "percent_within": percent(within, len(after_red)),
        },
        "by_decision": _counted(Counter(e.data["decision"] for e in held), decisions),
        "s47_started": sum(1 for e in held if e.data.get("s47_started_on")),
    }
