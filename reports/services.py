"""Monthly returns: asking for one (a lead, a manager, or beat on the 1st) and building it (the Celery job).

Building seals the ledger, verifies the hub's chain and checks it against the heads earlier returns recorded and the
signed-heads log kept outside the database (reports/heads.py; a tampered ledger stops the build naming the block),
computes the figures from the month's events, notes the newest block and hash they cover, draws the PDF and
keeps it all on the return. Each step updates the progress the reports page shows.
"""

import hashlib
import json
from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext, gettext_noop

from agencies.access import access_for
from agencies.models import Hub
from agencies.policy import Action, require
from audit import anchor, ledger_checks
from audit.events.actions import AuditAction
from audit.events.payloads import ReturnFailed, ReturnGenerated, ReturnRequested
from audit.models import AuditBlock, AuditEvent, seal_key_field
from audit.services import record, seal
from mash.queue import after_commit, send
from mash.schemas import validated
from reports import pdf
from reports.figures import monthly_figures
from reports.heads import anchored_problem
from reports.ledger import month_bounds
from reports.models import MonthlyReturn, ReturnState
from reports.schemas import ReturnRequestSchema

BUILD_TASK = "reports.tasks.return_build"
TO_DATE_EVERY = timedelta(hours=1)  # at most one month-to-date return per hub in this time, whoever asks


class LedgerNotIntact(Exception):
    """The hub's chain failed verification: no return is built from it."""


class NotSealedYet(Exception):
    """Some event of the month lies in no block yet: a transaction that was open when the ledger was sealed (on
    PostgreSQL the seal stops below the oldest running transaction). The job waits and tries again."""


def month_has_started(month: date) -> bool:
    return month_bounds(month)[0] <= timezone.now()


def figures_digest(figures: dict) -> str:
    text = json.dumps(figures, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()


@transaction.atomic
def return_request(*, hub: Hub, month: date, by=None, commentary: str = "", language: str = "") -> MonthlyReturn:
    """Queue a hub's return for a month: one that has ended, or this month to date (provisional: its figures will
    change until the month ends). `by` None is beat's scheduled build. `language` is its PDF's (the hub's if not
    given)."""
    if by is not None:
        require(access_for(by, hub.pk), Action.RETURN_REQUEST)
    clean = validated(ReturnRequestSchema, {"month": month, "commentary": commentary, "language": language})
    month, commentary, language = clean["month"], clean["commentary"], clean["language"] or hub.language
    if month_bounds(month)[1] > timezone.now():
        _to_date_allowed(hub, month)
    row = MonthlyReturn.objects.create(hub=hub, month=month, requested_by=by, commentary=commentary, language=language)
    record(
        AuditAction.RETURN_REQUESTED,
        hub=hub,
        obj=row,
        payload=ReturnRequested(month=f"{month:%Y-%m}", scheduled=by is None),
    )
    # If the broker is down the return stays queued and `returns_resume` sends it again.
    after_commit(BUILD_TASK, str(row.pk))
    return row


def _to_date_allowed(hub: Hub, month: date) -> None:
    """A month-to-date return at most once an hour per hub: two built either side of one referral would show it
    whole by their difference; suppression blurs that, and the wait bounds how often it can be tried."""
    Hub.objects.select_for_update().filter(pk=hub.pk).first()  # two requests at once: one waits for the other
    now = timezone.now()
    last = (
        MonthlyReturn.objects.filter(hub=hub, month=month, created_at__gt=now - TO_DATE_EVERY)
        .exclude(state=ReturnState.FAILED)
        .order_by("-created_at")
        .values_list("created_at", flat=True)
        .first()
    )
    if last is not None:
        asked, after = timezone.localtime(last), timezone.localtime(last + TO_DATE_EVERY)
        message = gettext(
            "A return for this month to date was asked for at %(asked)s: one may be built each hour, so the next "
            "from %(after)s on %(day)s"
        ) % {"asked": f"{asked:%H:%M}", "after": f"{after:%H:%M}", "day": date_format(after, "j F")}
        raise ValidationError({"month": message})


def _progress(row: MonthlyReturn, percent: int, step: str) -> None:
    MonthlyReturn.objects.filter(pk=row.pk).update(progress=percent, step=step, updated_at=timezone.now())


def _claim(return_id) -> MonthlyReturn | None:
    """Take the return to build; None if another worker has it or it is already built."""
    with transaction.atomic():
        rows = MonthlyReturn.objects.select_for_update(skip_locked=True).select_related("hub")
        row = rows.filter(pk=return_id, state__in=[ReturnState.QUEUED, ReturnState.BUILDING]).first()
        if row is None:
            return None
        row.claim()
        return row


def covered_block(hub: Hub, month: date, until=None) -> AuditBlock | None:
    """The newest block of the hub's chain holding an event that occurred before the month ended; None if the hub
    has no such event. NotSealedYet if that event is in no block yet: figures are only computed from sealed events."""
    start, end = month_bounds(month)
    end = min(end, until) if until else end
    key = seal_key_field()
    events = AuditEvent.objects.filter(hub_id=hub.pk, occurred_at__lt=end)
    newest = events.filter(occurred_at__gte=start).aggregate(k=Max(key))["k"]
    if newest is None:
        last = events.order_by("-occurred_at").values_list(key, flat=True).first()
        newest = last
    if newest is None:
        return None
    block = AuditBlock.objects.filter(chain=hub.pk, lower_bound__lte=newest, upper_bound__gt=newest).first()
    if block is None:
        raise NotSealedYet
    return block


def return_build(*, return_id) -> MonthlyReturn | None:
    """The job: seal, verify, compute, draw, keep. Fails the return (never silently) on any error."""
    row = _claim(return_id)
    if row is None:
        return None
    hub = row.hub
    cutoff = timezone.now()  # a month still running counts the events before the build began
    try:
        # The steps are kept in the source language, as the row's data; the page shows them in the reader's.
        _progress(row, 15, gettext_noop("Sealing the ledger"))
        seal()
        block = covered_block(hub, row.month, cutoff)
        _progress(row, 30, gettext_noop("Checking the hub's audit chain and computing the figures"))
        # The check recomputes the blocks sealed since the month began (all the month's events lie in them) and any
        # after the chain's last verified head (docs/adr/0020). It runs beside the figures and the PDF; nothing is
        # kept unless it finds the chain intact.
        with ledger_checks.checking_alongside(hub, since=month_bounds(row.month)[0]) as checking:
            try:
                _draw(row, block, cutoff)
            except Exception as exc:
                # Events changed behind the application's back can break the figures: the check says why.
                if not (report := checking.result()).intact:
                    raise LedgerNotIntact(report.summary()) from exc
                raise
            _progress(row, 85, gettext_noop("Checking the hub's audit chain"))
            report = checking.result()
        if not report.intact:
            raise LedgerNotIntact(report.summary())
        if problem := anchored_problem(hub):
            raise LedgerNotIntact(problem)
        verified = report.heads.get(str(hub.pk))
        row.heads = {"hub": anchor.head_of(hub.pk, number=verified[0] if verified else None)}
        with transaction.atomic():
            row.finish()
            record(
                AuditAction.RETURN_GENERATED,
                hub=hub,
                obj=row,
                payload=ReturnGenerated(
                    month=f"{row.month:%Y-%m}",
                    block=row.block_number,
                    block_hash=row.block_hash,
                    figures_digest=row.figures_digest,
                ),
            )
    except NotSealedYet:
        _wait_for_seal(row)  # not a failure: the task tries again shortly
        raise
    except Exception as exc:
        _fail(row, exc)
        if not isinstance(exc, LedgerNotIntact):
            raise
    return row


def _draw(row: MonthlyReturn, block, cutoff) -> None:
    """The figures and the PDF, on the row (kept only if the build finishes)."""
    figures = monthly_figures(row.hub, row.month, cutoff)
    row.block_number = block.number if block else None
    row.block_hash = bytes(block.hash).hex() if block else ""
    row.figures, row.figures_digest = figures, figures_digest(figures)
    row.cutoff, row.built_at = cutoff, timezone.now()
    _progress(row, 60, gettext_noop("Drawing the PDF"))
    row.pdf = pdf.render(row)


def _fail(row: MonthlyReturn, exc: Exception) -> None:
    message = (
        str(exc) if isinstance(exc, LedgerNotIntact) else f"The build stopped with an error ({type(exc).__name__})"
    )
    # What the build drew before it stopped is not kept, in the row or in memory.
    row.refresh_from_db(fields=["figures", "figures_digest", "pdf", "cutoff", "built_at", "block_number", "block_hash",
                                "heads"])  # fmt: skip
    with transaction.atomic():
        row.fail(message)
        reason = "ledger_not_intact" if isinstance(exc, LedgerNotIntact) else "error"
        payload = ReturnFailed(month=f"{row.month:%Y-%m}", reason=reason)
        record(AuditAction.RETURN_FAILED, hub=row.hub, obj=row, payload=payload)


def _wait_for_seal(row: MonthlyReturn) -> None:
    row.wait(gettext_noop("Waiting for the month's last events to be sealed"))


def previous_month(today: date) -> date:
    """The first day of the month before the one `today` is in."""
    first = today.replace(day=1)
    return first.replace(year=first.year - 1, month=12) if first.month == 1 else first.replace(month=first.month - 1)


def returns_schedule(*, today: date | None = None) -> list[MonthlyReturn]:
    """Beat, on the 1st: queue last month's return of every hub that has none built or on its way."""
    month = previous_month(today or timezone.localdate())
    have = set(
        MonthlyReturn.objects.filter(month=month).exclude(state=ReturnState.FAILED).values_list("hub_id", flat=True)
    )
    return [return_request(hub=hub, month=month) for hub in Hub.objects.exclude(pk__in=have).order_by("name")]


def returns_resume(*, stale_after_seconds: int = 600) -> int:
    """Beat: queue again any return still waiting (its task lost with a broker or a worker)."""
    stale = timezone.now() - timedelta(seconds=stale_after_seconds)
    waiting = MonthlyReturn.objects.filter(
        state__in=[ReturnState.QUEUED, ReturnState.BUILDING], updated_at__lt=stale
    ).values_list("pk", flat=True)
    for pk in waiting:
        send(BUILD_TASK, str(pk))
    return len(waiting)
