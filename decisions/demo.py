"""The demo hub's history: its referrals worked through the services with the clock set to each moment.

Each planned referral (referrals/demo.py `planned`) is received, recorded (a month's last evening's email the next
morning), screened, asked about (every core agency), answered, decided and signed off, and its handover acknowledged,
at plausible working-day times with realistic lateness: some screenings slow, some answers late, a few sign-offs the
next day, so the deadline sweep (run as beat would, every two simulated hours) records a few breaches. Each simulated
day commits on its own and the ledger is sealed at its end, so events and blocks carry the times they would have had.
What the plan puts after now has not happened yet: the newest referrals wait in the queue, a few answers are overdue.

Resumable and idempotent: the plan depends only on the hub's creation time (the history's start), and a step is done
when the hub's ledger already holds an event at or after its moment (steps run in time order, one day per
transaction), so running again changes nothing and an interrupted load carries on where it stopped.
"""

import random
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from agencies.access import remembered
from agencies.models import AgencyKind
from audit.models import AuditEvent
from audit.services import seal
from decisions import handover as handovers
from decisions import services
from decisions.models import OUTCOMES, Decision, Handover, InformationRequest
from referrals import selectors as referral_selectors
from referrals import triage
from referrals.deadlines import deadlines_sweep
from referrals.demo import screening_for
from referrals.matching import subject_matches_find
from referrals.models import Referral
from referrals.services import referral_create

HISTORY_DAYS = 105  # the history starts this long before the first load: three full months and a part
DEMO_HANDOVERS_WAITING = 3  # the newest cases handed over, not yet acknowledged by the receiving service
STUCK_ANSWERS = 3  # recent requests an agency has not answered yet: overdue in the present
OPENS, CLOSES = time(9, 0), time(17, 0)  # the hub's working day (its default)
SWEEP_EVERY = timedelta(hours=2)  # beat sweeps every minute; breaches here are recorded within two hours of due
PARTNER_MINUTES = {"red": 120, "amber": 240, "green": 360}
FINDINGS = [
    {"known": False},
    {"known": True, "summary": "Known to the agency: one previous contact, no current involvement.",
     "risk_indicators": ["previous_concerns"]},
    {"known": True, "summary": "Attendance has fallen this term; parents did not attend two meetings.",
     "risk_indicators": ["non_engagement"]},
]  # fmt: skip


@dataclass(order=True)
class Step:
    at: datetime
    seq: int
    kind: str = field(compare=False)
    index: int = field(compare=False)  # the planned referral
    extra: dict = field(compare=False, default_factory=dict)


def _opening(t: datetime) -> datetime:
    """`t` if the hub's people are at work then, else the next opening."""
    t = timezone.localtime(t)
    if t.weekday() < 5 and OPENS <= t.time() < CLOSES:
        return t
    day = t.date() if t.weekday() < 5 and t.time() < OPENS else t.date() + timedelta(days=1)
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return timezone.make_aware(datetime.combine(day, OPENS))


def working_after(t: datetime, minutes: float) -> datetime:
    """`minutes` of working time after `t` (out of hours the clock starts at the next opening)."""
    left = timedelta(minutes=minutes)
    while True:
        t = _opening(t)
        close = timezone.make_aware(datetime.combine(t.date(), CLOSES))
        if t + left <= close:
            return t + left
        left -= close - t
        t = close


def _after(t: datetime, red: bool, minutes: float) -> datetime:
    """Red cases are worked at any hour; the others in the working day."""
    return t + timedelta(minutes=minutes) if red else working_after(t, minutes)


def plan_steps(plan: list[dict], now: datetime, core: list[str]) -> list[Step]:
    """Every step of every planned referral, in time order, up to `now`; `core`: the core agencies' kinds (an adult's
    referral naming no child asks all but children's social care)."""
    rng = random.Random(7)  # noqa: S311 - repeatable synthetic data, not security
    steps: list[Step] = []
    handed: list[tuple[datetime, int]] = []
    recent = [i for i, p in enumerate(plan) if now - timedelta(days=2) < p["received"] < now - timedelta(hours=6)]
    stuck = set(rng.sample(recent, min(STUCK_ANSWERS, len(recent))))

    def add(at, kind, i, **extra):
        steps.append(Step(at, len(steps), kind, i, extra))

    for i, p in enumerate(plan):
        received = p["received"]
        if p["month_end"]:  # a month's last evening: read and recorded the next morning
            local = timezone.localtime(received)
            day = local.date() + timedelta(days=1)
            recorded = timezone.make_aware(datetime.combine(day, time(8, 40))) + timedelta(minutes=rng.randint(0, 50))
        elif p["channel"] == "email":
            recorded = working_after(received, rng.randint(10, 90))
        else:
            recorded = received + timedelta(minutes=rng.randint(1, 15))
        # Every planned referral is in the demo whatever the hour it is loaded: one that would be read only at the
        # next opening (an email overnight) is recorded just before now instead (then waits to be screened).
        recorded = min(recorded, max(received + timedelta(minutes=1), now - timedelta(minutes=5)))
        add(recorded, "receive", i)
        immediate = p["data"]["immediate_risk"]
        rating = "red" if immediate else rng.choices(["red", "amber", "green"], weights=[8, 37, 55])[0]
        red = rating == "red"
        slow = rng.random() < 0.03
        quick = 0.2 if immediate else 1  # someone at immediate risk: a decision within the hour, if it can be had
        screened = _after(recorded, red, rng.randint(300, 500) if slow else rng.randint(10, 30 if red else 60) * quick)
        add(screened, "screen", i, rating=rating)
        asked = screened + timedelta(minutes=rng.randint(2, 10))
        add(asked, "ask", i)
        answers = []
        for agency, kind in enumerate(core):
            if p["adult"] and kind == AgencyKind.CHILDRENS_SOCIAL_CARE:
                continue
            share = rng.uniform(1.2, 1.8) if rng.random() < 0.025 else rng.uniform(0.1, 0.7) * quick
            answered = _after(asked, red, PARTNER_MINUTES[rating] * share)
            if i in stuck and agency == len(core) - 1:
                answered = now + timedelta(days=365)  # not answered yet
            answers.append(answered)
            add(answered, "answer", i, agency=agency)
        proposed = _after(max(answers), red, rng.randint(10, 40) * quick)
        if red:  # a strategy discussion before the decision (its own draws: the plan's sequence stays the same)
            held = min(a for a in answers) + timedelta(minutes=random.Random(f"strategy {i}").randint(20, 90))  # noqa: S311
            add(held, "strategy", i)
            proposed = max(proposed, held + timedelta(minutes=15))
        signed = _after(proposed, red, rng.randint(480, 700) if rng.random() < 0.03 else rng.randint(5, 45) * quick)
        outcome = rng.choice(OUTCOMES["adult" if p["adult"] else "child"].values[:4])
        add(proposed, "propose", i, outcome=outcome)
        add(signed, "sign", i)
        if outcome in handovers.HANDED_OVER.get("adult" if p["adult"] else "child", set()) and signed < now:
            handed.append((signed, i))
    handed.sort()
    for signed, i in handed[:-DEMO_HANDOVERS_WAITING]:
        add(min(working_after(signed, rng.randint(30, 900)), now - timedelta(minutes=5)), "acknowledge", i)
    return sorted(s for s in steps if s.at < now)


def _month_steps(start: datetime, now: datetime) -> list[Step]:
    """A return step at 02:00 on each 1st after `start`'s month began, for the month before, up to `now`."""
    steps, month = [], timezone.localtime(start).date().replace(day=1)
    while True:
        following = (
            month.replace(year=month.year + 1, month=1) if month.month == 12 else month.replace(month=month.month + 1)
        )
        at = timezone.make_aware(datetime.combine(following, time(2, 0)))
        if at >= now:
            return steps
        steps.append(Step(at, -1, "month", -1, {"month": month}))
        month = following


class History:
    """Runs the plan's steps at their moments; `people`: practitioner, manager and {agency id: officer}."""

    def __init__(self, hub, agencies: dict, plan: list[dict], *, practitioner, manager, officers: dict):
        self.hub, self.agencies, self.plan = hub, agencies, plan
        self.practitioner, self.manager, self.officers = practitioner, manager, officers
        self.core = services.core_agencies(hub)
        self.referrals = {r.received_at: r.pk for r in Referral.objects.filter(hub=hub).only("pk", "received_at")}

    def run(self, now: datetime, travel, monthly=None) -> int:
        """Every step not done yet, one simulated day per transaction, the ledger sealed at each day's end; `travel`
        sets the clock (time_machine.travel); `monthly(hub, month)` builds a month's return, called at 02:00 on the
        next month's 1st. Returns how many steps ran."""
        steps = plan_steps(self.plan, now, [a.kind for a in self.core])
        if monthly is not None:
            steps = sorted(steps + _month_steps(self.plan[0]["received"], now))
        last = AuditEvent.objects.filter(hub_id=self.hub.pk, occurred_at__lt=now).aggregate(m=Max("occurred_at"))["m"]
        steps = [s for s in steps if last is None or s.at > last]
        groups: list[list[Step]] = []  # a day's steps, or one return
        for step in steps:
            day = timezone.localtime(step.at).date()
            previous = groups[-1][-1] if groups else None
            if (
                previous is None
                or step.kind == "month"
                or previous.kind == "month"
                or (timezone.localtime(previous.at).date() != day)
            ):
                groups.append([])
            groups[-1].append(step)
        for group in groups:
            if group[0].kind == "month":
                with travel(group[0].at):
                    monthly(self.hub, group[0].extra["month"])
                continue
            self._day(group, travel)
            day = timezone.localtime(group[-1].at).date()
            end = timezone.make_aware(datetime.combine(day, time(23, 59)))
            with travel(min(end, max(group[-1].at, now - timedelta(minutes=1)))):
                seal()  # beat seals every minute: here at each simulated day's end
        return len(steps)

    def _day(self, steps: list[Step], travel) -> None:
        swept = None
        with remembered(), transaction.atomic():  # people's access resolved once a simulated day
            for step in steps:
                hour = step.at.replace(minute=0, second=0, microsecond=0)
                if swept is None or hour - swept >= SWEEP_EVERY:  # beat's sweep, every few simulated hours of work
                    with travel(hour):
                        deadlines_sweep(hour)
                    swept = hour
                with travel(step.at):
                    getattr(self, step.kind)(step)

    # The steps -------------------------------------------------------------------------------------------------

    def _referral(self, step: Step) -> Referral:
        return Referral.objects.get(pk=self.referrals[self.plan[step.index]["received"]])

    def receive(self, step: Step) -> None:
        p = self.plan[step.index]
        referral = referral_create(
            hub=self.hub, data=p["data"], channel=p["channel"], referring_agency=self.agencies.get(p["agency"]),
            history=True,
        )  # fmt: skip
        # The worker looks for the subject among the hub's earlier records at once after the commit: so here, so that
        # no demo page says the hub's records are "still being checked" while the worker works through the backlog.
        subject_matches_find(referral_id=referral.pk)
        self.referrals[referral.received_at] = referral.pk

    def screen(self, step: Step) -> None:
        referral = self._referral(step)
        version = referral_selectors.thresholds_current(self.hub, referral.cohort)
        screening = screening_for(version, step.extra["rating"], referral.immediate_risk)
        triage.referral_screen(referral=referral, by=self.practitioner, **screening, rationale="Demo screening.")

    def ask(self, step: Step) -> None:
        services.information_request(referral=self._referral(step), by=self.practitioner)

    def answer(self, step: Step) -> None:
        agency = self.core[step.extra["agency"]]
        request = InformationRequest.objects.filter(referral_id=self._referral(step).pk, agency=agency).first()
        rng = random.Random(step.seq)  # noqa: S311 - repeatable synthetic data, not security
        if request is not None:
            services.contribution_add(request=request, by=self.officers[agency.pk], data=rng.choice(FINDINGS))

    def propose(self, step: Step) -> None:
        referral = self._referral(step)
        services.decision_propose(
            referral=referral, by=self.practitioner, outcome=step.extra["outcome"],
            threshold_level=referral.threshold_level, participants=self.core, actions=[],
            rationale="Demo decision: the agencies' information read together with the referral.",
        )  # fmt: skip

    def strategy(self, step: Step) -> None:
        """Red: a strategy discussion with the core agencies (now and then without health, the manager's reason
        given later), mostly starting a section 47 (children) or section 42 (adults) enquiry that day."""
        referral = self._referral(step)
        rng = random.Random(f"strategy {step.index}")  # noqa: S311 - repeatable synthetic data, not security
        held = timezone.localtime(step.at)
        present = [a for a in self.core if not (a.kind == AgencyKind.HEALTH and rng.random() < 0.1)]
        if referral.cohort == "adult":
            present = [a for a in present if a.kind != AgencyKind.CHILDRENS_SOCIAL_CARE]
            decision = rng.choices(["s42_enquiry", "other_enquiry", "no_enquiry"], weights=[6, 2, 1])[0]
        else:
            present = [a for a in present if a.kind != AgencyKind.ADULT_SOCIAL_CARE]
            decision = rng.choices(["s47_joint_police", "s47_single_agency", "no_s47"], weights=[5, 3, 2])[0]
        data = {
            "held_on": held.date().isoformat(), "held_time": f"{held:%H:%M}", "mode": rng.choice(["meeting", "phone", "virtual"]),
            "participants": [{"agency": a, "role": "Duty lead"} for a in present], "decision": decision,
            "reason": "Demo: the threshold for an enquiry is not met." if decision.startswith("no_") else "",
            "s47_started_on": held.date().isoformat() if decision.startswith("s47") else None, "actions": [],
        }  # fmt: skip
        services.strategy_discussion_record(referral=referral, by=self.practitioner, data=data)

    def sign(self, step: Step) -> None:
        decision = Decision.objects.filter(referral_id=self._referral(step).pk, state="proposed").first()
        if decision is not None:
            services.decision_sign_off(decision=decision, by=self.manager)

    def acknowledge(self, step: Step) -> None:
        handover = Handover.objects.filter(decision__referral_id=self._referral(step).pk).first()
        if handover is not None and handover.agency_id in self.officers:
            handovers.handover_acknowledge(handover=handover, by=self.officers[handover.agency_id])
