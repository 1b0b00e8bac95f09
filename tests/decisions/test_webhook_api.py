"""Managing webhooks as an agency's system does (`/api/v1/webhooks/…`, scope webhooks:write): list, read, delete,
rotate the secret (both signatures valid for a day), ping, list the notices and send a failed one again. Another
agency's webhook is 404 and stays untouched; one address once per agency; revoking the client disables its
webhooks."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from standardwebhooks import Webhook as Verifier
from standardwebhooks.webhooks import WebhookVerificationError

from agencies.models import ApiClient
from agencies.services import api_client_revoke
from audit.models import AuditEvent
from decisions import webhooks
from decisions.models import Webhook, WebhookDelivery
from tests.decisions.test_api import api_token
from tests.decisions.test_webhooks import Receiver, sign_off, verified
from tests.people import build_mash

pytestmark = pytest.mark.django_db

WEBHOOKS = "/api/v1/webhooks/"


class System:
    """An agency's system with a token of its own."""

    def __init__(self, client, hub, agency, scopes="webhooks:write"):
        self.client, self.token = client, api_token(client, hub, agency, scopes=scopes)

    def call(self, method, url, body=None):
        kwargs = {"HTTP_AUTHORIZATION": f"Bearer {self.token}"}
        if body is not None:
            return getattr(self.client, method)(url, data=body, content_type="application/json", **kwargs)
        return self.client.generic(method.upper(), url, b"", **kwargs)  # no body, as `curl -X POST` sends

    def register(self, url) -> dict:
        response = self.call("post", WEBHOOKS, {"url": url})
        assert response.status_code == 201, response.content
        return response.json()


@pytest.fixture
def police(client, mash):
    return System(client, mash.hub, mash.police)


@pytest.fixture
def receiver(settings):
    settings.DEBUG = True
    settings.WEBHOOK_TIMEOUT_SECONDS = 5
    receiver = Receiver()
    yield receiver
    receiver.close()


def test_an_agency_lists_its_own_webhooks_page_by_page_without_secrets(client, mash, police):
    first = police.register("https://police.example/one")
    second = police.register("https://police.example/two")
    System(client, mash.hub, mash.health).register("https://health.example/hook")  # another agency's

    with CaptureQueriesContext(connection) as queries:
        page = police.call("get", f"{WEBHOOKS}?page_size=1")
    assert page.status_code == 200, page.content
    # the token with its client and its agency's agreement (one query since issue 21), the page of webhooks, the
    # audit event of the read
    assert len(queries) == 3, [q["sql"][:90] for q in queries.captured_queries]
    body = page.json()
    assert [w["id"] for w in body["results"]] == [second["id"]]  # newest first
    assert set(body["results"][0]) == {
        "id", "url", "created_at", "disabled_at", "disabled_reason", "previous_secret_expires_at"
    }  # fmt: skip
    assert second["secret"] not in page.content.decode() and first["secret"] not in page.content.decode()
    rest = police.call("get", body["next"]).json()
    assert [w["id"] for w in rest["results"]] == [first["id"]] and rest["next"] is None
    listed = AuditEvent.objects.filter(action="webhook.listed")
    assert listed.count() == 2 and listed.first().data["ids"] in ([first["id"]], [second["id"]])


def test_another_agencys_or_hubs_webhook_is_not_found_and_stays(client, mash, police):
    health = System(client, mash.hub, mash.health).register("https://health.example/hook")
    other_hub = build_mash("elsewhere")
    theirs = System(client, other_hub.hub, other_hub.police).register("https://police.example/hook")
    for webhook_id in (health["id"], theirs["id"], "00000000-0000-0000-0000-000000000000"):
        for method, suffix in (("get", ""), ("delete", ""), ("post", "rotate-secret/"), ("post", "ping/"),
                               ("get", "deliveries/")):  # fmt: skip
            response = police.call(method, f"{WEBHOOKS}{webhook_id}/{suffix}")
            assert response.status_code == 404, (method, suffix, response.content)
            assert response["Content-Type"].startswith("application/problem+json")
    assert Webhook.objects.filter(pk__in=[health["id"], theirs["id"]], disabled_at=None).count() == 2
    assert Webhook.objects.get(pk=health["id"]).secret == health["secret"]  # not rotated


def test_an_agency_reads_one_of_its_webhooks(police):
    hook = police.register("https://police.example/hook")
    response = police.call("get", f"{WEBHOOKS}{hook['id']}/")
    assert response.status_code == 200
    assert (response.json()["url"], response.json()["disabled_at"]) == ("https://police.example/hook", None)
    assert AuditEvent.objects.filter(action="webhook.viewed", object_id=hook["id"]).exists()


def test_a_webhook_carries_an_etag_and_answers_304_until_it_changes(client, police):
    hook = police.register("https://police.example/hook")
    url = f"{WEBHOOKS}{hook['id']}/"
    etag = police.call("get", url)["ETag"]
    same = client.get(url, HTTP_AUTHORIZATION=f"Bearer {police.token}", HTTP_IF_NONE_MATCH=etag)
    assert (same.status_code, same.content) == (304, b"")
    police.call("post", f"{url}rotate-secret/")
    changed = client.get(url, HTTP_AUTHORIZATION=f"Bearer {police.token}", HTTP_IF_NONE_MATCH=etag)
    assert changed.status_code == 200 and changed["ETag"] != etag and changed.json()["previous_secret_expires_at"]


def test_managing_webhooks_needs_the_scope(client, mash):
    reader = System(client, mash.hub, mash.police, scopes="referrals:read")
    assert reader.call("get", WEBHOOKS).status_code == 403


def test_one_address_once_per_agency(client, mash, police):
    police.register("https://police.example/hook")
    again = police.call("post", WEBHOOKS, {"url": "https://police.example/hook"})
    assert again.status_code == 409, again.content
    assert again.json()["errors"] == [{"field": "url", "detail": webhooks.DUPLICATE}]
    assert Webhook.objects.count() == 1
    System(client, mash.hub, mash.health).register("https://police.example/hook")  # another agency may


def test_deleting_a_webhook_stops_its_pending_notices(mash, police, receiver):
    hook = police.register(receiver.url("/police"))
    sign_off(mash)
    assert WebhookDelivery.objects.count() == 1
    response = police.call("delete", f"{WEBHOOKS}{hook['id']}/")
    assert response.status_code == 204
    assert not Webhook.objects.exists() and not WebhookDelivery.objects.exists()
    assert webhooks.deliveries_send() == 0 and receiver.received == []
    assert AuditEvent.objects.filter(action="webhook.deleted", object_id=hook["id"]).exists()
    assert police.call("get", f"{WEBHOOKS}{hook['id']}/").status_code == 404
    police.register(receiver.url("/police"))  # the address may be registered again


def test_after_a_rotation_both_secrets_verify_for_a_day_then_only_the_new(mash, police, receiver):
    hook = police.register(receiver.url("/police"))
    response = police.call("post", f"{WEBHOOKS}{hook['id']}/rotate-secret/")
    assert response.status_code == 200, response.content
    assert response["Cache-Control"] == "no-store"
    rotated = response.json()
    new, old = rotated["secret"], hook["secret"]
    assert new.startswith("whsec_") and new != old
    expires = Webhook.objects.get().previous_secret_expires_at
    assert abs((expires - timezone.now()).total_seconds() - 24 * 3600) < 60
    sign_off(mash)
    assert webhooks.deliveries_send() == 1
    (notice,) = receiver.received
    assert len(notice["headers"]["webhook-signature"].split(" ")) == 2
    assert verified(new, notice) and verified(old, notice)  # a receiver on either secret accepts it
    assert AuditEvent.objects.filter(action="webhook.secret_rotated").count() == 1
    assert new not in str(AuditEvent.objects.values_list("payload", flat=True))

    Webhook.objects.update(previous_secret_expires_at=timezone.now())  # a day later
    police.call("post", f"{WEBHOOKS}{hook['id']}/ping/")
    ping = receiver.received[-1]
    assert verified(new, ping)["type"] == "webhook.ping"
    with pytest.raises(WebhookVerificationError):
        verified(old, ping)


def test_a_ping_is_signed_and_sent_at_once(police, receiver):
    hook = police.register(receiver.url("/police"))
    response = police.call("post", f"{WEBHOOKS}{hook['id']}/ping/")
    assert response.status_code == 200, response.content
    assert response.json() == {"delivered": True, "error": ""}
    (ping,) = receiver.received
    payload = Verifier(hook["secret"]).verify(ping["body"], dict(ping["headers"].items()))
    assert payload["type"] == "webhook.ping" and payload["data"] == {"webhook_id": hook["id"]}
    receiver.statuses["/police"] = [503]
    assert police.call("post", f"{WEBHOOKS}{hook['id']}/ping/").json() == {"delivered": False, "error": "HTTP 503"}
    pinged = AuditEvent.objects.filter(action="webhook.pinged").order_by("pk")
    assert [e.data for e in pinged] == [{"delivered": True, "error": ""}, {"delivered": False, "error": "HTTP 503"}]


def test_the_notices_list_shows_status_attempts_and_errors_and_a_failed_one_is_sent_again(mash, police, receiver):
    hook = police.register(receiver.url("/police"))
    receiver.statuses["/police"] = [500, 500]
    referral, _ = sign_off(mash)
    webhooks.deliveries_send()
    deliveries = f"{WEBHOOKS}{hook['id']}/deliveries/"
    (row,) = police.call("get", deliveries).json()["results"]
    assert (row["status"], row["attempts"], row["last_error"]) == ("pending", 1, "HTTP 500")
    assert (row["type"], row["referral_id"]) == ("referral.decided", str(referral.pk))
    redeliver = f"{deliveries}{row['id']}/redeliver/"
    assert police.call("post", redeliver).status_code == 409  # still being retried

    receiver.statuses["/police"] = [200, 500]  # the new notice (due first) answered, the old one not
    sign_off(mash)  # a later notice gets through, so the webhook stays enabled
    WebhookDelivery.objects.filter(pk=row["id"]).update(retry_until=timezone.now(), next_attempt_at=timezone.now())
    assert webhooks.deliveries_send() == 1  # the new one delivered; the old one tried (500) and given up
    row = police.call("get", deliveries).json()["results"][1]
    assert (row["status"], row["attempts"]) == ("failed", 2) and row["gave_up_at"]
    assert Webhook.objects.get().disabled_at is None

    again = police.call("post", redeliver)
    assert again.status_code == 202, again.content
    assert again.json()["status"] == "pending"
    assert webhooks.deliveries_send() == 1
    row = police.call("get", deliveries).json()["results"][1]
    assert (row["status"], row["attempts"], row["last_error"]) == ("delivered", 3, "")
    old_notice = [r for r in receiver.received if r["headers"]["webhook-id"] == row["id"]]
    assert len(old_notice) == 3  # the same notice, the same id each time
    assert police.call("post", redeliver).status_code == 409  # delivered: not again
    assert AuditEvent.objects.filter(action="webhook.redelivery_requested").count() == 1
    assert AuditEvent.objects.filter(action="webhook_delivery.listed").count() == 3


def test_a_disabled_webhook_is_not_pinged_rotated_or_redelivered(mash, police, receiver):
    hook = police.register(receiver.url("/police"))
    Webhook.objects.update(disabled_at=timezone.now(), disabled_reason="failing")
    for suffix in ("ping/", "rotate-secret/"):
        assert police.call("post", f"{WEBHOOKS}{hook['id']}/{suffix}").status_code == 409
    assert receiver.received == []


def test_a_delivery_of_another_webhook_is_not_found(mash, police, receiver):
    mine = police.register(receiver.url("/police"))
    other = police.register(receiver.url("/other"))
    receiver.statuses["/police"] = [500]
    sign_off(mash)
    webhooks.deliveries_send()
    delivery = WebhookDelivery.objects.get(webhook_id=mine["id"])
    response = police.call("post", f"{WEBHOOKS}{other['id']}/deliveries/{delivery.pk}/redeliver/")
    assert response.status_code == 404


def test_revoking_a_client_disables_the_webhooks_it_registered(client, mash, police, mailoutbox):
    police.register("https://police.example/hook")
    other = System(client, mash.hub, mash.police)  # another client of the same agency
    kept = other.register("https://police.example/other")
    revoked = Webhook.objects.get(url="https://police.example/hook").client
    api_client_revoke(client=revoked, by=mash.admin)
    gone = Webhook.objects.get(url="https://police.example/hook")
    assert gone.disabled_at is not None and gone.disabled_reason == "client_revoked"
    assert Webhook.objects.get(pk=kept["id"]).disabled_at is None
    assert AuditEvent.objects.get(action="webhook.disabled").data == {"reason": "client_revoked"}
    sign_off(mash)
    assert list(WebhookDelivery.objects.values_list("webhook_id", flat=True)) == [Webhook.objects.get(pk=kept["id"]).pk]
    assert ApiClient.objects.get(pk=revoked.pk).revoked_at is not None
