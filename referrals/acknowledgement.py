"""Telling the referrer: that the referral was received (at once) and its outcome (within one working day of the
decision), both recorded in the ledger and shown on the referral page.

A referral made through the web form, by phone or by email is acknowledged by email when `referrer_contact` is an
email address (Django's validator decides); an agency's system (API) reads `referral.received` in its change feed
and is sent a `referral.received` webhook notice (REFERRAL_RECEIVED_HOOKS: the decisions app writes it, in the same
transaction). The emails reuse the notifications outbox: a `Notification` row with the referrer's address and body,
written in the transaction of what it tells and sent after the commit by `referrals.tasks.notices_deliver` (beat
runs it every minute too, so a lost task or a broker outage only delays it; a send that fails stays unsent and is
tried again). The outcome email has a deadline of its own (one working day, the hub's decision allowance): met when
it is sent, breached by the sweep, which tells the managers, when it was not.

Emails are plain text and carry the reference, the hub's name and what happens next: never a name or a detail of
the case. A referrer who is not a professional (no referring agency and an individual's, anonymous or unknown
source code) is told the referral was dealt with, not the outcome.
"""

import json
import logging

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone, translation
from django.utils.module_loading import import_string
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from agencies.access import access_for_agency
from agencies.policy import Action, may
from audit.events.actions import AuditAction
from audit.events.payloads import ReferrerTold
from audit.models import AuditEvent
from audit.services import record
from mash.dates import date as date_text
from mash.prepared import Prepared
from mash.queue import after_commit
from referrals import deadlines
from referrals.models import Channel, Deadline, DeadlineKind, DeadlineState, Notification, Referral, ReferrerNews

logger = logging.getLogger("referrals.acknowledgement")
DELIVER_TASK = "referrals.tasks.notices_deliver"
NO_ADDRESS = _("No: the referrer has no email address on record; tell them by phone or letter")
# Annex A source codes of professionals (schools, health, housing, the local authority, police, legal agencies):
# their referrers are told the outcome in words. Individuals, "other", anonymous and unknown are not.
PROFESSIONAL_SOURCES = {"2A", "2B", "3A", "3B", "3C", "3D", "3E", "3F", "4", "5A", "5B", "5C", "5D", "6", "7"}
CHANNEL_WORDS = {
    "email": _("by email"),
    "webhook": _("by a notice to the agency's system"),
    "feed": _("in the agency's feed"),
}


def email_of(contact: str) -> str:
    """The referrer's contact as an email address, or '' when it is not one (a phone number, a name)."""
    contact = (contact or "").strip()
    try:
        validate_email(contact)
    except ValidationError:
        return ""
    return contact


def _one_line(text: str) -> str:
    return " ".join(str(text).split())


def _local(moment) -> str:
    """'5 Jan 2027 at 14:30', in the active language (the hub's, in an email)."""
    local = timezone.localtime(moment)
    return gettext("%(day)s at %(time)s") % {"day": date_text(local, "j M Y"), "time": date_text(local, "H:i")}


def _short(moment) -> str:
    """'5 Jan 14:30', in the active language."""
    return date_text(timezone.localtime(moment), "j M H:i")


def _queue(referral: Referral, about: str, address: str, subject: str, body: str) -> None:
    Notification.objects.create(
        hub_id=referral.hub_id, referral=referral, about=about, address=address, subject=_one_line(subject)[:200],
        body=body, created_at=timezone.now(),
    )  # fmt: skip
    after_commit(DELIVER_TASK)


def receipt_tell(referral: Referral) -> None:
    """In the referral's own transaction: the receipt email queued, or an agency's system notified."""
    if referral.channel == Channel.API:
        agency = referral.referring_agency
        if agency is None or not may(access_for_agency(referral.hub, agency), Action.OUTCOME_NOTICE, referral):
            return  # an agency without a current agreement reads nothing back (not even its feed)
        for hook in settings.REFERRAL_RECEIVED_HOOKS:  # apps above this one (its webhooks: decisions/)
            import_string(hook)(referral=referral)
        _told(AuditAction.REFERRAL_ACKNOWLEDGED, referral, "feed")  # `referral.received` is in its feed from now
        return
    address = email_of(referral.referrer_contact)
    if not address:
        return
    hub = _one_line(referral.hub.name)
    with translation.override(referral.hub.language):  # the hub's language, whoever recorded the referral
        body = "\n\n".join(
            [
                gettext("%(hub)s received your referral on %(when)s.")
                % {"hub": hub, "when": _local(referral.received_at)},
                gettext("Its reference is %(reference)s. Please quote it if you contact us.")
                % {"reference": referral.reference},
                gettext(
                    "What happens next: the hub checks what the police, health, social care and other agencies know, "
                    "and decides within one working day what help or protection is needed. We will email you when "
                    "that is decided."
                ),
                gettext("If someone is in immediate danger, call 999."),
                gettext("Please do not send details of the case by email. This message names no person."),
            ]
        )
        subject = gettext("%(reference)s: your referral was received by %(hub)s") % {
            "reference": referral.reference,
            "hub": hub,
        }
    _queue(referral, ReferrerNews.RECEIVED, address, subject, body)


def is_professional(referral: Referral) -> bool:
    return referral.referring_agency_id is not None or referral.source_code in PROFESSIONAL_SOURCES


def outcome_tell(referral: Referral) -> None:
    """In the decision's transaction: the outcome email queued, with a deadline one working day away (an agency's
    system hears the outcome by its `referral.decided` notice and feed instead). A later decision (an amendment)
    replaces an outcome email not yet sent."""
    if referral.channel == Channel.API:
        return
    address = email_of(referral.referrer_contact)
    if not address:
        return
    pending = list(
        Deadline.objects.filter(referral=referral, kind=DeadlineKind.OUTCOME_NOTICE, state=DeadlineState.OPEN)
    )
    for deadline in pending:
        deadlines.deadline_close(deadline, DeadlineState.CANCELLED, "amended")
    Notification.objects.filter(referral=referral, about=ReferrerNews.OUTCOME, emailed_at=None).delete()
    deadlines.deadline_add(referral, DeadlineKind.OUTCOME_NOTICE, allowance=deadlines.decision_allowance(referral.hub))
    hub = _one_line(referral.hub.name)
    with translation.override(referral.hub.language):  # the hub's language, whoever signed the decision off
        facts = {"hub": hub, "reference": referral.reference, "when": _local(referral.decided_at)}
        if is_professional(referral):
            words = import_string(settings.OUTCOME_LABEL)(referral.cohort, referral.outcome, referral.hub.procedures)
            told = gettext("%(hub)s decided on your referral %(reference)s on %(when)s: %(outcome)s.") % {
                **facts,
                "outcome": str(words),
            }
        else:
            told = (
                gettext(
                    "%(hub)s has dealt with your referral %(reference)s and decided on %(when)s what happens next. "
                    "To protect the people it is about, we do not share what was decided."
                )
                % facts
            )
        thanks = gettext(
            "Thank you for telling us. If you have any questions, or something changes, contact the hub at "
            "%(email)s, quoting the reference %(reference)s."
        ) % {"email": settings.DEFAULT_FROM_EMAIL, "reference": referral.reference}
        danger = gettext("If someone is in immediate danger, call 999. This message names no person.")
        body = "\n\n".join([told, thanks, danger])
        subject = gettext("%(reference)s: your referral to %(hub)s") % {"reference": referral.reference, "hub": hub}
    _queue(referral, ReferrerNews.OUTCOME, address, subject, body)


def _told(action: AuditAction, referral: Referral, channel: str) -> None:
    facts = ReferrerTold(reference=referral.reference, channel=channel)
    if action == AuditAction.REFERRAL_OUTCOME_SENT:
        facts.update(outcome=referral.outcome, detail=is_professional(referral))
    record(action, hub=referral.hub_id, obj=referral, payload=facts)


def told_by_webhook(referral: Referral) -> None:
    """A `referral.received` notice reached the agency's system (decisions/webhooks.py records it)."""
    _told(AuditAction.REFERRAL_ACKNOWLEDGED, referral, "webhook")


def referrer_emails_send(batch: int = 100) -> int:
    """Send every referrer's email not yet sent; returns how many went. Each sent email is recorded
    (`referral.acknowledged` or `referral.outcome_sent`) and meets its outcome deadline; one the mail server refused
    stays unsent for the next run."""
    sent = 0
    refused: set = set()  # this run's refused emails, left for the next run
    while True:
        with transaction.atomic():
            rows = list(
                Notification.objects.select_for_update(skip_locked=True, of=("self",))
                .filter(emailed_at=None, recipient=None)
                .exclude(about="")
                .exclude(pk__in=refused)
                .select_related("referral")
                .order_by("created_at")[:batch]
            )
            for row in rows:
                if _send(row):
                    sent += 1
                else:
                    refused.add(row.pk)
        if len(rows) < batch:
            return sent


def _send(row: Notification) -> bool:
    try:
        send_mail(row.subject, row.body, None, [row.address])
    except Exception:  # noqa: BLE001 - the mail server is down: the row stays unsent and the next run tries again
        logger.warning("Could not email the referrer of %s; will try again", row.referral.reference, exc_info=True)
        return False
    Notification.objects.filter(pk=row.pk).update(emailed_at=timezone.now())
    referral = row.referral
    if row.about == ReferrerNews.RECEIVED:
        _told(AuditAction.REFERRAL_ACKNOWLEDGED, referral, "email")
        return True
    _told(AuditAction.REFERRAL_OUTCOME_SENT, referral, "email")
    for deadline in Deadline.objects.filter(referral=referral, kind=DeadlineKind.OUTCOME_NOTICE, state="open"):
        deadlines.deadline_close(deadline, DeadlineState.MET)
    return True


_told_events = Prepared(
    lambda object_id: AuditEvent.objects.filter(
        object_type="referrals.referral", object_id=object_id,
        action__in=[AuditAction.REFERRAL_ACKNOWLEDGED.value, AuditAction.REFERRAL_OUTCOME_SENT.value],
    ).order_by("id").values_list("action", "occurred_at", "payload"),
    AuditEvent._meta.get_field("object_id"),
)  # fmt: skip  # on every referral page: written once per process (mash/prepared.py)


def told_of(referral: Referral) -> dict:
    """The referral page's words: when and how the referrer was told it was received, and the outcome."""
    events = _told_events(str(referral.pk))

    def when(action):
        rows = [(at, json.loads(p)) for a, at, p in events if a == action]
        if not rows:
            return ""
        and_word = gettext("and")
        ways = f" {and_word} ".join(
            dict.fromkeys(str(CHANNEL_WORDS.get(f["channel"], f["channel"])) for _at, f in rows)
        )
        told = f"{_short(rows[0][0])} {ways}"
        if rows[-1][1].get("detail") is False:
            return gettext("%(told)s (that it was dealt with, not what was decided)") % {"told": told}
        return told

    is_api = referral.channel == Channel.API
    address = "" if is_api else email_of(referral.referrer_contact)
    if is_api:
        waiting = gettext(
            "No: the referring agency had no current information sharing agreement, so its system was told nothing"
        )
    else:
        waiting = gettext("Not yet: the email is waiting to be sent") if address else str(NO_ADDRESS)
    return {
        "received": when(AuditAction.REFERRAL_ACKNOWLEDGED.value) or waiting,
        "outcome": when(AuditAction.REFERRAL_OUTCOME_SENT.value) or _outcome_pending(referral, is_api),
    }


def _outcome_pending(referral: Referral, is_api: bool) -> str:
    if referral.decided_at is None:
        return gettext("Not yet: the referral is not decided")
    if is_api:
        return gettext(
            "Through the agency's system (a notice to its webhooks and its feed) while its agreement is current"
        )
    due = referral.deadlines.filter(kind=DeadlineKind.OUTCOME_NOTICE).exclude(state="cancelled").last()
    if due is None:
        return str(NO_ADDRESS)
    if due.state == DeadlineState.BREACHED:
        return gettext("Not yet — due by %(when)s (overdue)") % {"when": _short(due.due_at)}
    return gettext("Not yet — due by %(when)s") % {"when": _short(due.due_at)}
