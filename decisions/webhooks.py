"""Outcome notices to the referring agency's systems: signed, retried, never lost.

The sign-off writes one `WebhookDelivery` per registered webhook in its own transaction (the outbox), and queues
the delivery when it commits. `deliveries_send` posts each pending notice with an HMAC-SHA256 signature of the
timestamp and body, and on failure waits longer each time (30 s, 1 min, 2 min … up to an hour) until
WEBHOOK_MAX_ATTEMPTS, then gives up and records it. A beat catch-up sends what a lost task or broker left.

The receiver checks `X-MASH-Signature: t=<unix time>,v1=<hex>` where hex = HMAC-SHA256(secret, "<t>.<body>").
"""

import hashlib
import hmac
import json
import secrets
import time as clock
import urllib.error
import urllib.request
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from agencies.access import access_for_agency, access_for_client
from agencies.policy import Action, may, require
from audit.events.actions import AuditAction
from audit.events.payloads import WebhookAttempt
from audit.services import record
from decisions.models import Decision, Webhook, WebhookDelivery
from decisions.schemas import WebhookSchema
from mash.instants import instant
from mash.queue import after_commit
from mash.schemas import validated

SIGNATURE_HEADER = "X-MASH-Signature"


def sign(secret: str, timestamp: int, body: bytes) -> str:
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


def verify(secret: str, header: str, body: bytes, tolerance: int = 300, now: float | None = None) -> bool:
    """What a receiver does: the signature matches and the timestamp is recent (no replay of old notices)."""
    try:
        parts = dict(item.split("=", 1) for item in header.split(","))
        timestamp = int(parts["t"])
    except (ValueError, KeyError):
        return False
    if abs((now or clock.time()) - timestamp) > tolerance:
        return False
    return hmac.compare_digest(sign(secret, timestamp, body), header)


@transaction.atomic
def webhook_register(*, client, data) -> tuple[Webhook, str]:
    """An agency's API client registers where outcomes of its referrals go; returns the webhook and its secret
    (shown once). HTTPS only, except to this machine when DEBUG is on. The agency needs a current information
    sharing agreement with the hub."""
    require(access_for_client(client), Action.WEBHOOK_REGISTER)
    url = validated(WebhookSchema, data)["url"]
    secret = secrets.token_urlsafe(32)
    webhook = Webhook.objects.create(hub_id=client.hub_id, agency_id=client.agency_id, url=url, secret=secret)
    record(AuditAction.WEBHOOK_REGISTERED, hub=client.hub_id, obj=webhook, actor_agency=client.agency_id)
    return webhook, secret


def _payload(decision: Decision) -> dict:
    referral = decision.referral
    return {
        "event": "referral.decided",
        "referral": {"id": str(referral.pk), "reference": referral.reference},
        "outcome": decision.outcome,
        "decided_at": instant(referral.decided_at),
        "decision_version": decision.version,
    }


def deliveries_queue(decision: Decision) -> int:
    """In the sign-off's transaction: one pending delivery per active webhook of the referring agency, if the
    policy lets the agency hear the outcome (a current information sharing agreement)."""
    referral = decision.referral
    if referral.referring_agency_id is None:
        return 0
    if not may(access_for_agency(referral.hub, referral.referring_agency), Action.OUTCOME_NOTICE, referral):
        return 0
    hooks = Webhook.objects.filter(hub_id=referral.hub_id, agency_id=referral.referring_agency_id, disabled_at=None)
    now = timezone.now()
    created = WebhookDelivery.objects.bulk_create(
        WebhookDelivery(webhook=h, decision=decision, payload=_payload(decision), next_attempt_at=now, created_at=now)
        for h in hooks
    )
    if created:
        after_commit("decisions.tasks.webhooks_send")
    return len(created)


def _backoff(attempts: int) -> timedelta:
    return timedelta(seconds=min(settings.WEBHOOK_RETRY_BASE_SECONDS * 2 ** (attempts - 1), 3600))


def _post(delivery: WebhookDelivery) -> str:
    """Send one notice; '' on a 2xx answer, otherwise what went wrong."""
    body = json.dumps(delivery.payload, sort_keys=True).encode()
    headers = {
        "Content-Type": "application/json",
        "User-Agent": "mash-webhooks/1",
        SIGNATURE_HEADER: sign(delivery.webhook.secret, int(clock.time()), body),
        "X-MASH-Delivery": str(delivery.pk),
    }
    request = urllib.request.Request(delivery.webhook.url, data=body, headers=headers, method="POST")  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=settings.WEBHOOK_TIMEOUT_SECONDS) as response:  # noqa: S310
            return "" if 200 <= response.status < 300 else f"HTTP {response.status}"
    except urllib.error.HTTPError as error:
        return f"HTTP {error.code}"
    except (urllib.error.URLError, OSError) as error:
        return str(getattr(error, "reason", error))[:300]


def deliveries_send(batch: int = 50) -> int:
    """Send every pending notice that is due; returns how many were delivered. Each row is locked while it is
    sent (SKIP LOCKED), so two senders never post one notice at once."""
    delivered = 0
    while True:
        with transaction.atomic():
            now = timezone.now()
            rows = list(
                WebhookDelivery.objects.select_for_update(skip_locked=True, of=("self",))
                .filter(delivered_at=None, gave_up_at=None, next_attempt_at__lte=now)
                .select_related("webhook", "decision__referral__hub", "decision__referral__referring_agency")
                .order_by("next_attempt_at")[:batch]
            )
            for delivery in rows:
                delivered += _attempt(delivery)
        if len(rows) < batch:
            return delivered


WITHHELD = "Withheld: the agency has no current information sharing agreement with the hub"


def _attempt(delivery: WebhookDelivery) -> int:
    """Send one notice, if the agency may still hear it (its agreement may have lapsed since the sign-off: then the
    notice waits and is tried again, like a failed send, until the agreement is signed or the tries run out)."""
    referral = delivery.decision.referral
    allowed = may(access_for_agency(referral.hub, referral.referring_agency), Action.OUTCOME_NOTICE, referral)
    error = _post(delivery) if allowed else WITHHELD
    now = timezone.now()
    delivery.attempts += 1
    delivery.last_error = error
    hub, agency = delivery.webhook.hub_id, delivery.webhook.agency_id
    facts = WebhookAttempt(decision_id=str(delivery.decision_id), attempts=delivery.attempts)
    if not error:
        delivery.delivered_at = now
        record(AuditAction.WEBHOOK_DELIVERED, hub=hub, obj=delivery.webhook, actor_agency=agency, payload=facts)
    elif delivery.attempts >= settings.WEBHOOK_MAX_ATTEMPTS:
        delivery.gave_up_at = now
        record(AuditAction.WEBHOOK_FAILED, hub=hub, obj=delivery.webhook, actor_agency=agency, payload=facts)
    else:
        delivery.next_attempt_at = now + _backoff(delivery.attempts)
    delivery.save(update_fields=["attempts", "last_error", "delivered_at", "gave_up_at", "next_attempt_at"])
    return 0 if error else 1
