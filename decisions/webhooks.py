"""Outcome notices to the referring agency's systems, in the Standard Webhooks format: signed, retried, never lost.

The sign-off writes one `WebhookDelivery` per registered webhook in its own transaction (the outbox), and queues
the delivery when it commits (on the `webhooks` queue). `deliveries_send` claims due notices in a short transaction
(it moves their next attempt past a lease), posts each with no database transaction or lock open
(decisions/webhook_http.py: vetted, pinned, no redirects, a timeout), then records the outcome. A failed notice is
tried again after doubling waits (30 s, 1 min, 2 min … at most WEBHOOK_RETRY_MAX_SECONDS apart) until
WEBHOOK_RETRY_WINDOW_HOURS (3 days) after it was written, then given up; a webhook none of whose notices got through
in that window is disabled and the hub's administrators are told. A beat catch-up sends what a lost task left.

Each request carries `webhook-id` (the delivery's id, the same on every retry), `webhook-timestamp` (Unix seconds)
and `webhook-signature: v1,<base64 HMAC-SHA256 of "<id>.<timestamp>.<body>">` keyed by the `whsec_` secret; after a
rotation the previous secret signs too, space-separated, for WEBHOOK_OLD_SECRET_HOURS. The body is
`{"type": ..., "timestamp": ..., "data": {...}}`.
"""

import base64
import hashlib
import hmac
import json
import logging
import secrets
import time as clock
import uuid
from datetime import timedelta

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from agencies.access import access_for_agency, access_for_client
from agencies.models import Role, RoleAssignment
from agencies.policy import Action, may, require
from audit.events.actions import AuditAction
from audit.events.payloads import WebhookAttempt, WebhookDisabledFacts
from audit.services import record
from decisions import webhook_http
from decisions.models import Decision, Webhook, WebhookDelivery, WebhookDisabled
from decisions.schemas import WebhookSchema
from mash.errors import Conflict
from mash.instants import instant
from mash.prepared import Prepared
from mash.queue import after_commit
from mash.schemas import validated
from referrals import acknowledgement

logger = logging.getLogger("decisions.webhooks")
SECRET_PREFIX = "whsec_"  # noqa: S105 - the Standard Webhooks prefix, not a secret
DECIDED = "referral.decided"
RECEIVED = AuditAction.REFERRAL_RECEIVED.value  # the same name as the ledger's and the feed's event
PING = "webhook.ping"
HANDED_OVER = "referral.handed_over"  # the case handed to the service that works it (decisions/handover.py)
# Who may hear each kind of notice about a referral: the policy's action, asked of the webhook's agency when the
# notice is written and again when it is sent (an agreement may lapse in between). A notice of a kind not listed is
# never sent (fail closed).
# The receipt has the outcome's gate: the referring agency, with a current agreement, hears what befalls its referral.
GATES: dict[str, Action] = {
    DECIDED: Action.OUTCOME_NOTICE,
    RECEIVED: Action.OUTCOME_NOTICE,
    HANDED_OVER: Action.HANDOVER_RECEIVE,
}
DUPLICATE = _("Your agency already has a webhook at this address: list them at /api/v1/webhooks/")


def new_secret() -> str:
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(32)).decode()


def sign(secrets_: list[str], msg_id: str, timestamp: int, body: bytes) -> str:
    """The `webhook-signature` header: one `v1,<base64>` per secret, space-separated."""
    signed = f"{msg_id}.{timestamp}.".encode() + body
    return " ".join(
        "v1," + base64.b64encode(hmac.new(_key(s), signed, hashlib.sha256).digest()).decode() for s in secrets_
    )


def _key(secret: str) -> bytes:
    return base64.b64decode(secret.removeprefix(SECRET_PREFIX))


def envelope(kind: str, timestamp, data: dict) -> dict:
    return {"type": kind, "timestamp": instant(timestamp), "data": data}


def body_of(payload: dict) -> bytes:
    return json.dumps(payload, sort_keys=True, separators=(",", ":")).encode()


def send(webhook: Webhook, msg_id: str, payload: dict) -> str:
    """Sign and send one notice now; '' when the receiver answered 2xx, otherwise what went wrong."""
    body = body_of(payload)
    timestamp = int(clock.time())
    headers = {
        "Content-Type": "application/json",
        "User-Agent": "mash-webhooks/2",
        "webhook-id": msg_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": sign(webhook.signing_secrets(timezone.now()), msg_id, timestamp, body),
    }
    return webhook_http.post(webhook.url, body, headers)


@transaction.atomic
def webhook_register(*, client, data) -> tuple[Webhook, str]:
    """An agency's API client registers where outcomes of its referrals go; returns the webhook and its secret
    (shown once). One address once per agency (409 for the second). The agency needs a current information
    sharing agreement with the hub."""
    require(access_for_client(client), Action.WEBHOOK_REGISTER)
    url = validated(WebhookSchema, data)["url"]
    if Webhook.objects.filter(hub_id=client.hub_id, agency_id=client.agency_id, url=url, disabled_at=None).exists():
        raise Conflict(str(DUPLICATE), "url")
    secret = new_secret()
    try:
        with transaction.atomic():
            webhook = Webhook.objects.create(
                hub_id=client.hub_id, agency_id=client.agency_id, client=client, url=url, secret=secret
            )
    except IntegrityError:  # registered at the same moment by another request
        raise Conflict(str(DUPLICATE), "url") from None
    record(AuditAction.WEBHOOK_REGISTERED, hub=client.hub_id, obj=webhook, actor_agency=client.agency_id)
    return webhook, secret


def _payload(decision: Decision) -> dict:
    referral = decision.referral
    decided_at = referral.decided_at or timezone.now()
    return envelope(
        DECIDED,
        decided_at,
        {
            "referral": {"id": str(referral.pk), "reference": referral.reference},
            "outcome": decision.outcome,
            "decided_at": instant(decided_at),
            "decision_version": decision.version,
        },
    )


def _window() -> timedelta:
    return timedelta(hours=settings.WEBHOOK_RETRY_WINDOW_HOURS)


def deliveries_queue(decision: Decision) -> int:
    """In the sign-off's transaction: one pending delivery per active webhook of the referring agency, if the
    policy lets the agency hear the outcome (a current information sharing agreement)."""
    referral = decision.referral
    if referral.referring_agency_id is None:
        return 0
    if not may(access_for_agency(referral.hub, referral.referring_agency), Action.OUTCOME_NOTICE, referral):
        return 0
    return notices_queue(referral, referral.referring_agency_id, _payload(decision), decision=decision)


def receipt_queue(*, referral) -> int:
    """In the referral's transaction (REFERRAL_RECEIVED_HOOKS): a `referral.received` notice to each active webhook
    of the agency whose system sent it, if the policy lets the agency hear about it. It says what the status endpoint
    says: the referral's id, reference and when it was received."""
    agency = referral.referring_agency
    if agency is None or not may(access_for_agency(referral.hub, agency), GATES[RECEIVED], referral):
        return 0
    data = {
        "referral": {"id": str(referral.pk), "reference": referral.reference},
        "received_at": instant(referral.received_at),
    }
    return notices_queue(referral, agency.pk, envelope(RECEIVED, referral.received_at, data))


_active_hooks = Prepared(  # on every agency's receipt: written once per process (docs/adr/0025)
    lambda hub_id, agency_id: Webhook.objects.filter(hub_id=hub_id, agency_id=agency_id, disabled_at=None).values_list(
        "pk", flat=True
    ),
    Webhook._meta.get_field("hub"),
    Webhook._meta.get_field("agency"),
)


def notices_queue(referral, agency_id, payload: dict, *, decision: Decision | None = None) -> int:
    """In the transaction of what the notice tells: one pending delivery of `payload` (an `envelope`) per active
    webhook of the agency, sent after the commit. The payload's type must have a gate in GATES."""
    event = payload["type"]
    hooks = _active_hooks(referral.hub_id, agency_id)
    now = timezone.now()
    created = WebhookDelivery.objects.bulk_create(
        WebhookDelivery(
            webhook_id=h, event=event, referral=referral, decision=decision, payload=payload, next_attempt_at=now,
            created_at=now, retry_until=now + _window(),
        )
        for h in hooks
    )  # fmt: skip
    if created:
        after_commit("decisions.tasks.webhooks_send")
    return len(created)


def _backoff(attempts: int) -> timedelta:
    wait = settings.WEBHOOK_RETRY_BASE_SECONDS * 2 ** min(attempts - 1, 30)
    return timedelta(seconds=min(wait, settings.WEBHOOK_RETRY_MAX_SECONDS))


def _lease() -> timedelta:
    """How long a claimed notice is left to its sender before another may take it (a sender that died)."""
    return timedelta(seconds=settings.WEBHOOK_TIMEOUT_SECONDS * 3 + 30)


def _claim(batch: int) -> list[WebhookDelivery]:
    """Take up to `batch` due notices in a short transaction: their next attempt moves past the lease, so no other
    sender takes them, and no lock is held while they are sent."""
    with transaction.atomic():
        now = timezone.now()
        rows = list(
            WebhookDelivery.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(delivered_at=None, gave_up_at=None, next_attempt_at__lte=now, webhook__disabled_at=None)
            .select_related("webhook__agency", "referral__hub")
            .order_by("next_attempt_at")[:batch]
        )
        WebhookDelivery.objects.filter(pk__in=[d.pk for d in rows]).update(next_attempt_at=now + _lease())
    return rows


def deliveries_send(batch: int = 50) -> int:
    """Send every pending notice that is due; returns how many were delivered."""
    delivered = 0
    while True:
        rows = _claim(batch)
        for delivery in rows:
            delivered += _attempt(delivery)
        if len(rows) < batch:
            return delivered


# Kept as the notice's last error (stored, and in the API's listing of notices): in English, as every send error is.
WITHHELD = "Withheld: the agency has no current information sharing agreement with the hub"


def _attempt(delivery: WebhookDelivery) -> int:
    """Send one notice, if the agency may still hear it (its agreement may have lapsed since the sign-off: then the
    notice waits and is tried again, like a failed send, until the agreement is signed or the window closes)."""
    referral = delivery.referral
    gate = GATES.get(delivery.event)
    allowed = gate is not None and may(access_for_agency(referral.hub, delivery.webhook.agency), gate, referral)
    error = send(delivery.webhook, str(delivery.pk), delivery.payload) if allowed else WITHHELD
    return _outcome(delivery, error)


@transaction.atomic
def _outcome(delivery: WebhookDelivery, error: str) -> int:
    """Record one attempt: delivered, to be retried, or given up (and the webhook disabled if nothing of it got
    through in the whole window)."""
    now = timezone.now()
    webhook = Webhook.objects.select_for_update().filter(pk=delivery.webhook_id).first()
    if webhook is None:
        return 0  # deleted while the notice was on its way
    attempts = delivery.attempts + 1
    changes: dict = {"attempts": attempts, "last_error": error}
    until = delivery.retry_until or delivery.created_at + _window()
    facts = WebhookAttempt(
        decision_id=str(delivery.decision_id or ""),
        attempts=attempts,
        referral_id=str(delivery.referral_id),
        event=delivery.event,
    )
    if not error:
        changes["delivered_at"] = now
    elif now >= until or webhook.disabled_at:
        changes["gave_up_at"] = now
    else:
        changes["next_attempt_at"] = min(now + _backoff(attempts), until)
    still_pending = WebhookDelivery.objects.filter(pk=delivery.pk, delivered_at=None, gave_up_at=None)
    if not still_pending.update(**changes):
        return 0
    hub, agency = webhook.hub_id, webhook.agency_id
    if not error:
        record(AuditAction.WEBHOOK_DELIVERED, hub=hub, obj=webhook, actor_agency=agency, payload=facts)
        if delivery.event == RECEIVED:
            acknowledgement.told_by_webhook(delivery.referral)
        return 1
    if "gave_up_at" in changes:
        record(AuditAction.WEBHOOK_FAILED, hub=hub, obj=webhook, actor_agency=agency, payload=facts)
        got_through = webhook.deliveries.filter(delivered_at__gte=delivery.created_at).exists()
        if webhook.disabled_at is None and not got_through:
            webhook_disable(webhook=webhook, reason=WebhookDisabled.FAILING)
    return 0


def webhook_disable(*, webhook: Webhook, reason: str) -> None:
    """Stop a webhook: its pending notices are given up, the ledger records why, and the hub's administrators are
    emailed (after the commit). Call inside a transaction."""
    now = timezone.now()
    Webhook.objects.filter(pk=webhook.pk).update(disabled_at=now, disabled_reason=reason)
    webhook.disabled_at, webhook.disabled_reason = now, reason
    WebhookDelivery.objects.filter(webhook=webhook, delivered_at=None, gave_up_at=None).update(
        gave_up_at=now, last_error="Webhook disabled"
    )
    record(
        AuditAction.WEBHOOK_DISABLED, hub=webhook.hub_id, obj=webhook, actor_agency=webhook.agency_id,
        payload=WebhookDisabledFacts(reason=reason),
    )  # fmt: skip
    admins = list(
        RoleAssignment.objects.filter(hub_id=webhook.hub_id, role=Role.HUB_ADMIN)
        .exclude(user__email="")
        .values_list("user__email", flat=True)
        .distinct()
    )
    if admins:
        with translation.override(webhook.hub.language):  # the hub's emails are in the hub's language
            subject = gettext("A webhook of %(agency)s was disabled") % {"agency": webhook.agency}
            text = gettext(
                "%(subject)s: %(reason)s.\n\nAddress: %(url)s\n\n"
                "The agency's system may register it again once its receiver works; outcomes of its referrals are "
                "not sent to it meanwhile."
            ) % {"subject": subject, "reason": WebhookDisabled(reason).label.lower(), "url": webhook.url}
        transaction.on_commit(lambda: _email(subject, text, admins))


def _email(subject: str, text: str, recipients: list[str]) -> None:
    try:
        send_mail(subject, text, None, recipients)
    except Exception:  # noqa: BLE001 - the ledger has it; a mail server down must not undo the disabling
        logger.warning("Could not email the hub administrators that a webhook was disabled", exc_info=True)


def ping(webhook: Webhook) -> str:
    """Send a signed `webhook.ping` now; '' if the receiver answered 2xx, otherwise what went wrong."""
    payload = envelope(PING, timezone.now(), {"webhook_id": str(webhook.pk)})
    return send(webhook, f"ping_{uuid.uuid4()}", payload)
