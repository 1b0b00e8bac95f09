"""Idempotency-Keys: one write per key, the stored first response on a retry, nothing kept by a write that failed,
and keys forgotten after IDEMPOTENCY_KEEP_HOURS (never fewer than 24) by the hourly beat task."""

from datetime import timedelta

import pytest
from django.conf import settings as django_settings
from django.core.exceptions import ValidationError
from django.utils import timezone

from agencies.services import api_client_create
from mash.celery import app
from referrals import idempotency, tasks
from referrals.models import IdempotencyRecord
from tests.factories import HubFactory, MembershipFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def api_client():
    hub = HubFactory()
    client, _, _ = api_client_create(hub=hub, agency=MembershipFactory(hub=hub).agency, name="Case system")
    return client


def run(api_client, write, key="k", body=None, endpoint="test.write"):
    return idempotency.run_once(
        client=api_client, endpoint=endpoint, key=key, body_hash=idempotency.request_hash(body or {"a": 1}), write=write
    )


def test_the_write_runs_once_per_key_and_a_retry_gets_its_response(api_client):
    calls = []

    def write():
        calls.append(1)
        return 201, {"n": len(calls)}

    first = run(api_client, write)
    again = run(api_client, write, body={"a": 1})
    assert (first.status_code, first.data, first.has_header(idempotency.REPLAYED)) == (201, {"n": 1}, False)
    assert (again.status_code, again.data, again[idempotency.REPLAYED]) == (201, {"n": 1}, "true")
    assert len(calls) == 1
    other = run(api_client, write, body={"a": 2})
    assert other.status_code == 422 and len(calls) == 1
    # Keys are per endpoint: the same key on another endpoint is another write.
    assert run(api_client, write, endpoint="test.other").data == {"n": 2}


def test_a_write_that_fails_keeps_nothing_and_the_key_can_be_used_again(api_client):
    def refused():
        raise ValidationError({"field": "Wrong"})

    with pytest.raises(ValidationError):
        run(api_client, refused)
    assert not IdempotencyRecord.objects.exists()
    assert run(api_client, lambda: (201, {"ok": True})).data == {"ok": True}


def test_the_body_hash_ignores_key_order_and_spacing():
    assert idempotency.request_hash({"a": 1, "b": [1, 2]}) == idempotency.request_hash({"b": [1, 2], "a": 1})
    assert idempotency.request_hash({"a": 1}) != idempotency.request_hash({"a": "1"})


def _aged(api_client, key: str, hours: float) -> IdempotencyRecord:
    run(api_client, lambda: (201, {}), key=key)
    IdempotencyRecord.objects.filter(key=key).update(created_at=timezone.now() - timedelta(hours=hours))
    return IdempotencyRecord.objects.get(key=key)


def test_prune_forgets_keys_older_than_the_setting(api_client, settings):
    settings.IDEMPOTENCY_KEEP_HOURS = 48
    _aged(api_client, "new", 1)
    _aged(api_client, "day", 47.9)
    _aged(api_client, "old", 48.1)
    _aged(api_client, "older", 24 * 30)
    assert idempotency.idempotency_prune() == 2
    assert sorted(IdempotencyRecord.objects.values_list("key", flat=True)) == ["day", "new"]
    # A forgotten key is a new key again.
    assert run(api_client, lambda: (201, {"again": True}), key="old").data == {"again": True}


def test_prune_never_forgets_a_key_younger_than_24_hours(api_client, settings):
    settings.IDEMPOTENCY_KEEP_HOURS = 1  # below the promise (the environment refuses it; a test can still set it)
    _aged(api_client, "young", 23.9)
    _aged(api_client, "old", 24.1)
    assert idempotency.idempotency_prune() == 1
    assert list(IdempotencyRecord.objects.values_list("key", flat=True)) == ["young"]


def test_the_hourly_beat_task_prunes(api_client):
    _aged(api_client, "old", django_settings.IDEMPOTENCY_KEEP_HOURS + 1)
    _aged(api_client, "new", 1)
    entry = django_settings.CELERY_BEAT_SCHEDULE["idempotency-prune"]
    assert entry["task"] == "referrals.tasks.idempotency_prune" and entry["schedule"] == timedelta(hours=1)
    assert entry["task"] in app.tasks
    assert tasks.idempotency_prune.apply().get() == 1
    assert list(IdempotencyRecord.objects.values_list("key", flat=True)) == ["new"]


def test_the_setting_defaults_to_48_hours_and_start_up_refuses_fewer_than_24(tmp_path):
    from tests.mash.test_settings import _start

    assert django_settings.IDEMPOTENCY_KEEP_HOURS == 48
    result = _start(tmp_path, DEBUG="true", IDEMPOTENCY_KEEP_HOURS="12")
    assert result.returncode == 1
    assert result.stderr.strip() == "mash: environment variable IDEMPOTENCY_KEEP_HOURS must be at least 24, not 12"
