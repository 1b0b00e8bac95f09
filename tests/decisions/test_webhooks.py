"""Outcome notices delivered to a real HTTP receiver (http.server on 127.0.0.1 in a thread, allowed in DEBUG only) in
the Standard Webhooks format, verified with the `standardwebhooks` library as a receiver would: sent once, retried
with the same id after failures, given up after the 3-day window (the failing webhook disabled and the hub's
administrators told), redirects never followed, the address checked again at every delivery, no database lock held
while the receiver is waited for, and only to the agency that made the referral."""

import json
import threading
import time
from datetime import UTC, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.db import connection
from django.utils import timezone
from standardwebhooks import Webhook as Verifier
from standardwebhooks.webhooks import WebhookVerificationError

from audit.models import AuditEvent
from decisions import services, webhook_http, webhooks
from decisions.models import Webhook, WebhookDelivery
from tests.decisions.test_api import api_token

pytestmark = pytest.mark.django_db


class Receiver:
    """An agency's system: records every POST (headers case-insensitive, as HTTP has them) and answers with the
    statuses it is told to, in turn (200 after); a 3xx names `location`; `delay` seconds before answering."""

    def __init__(self):
        self.received: list[dict] = []
        self.statuses: dict[str, list[int]] = {}
        self.location = ""
        self.delay = 0.0
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 - http.server's name
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.received.append({"path": self.path, "headers": self.headers, "body": body})
                queue = receiver.statuses.get(self.path, [])
                status = queue.pop(0) if queue else 200
                time.sleep(receiver.delay)
                self.send_response(status)
                if 300 <= status < 400:
                    self.send_header("Location", receiver.location)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def do_GET(self):  # noqa: N802 - a followed redirect would arrive as a GET
                receiver.received.append({"path": self.path, "headers": self.headers, "body": b""})
                self.send_response(200)
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
    settings.DEBUG = True  # plain http to 127.0.0.1: development only
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
    # Its receipt notice is tested in tests/referrals/test_acknowledgement.py: here only the outcome's is sent.
    WebhookDelivery.objects.filter(referral=referral, event=webhooks.RECEIVED).delete()
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


def utc_z(moment) -> str:
    """A time as every API answer and notice writes it: UTC with Z."""
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def verified(secret: str, notice: dict) -> dict:
    """What a receiver does with the `standardwebhooks` library: the payload, or WebhookVerificationError."""
    return Verifier(secret).verify(notice["body"], dict(notice["headers"].items()))


def test_the_referrer_receives_one_notice_that_standardwebhooks_verifies(client, mash, receiver):
    secret = register(client, mash, mash.police, receiver.url("/police"))
    register(client, mash, mash.health, receiver.url("/health"))  # a core agency, but not the referrer
    referral, decision = sign_off(mash)

    assert webhooks.deliveries_send() == 1
    assert webhooks.deliveries_send() == 0  # nothing left to send: once only
    (notice,) = receiver.received
    assert notice["path"] == "/police"
    payload = verified(secret, notice)
    assert payload == {
        "type": "referral.decided",
        "timestamp": utc_z(referral.decided_at),
        "data": {
            "referral": {"id": str(referral.pk), "reference": referral.reference},
            "outcome": "s47_strategy",
            "decided_at": utc_z(referral.decided_at),
            "decision_version": decision.version,
        },
    }
    with pytest.raises(WebhookVerificationError):  # a tampered body
        verified(secret, {**notice, "body": notice["body"].replace(b"s47", b"s17")})
    with pytest.raises(WebhookVerificationError):  # another secret
        verified(webhooks.new_secret(), notice)
    with pytest.raises(WebhookVerificationError):  # the id is signed too
        Verifier(secret).verify(notice["body"], {**dict(notice["headers"].items()), "webhook-id": "other"})
    assert notice["headers"]["Content-Type"] == "application/json"
    delivery = WebhookDelivery.objects.get()
    assert notice["headers"]["webhook-id"] == str(delivery.pk)
    assert (delivery.attempts, delivery.delivered_at is not None, delivery.last_error) == (1, True, "")
    assert AuditEvent.objects.filter(action="webhook.delivered").count() == 1
    assert receiver.posts_to("/health") == []


def test_a_notice_older_than_five_minutes_is_refused_by_the_receiver(client, mash, receiver):
    secret = register(client, mash, mash.police, receiver.url("/police"))
    sign_off(mash)
    webhooks.deliveries_send()
    (notice,) = receiver.received
    old = dict(notice["headers"].items())
    old["webhook-timestamp"] = str(int(old["webhook-timestamp"]) - 301)
    old["webhook-signature"] = webhooks.sign([secret], old["webhook-id"], int(old["webhook-timestamp"]), notice["body"])
    with pytest.raises(WebhookVerificationError, match="too old"):
        Verifier(secret).verify(notice["body"], old)


def test_a_failing_receiver_is_retried_with_the_same_id_until_it_answers(client, mash, receiver):
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
    assert len(receiver.received) == 3
    assert {r["headers"]["webhook-id"] for r in receiver.received} == {str(delivery.pk)}  # one id: deduplicable
    assert len({r["body"] for r in receiver.received}) == 1  # the same notice each time
    assert all(verified(secret, r) for r in receiver.received)
    assert AuditEvent.objects.get(action="webhook.delivered").data["attempts"] == 3
    assert not AuditEvent.objects.filter(action="webhook.failed").exists()


def test_retries_wait_at_most_the_cap_and_stop_at_the_end_of_the_window(settings):
    settings.WEBHOOK_RETRY_BASE_SECONDS, settings.WEBHOOK_RETRY_MAX_SECONDS = 30, 6 * 3600
    waits = [webhooks._backoff(n).total_seconds() for n in range(1, 20)]
    assert waits[:4] == [30, 60, 120, 240] and max(waits) == 6 * 3600
    # Over three days the notice is tried about twenty times, not ten in three hours.
    total, attempts = 0, 0
    while total < 72 * 3600:
        attempts += 1
        total += webhooks._backoff(attempts).total_seconds()
    assert 15 <= attempts <= 25


def test_after_three_days_of_failures_it_gives_up_disables_the_webhook_and_tells_the_admins(
    client, mash, receiver, mailoutbox, django_capture_on_commit_callbacks
):
    register(client, mash, mash.police, receiver.url("/police"))
    receiver.statuses["/police"] = [500] * 10
    _, decision = sign_off(mash)
    assert webhooks.deliveries_send() == 0
    delivery = WebhookDelivery.objects.get()
    assert delivery.retry_until - delivery.created_at == timedelta(hours=72)
    # Nearly three days later the notice is still retried.
    WebhookDelivery.objects.update(retry_until=timezone.now() + timedelta(minutes=1), next_attempt_at=timezone.now())
    assert webhooks.deliveries_send() == 0
    delivery.refresh_from_db()
    assert delivery.gave_up_at is None and delivery.next_attempt_at <= delivery.retry_until  # the last try: at the end
    # Past the window: given up, and the webhook (nothing of it ever got through) disabled.
    WebhookDelivery.objects.update(retry_until=timezone.now(), next_attempt_at=timezone.now())
    with django_capture_on_commit_callbacks(execute=True):
        assert webhooks.deliveries_send() == 0
    delivery.refresh_from_db()
    assert (delivery.attempts, delivery.last_error) == (3, "HTTP 500") and delivery.gave_up_at is not None
    failed = AuditEvent.objects.get(action="webhook.failed")
    assert failed.data == {
        "decision_id": str(decision.pk), "attempts": 3, "referral_id": str(decision.referral_id),
        "event": "referral.decided",
    }  # fmt: skip
    assert failed.actor_agency_id == mash.police.pk
    webhook = Webhook.objects.get()
    assert webhook.disabled_at is not None and webhook.disabled_reason == "failing"
    assert AuditEvent.objects.get(action="webhook.disabled").data == {"reason": "failing"}
    (email,) = mailoutbox
    assert email.to == [mash.admin.email] and "webhook" in email.subject and webhook.url in email.body
    WebhookDelivery.objects.update(next_attempt_at=timezone.now() - timedelta(hours=1))
    assert webhooks.deliveries_send() == 0 and len(receiver.received) == 3  # given up: never sent again


def test_a_webhook_that_delivered_meanwhile_is_not_disabled(client, mash, receiver):
    register(client, mash, mash.police, receiver.url("/police"))
    receiver.statuses["/police"] = [500]
    sign_off(mash)
    webhooks.deliveries_send()
    first = WebhookDelivery.objects.get()
    WebhookDelivery.objects.filter(pk=first.pk).update(created_at=timezone.now() - timedelta(days=3))
    sign_off(mash)  # a later notice that gets through
    assert webhooks.deliveries_send() == 1
    WebhookDelivery.objects.filter(pk=first.pk).update(retry_until=timezone.now(), next_attempt_at=timezone.now())
    receiver.statuses["/police"] = [500]
    webhooks.deliveries_send()
    first.refresh_from_db()
    assert first.gave_up_at is not None
    assert Webhook.objects.get().disabled_at is None


def test_a_receiver_that_is_not_listening_is_retried_later(client, mash, receiver):
    register(client, mash, mash.police, receiver.url("/police"))
    Webhook.objects.update(url="http://127.0.0.1:9/police")  # the discard port: nothing listens
    sign_off(mash)
    assert webhooks.deliveries_send() == 0
    delivery = WebhookDelivery.objects.get()
    assert delivery.attempts == 1 and delivery.last_error and delivery.next_attempt_at > timezone.now()


def test_a_slow_receiver_times_out(client, mash, receiver, settings):
    register(client, mash, mash.police, receiver.url("/police"))
    settings.WEBHOOK_TIMEOUT_SECONDS = 1
    receiver.delay = 2.5
    sign_off(mash)
    began = time.monotonic()
    assert webhooks.deliveries_send() == 0
    assert time.monotonic() - began < 2.4
    assert "timed out" in WebhookDelivery.objects.get().last_error


def test_a_redirect_is_not_followed_and_the_delivery_fails(client, mash, receiver):
    other = Receiver()  # another host the redirect points to
    try:
        register(client, mash, mash.police, receiver.url("/police"))
        receiver.statuses["/police"] = [302]
        receiver.location = other.url("/elsewhere")
        sign_off(mash)
        assert webhooks.deliveries_send() == 0
        delivery = WebhookDelivery.objects.get()
        assert delivery.last_error == "HTTP 302: redirect not followed" and delivery.delivered_at is None
        assert other.received == []  # never reached, and the signature never forwarded
        assert not AuditEvent.objects.filter(action="webhook.delivered").exists()
    finally:
        other.close()


def test_the_address_is_checked_again_at_delivery_and_a_rebound_name_reaches_nothing(client, mash, webhook_hosts):
    webhook_hosts["rebind.example"] = ["93.184.215.14"]
    register(client, mash, mash.police, "https://rebind.example/hook")
    sign_off(mash)
    webhook_hosts["rebind.example"] = ["127.0.0.1"]  # the name now points at the hub's own machine
    assert webhooks.deliveries_send() == 0
    delivery = WebhookDelivery.objects.get()
    assert delivery.last_error.startswith("Address refused:") and "127.0.0.1" in delivery.last_error
    assert delivery.attempts == 1 and delivery.next_attempt_at > timezone.now()


def test_the_connection_goes_to_the_vetted_address_naming_the_host(receiver, webhook_hosts):
    """Pinned: the request goes to the IP vetted a moment before, with the host's own name in Host (and, over
    https, in SNI and the certificate check)."""
    port = receiver.server.server_address[1]
    webhook_hosts["localhost"] = ["127.0.0.1"]
    assert webhook_http.post(f"http://localhost:{port}/pinned", b"{}", {"Content-Type": "application/json"}) == ""
    (request,) = receiver.received
    assert request["headers"]["Host"] == f"localhost:{port}"


def test_the_connection_never_asks_dns_again(receiver):
    """A name no resolver knows (.invalid) still reaches the vetted IP: the connection dials the address checked,
    not the name, so what the name points at by then does not matter."""
    from decisions.addresses import Vetted

    port = receiver.server.server_address[1]
    vetted = Vetted("http", "pinned.invalid", port, "/pinned", ("127.0.0.1",))
    connection_ = webhook_http._connection(vetted, timeout=5)
    connection_.request("POST", vetted.target, body=b"{}", headers={"Content-Type": "application/json"})
    assert connection_.getresponse().status == 200
    connection_.close()
    (request,) = receiver.received
    assert request["headers"]["Host"] == f"pinned.invalid:{port}"


@pytest.mark.django_db(transaction=True)
def test_no_transaction_or_row_lock_is_open_while_the_receiver_is_waited_for(client, monkeypatch):
    from tests.people import build_mash

    mash = build_mash("lockless")
    receiver = Receiver()
    seen = []
    real_post = webhook_http.post

    def post(url, body, headers):
        delivery = WebhookDelivery.objects.get(pk=headers["webhook-id"])
        seen.append((connection.in_atomic_block, delivery.next_attempt_at > timezone.now()))
        return real_post(url, body, headers)

    try:
        with pytest.MonkeyPatch.context() as patch:
            from django.conf import settings

            patch.setattr(settings, "DEBUG", True)
            register(client, mash, mash.police, receiver.url("/police"))
            sign_off(mash)
            monkeypatch.setattr(webhook_http, "post", post)
            assert webhooks.deliveries_send() == 1
    finally:
        receiver.close()
    # Outside any transaction, and the row already claimed (leased) so no other sender takes it meanwhile.
    assert seen == [(False, True)]


def test_an_agency_that_did_not_refer_receives_nothing(client, mash, receiver):
    register(client, mash, mash.health, receiver.url("/health"))
    register(client, mash, mash.social_care, receiver.url("/social-care"))
    sign_off(mash)  # referred by the police, who registered no webhook
    # No outcome notice; children's social care is sent only the handover of the s47 case it will work.
    assert not WebhookDelivery.objects.filter(event=webhooks.DECIDED).exists()
    assert webhooks.deliveries_send() == 1
    assert [(r["path"], json.loads(r["body"])["type"]) for r in receiver.received] == [
        ("/social-care", "referral.handed_over")
    ]


def test_deliveries_run_on_their_own_queue():
    from mash.celery import app

    assert app.amqp.router.route({}, "decisions.tasks.webhooks_send")["queue"].name == "webhooks"
    assert app.amqp.router.route({}, "referrals.tasks.deadlines_sweep")["queue"].name == "celery"


def test_old_payloads_and_secrets_are_carried_over_by_the_migration():
    """The migration's rule, on its own: an old secret becomes `whsec_` + base64 of its bytes, the same HMAC key."""
    import base64

    old = "x" * 43
    assert webhooks._key("whsec_" + base64.b64encode(old.encode()).decode()) == old.encode()
    assert json.loads(webhooks.body_of({"b": 1, "a": 2})) == {"a": 2, "b": 1}
