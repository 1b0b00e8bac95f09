"""Evidence on practice: a month's figures that let a hub learn from what it does, from ledger events only.

- Timeliness: decisions (first sign-offs) made within one working day of the referral's receipt (the hub's working
  days and hours, bank holidays skipped: mash/workinghours.py), and within the rating's timescale (the rating
  deadline's due time in force when decided); by the referring agency and by its working pattern.
- Requests for information answered on time (the answers given in the month), by the answering agency and its
  pattern.
- Re-referrals: the month's referrals about children confirmed as the same child referred within 12 months, by the
  referring agency and its pattern.
- Contact-to-referral conversion: of the contacts concluded in the month (decisions signed off and Blue referrals
  closed with no MASH response), those that needed a MASH response.
- Outcomes of the contacts concluded, by the referring agency's working pattern and by agency.
- Strategy discussion attendance: for each agency kind, the discussions it was required at (or, for education,
  recommended at) and those it took part in.

An agency's working pattern is the one on its funding record for the month's financial year, else on its newest
earlier record; an agency with none reads "Pattern not recorded". Each group carries its base and count; where both
it and the rest have a base of 5 or more, `p_value` is the two-proportion test of the group against the rest
(reports/proportions.py), and the page words it. Month on month (reports/evidence_trend.py): the last 12 months.
"""

from collections import Counter
from datetime import datetime, time

from django.conf import settings
from django.utils.translation import gettext_noop

from agencies.models import AgencyKind, WorkingPattern
from agencies.models import financial_year_of as financial_year
from audit.events.actions import AuditAction
from decisions.models import NO_MASH_RESPONSE, OUTCOMES, outcome_label
from decisions.models.strategy import RECOMMENDED_KINDS, REQUIRED_KINDS
from mash.workinghours import due_after
from reports.ledger import Event, MonthEvents, _chunks, _events, _hub_events, at, first_sign_offs, rating_due
from reports.proportions import percent, two_proportion_p

# Labels kept in the source language in the figures (the pages and the PDF translate them: mash.words.translated).
NO_AGENCY = gettext_noop("No referring agency")
NOT_RECORDED, NO_AGENCY_CODE = "not_recorded", "no_agency"
PATTERNS = [(p.value, p.label) for p in (WorkingPattern.CO_LOCATED, WorkingPattern.HYBRID, WorkingPattern.REMOTE)]
PATTERNS += [(NOT_RECORDED, gettext_noop("Pattern not recorded"))]
REFERRER_PATTERNS = [*PATTERNS, (NO_AGENCY_CODE, NO_AGENCY)]
ATTENDANCE_KINDS = [AgencyKind.POLICE, AgencyKind.CHILDRENS_SOCIAL_CARE, AgencyKind.ADULT_SOCIAL_CARE,
                    AgencyKind.HEALTH, AgencyKind.EDUCATION]  # fmt: skip
TIMED = ("red", "amber", "green")
MEASURES = ("decided_within_day", "decided_within_timescale", "requests_on_time", "re_referrals", "conversion")


class Practice:
    """What the month's events say about the agencies: names, working patterns, referring agencies; and the hub's
    working calendar as its ledger last recorded it before the month ended."""

    def __init__(self, hub, events: MonthEvents, names: dict[str, str]):
        self.events, self.names = events, names
        self.patterns = _patterns(events)
        self.members = [e.data["agency_id"] for e in events.standing if e.action == AuditAction.MEMBERSHIP_SET]
        self.calendar = calendar_of(hub, events.until)
        self._referrers = {rid: e.data.get("referring_agency_id") for rid, e in events.received.items()}

    def referrer(self, referral_id: str) -> str | None:
        return self._referrers.get(referral_id)

    def learn_referrers(self, hub, referral_ids) -> None:
        """The referring agency of referrals received before the month (closed in it): one query per 500."""
        missing = sorted(set(referral_ids) - self._referrers.keys())
        for chunk in _chunks(missing):
            received = _hub_events(
                hub, occurred_at__lt=self.events.until, action=AuditAction.REFERRAL_RECEIVED, object_id__in=chunk
            )
            for e in _events(received):
                self._referrers[e.object_id] = e.data.get("referring_agency_id")

    def pattern(self, agency_id: str | None) -> str:
        if not agency_id:
            return NO_AGENCY_CODE
        return self.patterns.get(agency_id, NOT_RECORDED)

    def agency(self, agency_id: str | None) -> str:
        return self.names.get(agency_id, agency_id) if agency_id else NO_AGENCY

    def within_day(self, received: datetime, decided: datetime) -> bool:
        day = datetime.combine(datetime.min, self.calendar["day_ends"]) - datetime.combine(
            datetime.min, self.calendar["day_starts"]
        )
        return decided <= due_after(received, day, counting="working", **self.calendar)


def _patterns(events: MonthEvents) -> dict[str, str]:
    """Each agency's working pattern: the month's financial year's funding record, else its newest earlier one."""
    year = financial_year(events.start.date())
    chosen: dict[str, tuple[int, str]] = {}
    for e in events.standing:
        if e.action in (AuditAction.FUNDING_RECORDED, AuditAction.FUNDING_CHANGED) and e.data["financial_year"] <= year:
            held = chosen.get(e.data["agency_id"])
            if held is None or e.data["financial_year"] >= held[0]:
                chosen[e.data["agency_id"]] = (e.data["financial_year"], e.data["working_pattern"])
    return {agency_id: pattern for agency_id, (_, pattern) in chosen.items() if pattern}


def calendar_of(hub, until: datetime) -> dict:
    """The hub's working days and hours from its `hub.created` and `hub.updated` events before `until` (the hub's
    row for anything the ledger does not say): a month built again counts with the calendar it had."""
    known = {"working_days": hub.working_days or [0, 1, 2, 3, 4], "day_starts": hub.working_day_starts,
             "day_ends": hub.working_day_ends}  # fmt: skip
    rows = _hub_events(hub, occurred_at__lt=until, action__in=[AuditAction.HUB_CREATED, AuditAction.HUB_UPDATED])
    for e in _events(rows.filter(object_id=str(hub.pk))):
        if e.data.get("working_days"):
            known["working_days"] = e.data["working_days"]
        for key, field in (("day_starts", "working_day_starts"), ("day_ends", "working_day_ends")):
            if e.data.get(field):
                known[key] = time.fromisoformat(e.data[field])
    return {**known, "tz": settings.TIME_ZONE}


# Groups and their tests --------------------------------------------------------------------------------------------


def _groups(items: list[tuple[str, bool]], choices: list[tuple[str, str]], total: int, hits: int) -> list[dict]:
    """One row per choice (zeros included), each with its base, count and percent, and, where it and the rest have
    a base of 5 or more, the rest's and the p-value of the difference."""
    base, count = Counter(key for key, _ in items), Counter(key for key, hit in items if hit)
    seen = {code for code, _ in choices}
    choices = choices + [(key, key) for key in sorted(base) if key not in seen]
    rows = []
    for code, label in choices:
        n, k = base.get(code, 0), count.get(code, 0)
        rest_n, rest_k = total - n, hits - k
        rows.append(
            {
                "code": code,
                "label": label,
                "base": n,
                "count": k,
                "percent": percent(k, n),
                "others": {"base": rest_n, "count": rest_k, "percent": percent(rest_k, rest_n)},
                "p_value": two_proportion_p(k, n, rest_k, rest_n),
            }
        )
    return rows


def _measure(practice: Practice, facts: list[tuple[str | None, bool]], patterns) -> dict:
    """A proportion (hits of a base) overall, by the agencies' working patterns and by agency."""
    hits = sum(1 for _, hit in facts if hit)
    agencies = {practice.agency(a) for a in practice.members} | {practice.agency(a) for a, _ in facts}
    if any(a is None for a, _ in facts):
        agencies.add(NO_AGENCY)
    by_agency = [(practice.agency(a), hit) for a, hit in facts]
    return {
        "base": len(facts),
        "count": hits,
        "percent": percent(hits, len(facts)),
        "by_pattern": _groups([(practice.pattern(a), hit) for a, hit in facts], patterns, len(facts), hits),
        "by_agency": _groups(by_agency, [(a, a) for a in sorted(agencies)], len(facts), hits),
    }


# The month ---------------------------------------------------------------------------------------------------------


def month_evidence(hub, events: MonthEvents, names: dict[str, str]) -> dict:
    """The month's evidence, without the months before it."""
    practice = Practice(hub, events, names)
    decisions = first_sign_offs(events)
    closed = events.of(AuditAction.REFERRAL_CLOSED_NO_RESPONSE)
    practice.learn_referrers(hub, [e.object_id for e in closed])

    def referrer(e: Event) -> str | None:
        return practice.referrer(e.data["referral_id"])

    within_day = [(referrer(e), practice.within_day(at(e.data["received_at"]), e.at)) for e in decisions]
    timed = [e for e in decisions if e.data.get("rating") in TIMED]
    within_timescale = [
        (referrer(e), bool((due := rating_due(events, e.data["referral_id"], e.at)) and e.at <= due)) for e in timed
    ]
    answers = [(e.data["agency_id"], bool(e.data.get("on_time"))) for e in events.of(AuditAction.CONTRIBUTION_ADDED)]
    again = {
        e.object_id
        for e in events.of(AuditAction.SUBJECT_MATCH_CONFIRMED)
        if e.data.get("re_referral") and not _undone(e, events)
    }
    children = [e for e in events.of(AuditAction.REFERRAL_RECEIVED) if e.data["cohort"] == "child"]
    re_referred = [(e.data.get("referring_agency_id"), e.object_id in again) for e in children]
    concluded = [(referrer(e), True) for e in decisions] + [(practice.referrer(e.object_id), False) for e in closed]
    return {
        "decided_within_day": _measure(practice, within_day, REFERRER_PATTERNS),
        "decided_within_timescale": _measure(practice, within_timescale, REFERRER_PATTERNS),
        "requests_on_time": _measure(practice, answers, PATTERNS),
        "re_referrals": _measure(practice, re_referred, REFERRER_PATTERNS),
        "conversion": _measure(practice, concluded, REFERRER_PATTERNS),
        "outcomes": _outcomes(practice, decisions, closed),
        "strategy_attendance": _attendance(events),
    }


def _undone(confirmed: Event, events: MonthEvents) -> bool:
    if "link_id" in confirmed.data:
        return confirmed.data["link_id"] in events.undone_links
    return (confirmed.object_id, confirmed.data["candidate_referral_id"]) in events.undone_pairs


def _outcome_codes() -> list[tuple[str, str, str]]:
    codes = [(cohort, c.value, c.label) for cohort, choices in OUTCOMES.items() for c in choices]
    return codes + [("", NO_MASH_RESPONSE, outcome_label("", NO_MASH_RESPONSE))]


def _outcomes(practice: Practice, decisions: list[Event], closed: list[Event]) -> dict:
    """Each outcome's count and share of the contacts concluded, for each working pattern and each agency."""
    concluded = [
        (practice.referrer(e.data["referral_id"]), practice.events.cohort(e.data["referral_id"]), e.data["outcome"])
        for e in decisions
    ]
    concluded += [(practice.referrer(e.object_id), "", NO_MASH_RESPONSE) for e in closed]
    codes = _outcome_codes()
    known = {(c, o) for c, o, _ in codes}
    codes += sorted({(c, o, o) for _, c, o in concluded if (c, o) not in known})

    def table(key, choices) -> list[dict]:
        groups = []
        for code, label in choices:
            mine = Counter((c, o) for a, c, o in concluded if key(a) == code)
            n = sum(mine.values())
            rows = [
                {"cohort": c, "code": o, "label": words, "base": n, "count": mine.get((c, o), 0),
                 "percent": percent(mine.get((c, o), 0), n)}
                for c, o, words in codes
            ]  # fmt: skip
            groups.append({"code": code, "label": label, "decided": n, "outcomes": rows})
        return groups

    agencies = sorted({practice.agency(a) for a in practice.members} | {practice.agency(a) for a, _, _ in concluded})
    return {
        "decided": len(concluded),
        "by_pattern": table(practice.pattern, REFERRER_PATTERNS),
        "by_agency": table(practice.agency, [(a, a) for a in agencies]),
    }


def _attendance(events: MonthEvents) -> dict:
    """For each agency kind: the discussions recorded in the month that needed it (required for the discussion's
    cohort; education is recommended at every one), and those it took part in. A discussion recorded before the
    payload carried its cohort and agency kinds is left out of the bases."""
    held = [e for e in events.of(AuditAction.STRATEGY_DISCUSSION_RECORDED) if "agency_kinds" in e.data]
    rows = []
    for kind in ATTENDANCE_KINDS:
        needed = [
            e for e in held if kind in REQUIRED_KINDS.get(e.data.get("cohort", ""), []) or kind in RECOMMENDED_KINDS
        ]
        present = sum(1 for e in needed if kind.value in e.data["agency_kinds"])
        rows.append(
            {
                "code": kind.value,
                "label": kind.label,
                "required": kind not in RECOMMENDED_KINDS,
                "base": len(needed),
                "count": present,
                "percent": percent(present, len(needed)),
            }
        )
    return {"discussions": len(held), "by_kind": rows}
