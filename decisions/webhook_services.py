"""What an agency's system does to its own webhooks (the endpoints of decisions/webhook_api.py), and what revoking
its API client does to them. Each write checks the policy (`webhook.manage`: the agency's own webhooks only) and is
audited in its transaction; a ping is sent outside any transaction (no lock held while the receiver answers)."""

from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from agencies.policy import Action, require
from audit.events.actions import AuditAction
from audit.events.payloads import WebhookPinged, WebhookRedelivery
from audit.services import record
from decisions import webhooks
from decisions.models import Webhook, WebhookDelivery, WebhookDisabled
from mash.errors import Conflict
from mash.queue import after_commit

DISABLED = _("This webhook is disabled: register the address again to use it")


def _audit(action, webhook: Webhook, payload=None) -> None:
    record(action, hub=webhook.hub_id, obj=webhook, actor_agency=webhook.agency_id, payload=payload)


@transaction.atomic
def webhook_delete(*, access, webhook: Webhook) -> None:
    """Remove a webhook: nothing more is sent to it, pending notices included (they go with it)."""
    require(access, Action.WEBHOOK_MANAGE, webhook)
    _audit(AuditAction.WEBHOOK_DELETED, webhook)
    webhook.delete()


@transaction.atomic
def webhook_rotate_secret(*, access, webhook: Webhook) -> tuple[Webhook, str]:
    """A new secret, returned once. The previous one keeps signing beside it (two `v1,` signatures) for
    WEBHOOK_OLD_SECRET_HOURS, so the receiver can switch without losing a notice; rotating again drops the older."""
    require(access, Action.WEBHOOK_MANAGE, webhook)
    webhook = Webhook.objects.select_for_update().get(pk=webhook.pk)
    if webhook.disabled_at:
        raise Conflict(str(DISABLED))
    secret = webhooks.new_secret()
    webhook.previous_secret = webhook.secret
    webhook.previous_secret_expires_at = timezone.now() + timedelta(hours=settings.WEBHOOK_OLD_SECRET_HOURS)
    webhook.secret = secret
    webhook.save(update_fields=["secret", "previous_secret", "previous_secret_expires_at"])
    _audit(AuditAction.WEBHOOK_SECRET_ROTATED, webhook)
    return webhook, secret


def webhook_ping(*, access, webhook: Webhook) -> str:
    """Send a signed `webhook.ping` now; '' if the receiver answered 2xx, otherwise what went wrong."""
    require(access, Action.WEBHOOK_MANAGE, webhook)
    if webhook.disabled_at:
        raise Conflict(str(DISABLED))
    error = webhooks.ping(webhook)
    _audit(AuditAction.WEBHOOK_PINGED, webhook, WebhookPinged(delivered=not error, error=error))
    return error


@transaction.atomic
def delivery_redeliver(*, access, webhook: Webhook, delivery_id) -> WebhookDelivery:
    """Send a notice that was given up again, now, retried for a fresh window. Only a failed one: a delivered or
    still pending notice is a 409."""
    require(access, Action.WEBHOOK_MANAGE, webhook)
    delivery = WebhookDelivery.objects.select_for_update().filter(pk=delivery_id, webhook=webhook).first()
    if delivery is None:
        raise Http404("No such delivery")
    if webhook.disabled_at:
        raise Conflict(str(DISABLED))
    if delivery.delivered_at:
        raise Conflict(gettext("This notice was delivered: only a failed notice is sent again"))
    if delivery.gave_up_at is None:
        raise Conflict(gettext("This notice is still being retried: only a failed notice is sent again"))
    now = timezone.now()
    delivery.gave_up_at = None
    delivery.next_attempt_at = now
    delivery.retry_until = now + timedelta(hours=settings.WEBHOOK_RETRY_WINDOW_HOURS)
    delivery.save(update_fields=["gave_up_at", "next_attempt_at", "retry_until"])
    payload = WebhookRedelivery(delivery_id=str(delivery.pk), decision_id=str(delivery.decision_id or ""))
    _audit(AuditAction.WEBHOOK_REDELIVERY_REQUESTED, webhook, payload)
    after_commit("decisions.tasks.webhooks_send")
    return delivery


def webhooks_of_client_disable(*, client) -> int:
    """Revoking an API client disables the webhooks it registered (API_CLIENT_REVOKED_HOOKS, called in the
    revocation's transaction); each is audited and the hub's administrators told."""
    hooks = list(Webhook.objects.select_for_update().filter(client=client, disabled_at=None))
    for webhook in hooks:
        webhooks.webhook_disable(webhook=webhook, reason=WebhookDisabled.CLIENT_REVOKED)
    return len(hooks)
