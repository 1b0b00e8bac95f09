"""Outcome notices delivered to a real HTTP receiver (http.server on 127.0.0.1 in a thread): signed, sent once,
retried after failures, given up after WEBHOOK_MAX_ATTEMPTS, and only to the agency that made the referral."""

import json
import threading
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.utils import timezone

from audit.models import AuditEvent
from decisions import services, webhooks
from decisions.models import Webhook, WebhookDelivery
from tests.decisions.test_api import api_token

pytestmark = pytest.mark.django_db


class Receiver:
    """An agency's system: records every POST (headers case-insensitive, as HTTP has them) and answers with the statuses it is told to, in turn (200 after)."""

    def __init__(self):
        self.received: list[dict] = []
        self.statuses: dict[str, list[int]] = {}
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 - http.server's name
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.received.append({"path": self.path, "headers": self.headers, "body": body})
                queue = receiver.statuses.get(self.path, [])
                status = queue.pop(0) if queue else 200
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                """Quiet: the test reads what the receiver was sent, not the server's request log."""

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}{path}"

    def posts_to(self, path: str) -> list[dict]:
        return [r for r in self.received if r["path"] == path]

    def close(self):
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)


@pytest.fixture
def receiver(settings):
    settings.WEBHOOK_ALLOW_LOCAL_HTTP = True
    settings.WEBHOOK_TIMEOUT_SECONDS = 5
    receiver = Receiver()
    yield receiver
    receiver.close()


def register(client, mash, agency, url) -> str:
    """Register through the API, as the agency's system does; returns the secret (shown once)."""
    response = client.post(
        "/api/v1/webhooks/", {"url": url}, content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {api_token(client, mash.hub, agency, scopes='webhooks:write')}",
    )  # fmt: skip
    assert response.status_code == 201, response.content
    return response.json()["secret"]


def sign_off(mash):
    """A police-referred referral, every core agency answered, decided s47 and signed off by the manager."""
    referral = mash.referral()
    requests = services.information_request(referral=referral, by=mash.practitioner)
    for request in requests:
        key = next(k for k in ("police", "social_care", "health") if getattr(mash, k).pk == request.agency_id)
        services.contribution_add(request=request, by=mash.officers[key], data={"known": False})
    proposal = services.decision_propose(
        referral=referral, by=mash.practitioner, outcome="s47_strategy", threshold_level="specialist",
        rationale="Significant harm suspected.", participants=[mash.police, mash.social_care, mash.health], actions=[],
    )  # fmt: skip
    decision = services.decision_sign_off(decision=proposal, by=mash.manager)
    referral.refresh_from_db()
    return referral, decision


def make_due():
    """Bring every pending retry forward to now, instead of waiting out the back-off."""
    WebhookDelivery.objects.filter(delivered_at=None, gave_up_at=None).update(next_attempt_at=timezone.now())


def test_the_referrer_receives_one_signed_notice_of_the_outcome(client, mash, receiver):
    secret = register(client, mash, mash.police, receiver.url("/police"))
    register(client, mash, mash.health, receiver.url("/health"))  # a core agency, but not the referrer
    referral, decision = sign_off(mash)

    assert webhooks.deliveries_send() == 1
    assert webhooks.deliveries_send() == 0  # nothing left to send: once only
    (notice,) = receiver.received
    assert notice["path"] == "/police"
    header = notice["headers"][webhooks.SIGNATURE_HEADER]
    assert webhooks.verify(secret, header, notice["body"])
    assert not webhooks.verify(secret, header, notice["body"].replace(b"s47", b"s17"))  # tampered body
    assert not webhooks.verify("another-secret", header, notice["body"])
    payload = json.loads(notice["body"])
    assert payload == {
        "event": "referral.decided",
        "referral": {"id": str(referral.pk), "reference": referral.reference},
        "outcome": "s47_strategy",
        "decided_at": referral.decided_at.isoformat(),
        "decision_version": decision.version,
    }
    assert notice["headers"]["Content-Type"] == "application/json"
    delivery = WebhookDelivery.objects.get()
    assert notice["headers"]["X-MASH-Delivery"] == str(delivery.pk)
    assert (delivery.attempts, delivery.delivered_at is not None, delivery.last_error) == (1, True, "")
    assert AuditEvent.objects.filter(action="webhook.delivered").count() == 1
    assert receiver.posts_to("/health") == []


def test_the_signature_is_refused_outside_five_minutes(client, mash, receiver):
    secret = register(client, mash, mash.police, receiver.url("/police"))
    sign_off(mash)
    webhooks.deliveries_send()
    (notice,) = receiver.received
    header = notice["headers"][webhooks.SIGNATURE_HEADER]
    sent = int(header.split(",")[0].removeprefix("t="))
    assert webhooks.verify(secret, header, notice["body"], now=sent + 299)
    assert not webhooks.verify(secret, header, notice["body"], now=sent + 301)  # a replayed old notice


def test_a_failing_receiver_is_retried_until_it_answers(client, mash, receiver):
    secret = register(client, mash, mash.police, receiver.url("/police"))
    receiver.statuses["/police"] = [500, 500, 200]
    sign_off(mash)

    assert webhooks.deliveries_send() == 0
    delivery = WebhookDelivery.objects.get()
    assert (delivery.attempts, delivery.last_error, delivery.delivered_at) == (1, "HTTP 500", None)
    wait = delivery.next_attempt_at - timezone.now()
    assert timedelta(seconds=25) < wait <= timedelta(seconds=30)  # WEBHOOK_RETRY_BASE_SECONDS
    assert webhooks.deliveries_send() == 0 and len(receiver.received) == 1  # not due yet: not sent again
    make_due()
    assert webhooks.deliveries_send() == 0
    delivery.refresh_from_db()
    assert delivery.attempts == 2
    assert timedelta(seconds=55) < delivery.next_attempt_at - timezone.now() <= timedelta(seconds=60)  # doubled
    make_due()
    assert webhooks.deliveries_send() == 1
    make_due()
    assert webhooks.deliveries_send() == 0  # delivered once: never again

    delivery.refresh_from_db()
    assert (delivery.attempts, delivery.last_error, delivery.gave_up_at) == (3, "", None)
    assert delivery.delivered_at is not None
    assert len(receiver.received) == 3
    assert len({r["body"] for r in receiver.received}) == 1  # the same notice each time
    assert all(webhooks.verify(secret, r["headers"][webhooks.SIGNATURE_HEADER], r["body"]) for r in receiver.received)
    delivered = AuditEvent.objects.get(action="webhook.delivered")
    assert delivered.data["attempts"] == 3
    assert not AuditEvent.objects.filter(action="webhook.failed").exists()


def test_after_the_last_attempt_it_gives_up_and_records_the_failure(client, mash, receiver, settings):
    settings.WEBHOOK_MAX_ATTEMPTS = 4
    register(client, mash, mash.police, receiver.url("/police"))
    receiver.statuses["/police"] = [500] * 10
    _, decision = sign_off(mash)

    for _ in range(4):
        assert webhooks.deliveries_send() == 0
        make_due()
    assert len(receiver.received) == 4
    delivery = WebhookDelivery.objects.get()
    assert (delivery.attempts, delivery.last_error, delivery.delivered_at) == (4, "HTTP 500", None)
    assert delivery.gave_up_at is not None
    failed = AuditEvent.objects.get(action="webhook.failed")
    assert failed.data == {"decision_id": str(decision.pk), "attempts": 4}
    assert failed.actor_agency_id == mash.police.pk
    WebhookDelivery.objects.update(next_attempt_at=timezone.now() - timedelta(hours=1))
    assert webhooks.deliveries_send() == 0 and len(receiver.received) == 4  # given up: never sent again


def test_a_receiver_that_is_not_listening_is_retried_later(client, mash, receiver):
    register(client, mash, mash.police, receiver.url("/police"))
    Webhook.objects.update(url="http://127.0.0.1:9/police")  # the discard port: nothing listens
    sign_off(mash)
    assert webhooks.deliveries_send() == 0
    delivery = WebhookDelivery.objects.get()
    assert delivery.attempts == 1 and delivery.last_error and delivery.next_attempt_at > timezone.now()


def test_an_agency_that_did_not_refer_receives_nothing(client, mash, receiver):
    register(client, mash, mash.health, receiver.url("/health"))
    register(client, mash, mash.social_care, receiver.url("/social-care"))
    sign_off(mash)  # referred by the police, who registered no webhook
    assert not WebhookDelivery.objects.exists()
    assert webhooks.deliveries_send() == 0
    assert receiver.received == []
