"""The return's reads of the ledger go through the registry: the rating deadlines are found by a JSON lookup of the
payload's `kind`, not by searching the stored text (it once matched '"kind":"rating"' inside the payload)."""

import uuid

import pytest
from django.utils import timezone

from audit.events.actions import AuditAction
from audit.events.payloads import DeadlineFacts
from audit.services import event, record
from reports.ledger import month_events, rating_deadlines_set

pytestmark = pytest.mark.django_db


def _deadline_set(hub, kind: str, *, rating: str = "red", stored_as: str | None = None) -> str:
    """A `deadline.set` event of the referral it returns; `stored_as` replaces the stored text (a row written
    before the payload was declared, or by another serialiser), as the registry would never let it be written."""
    referral_id = str(uuid.uuid4())
    facts = DeadlineFacts(deadline_id=str(uuid.uuid4()), kind=kind, rating=rating, due_at=timezone.now().isoformat())
    row = event(
        AuditAction.DEADLINE_SET, hub=hub, object_type="referrals.referral", object_id=referral_id, payload=facts
    )
    if stored_as is not None:
        row.payload = stored_as
    row.save(force_insert=True)
    return referral_id


def test_the_rating_deadline_read_is_a_json_key_lookup_not_a_text_search(hub):
    rating = _deadline_set(hub, "rating")
    # Not rating deadlines, though their text says "rating" (the second even holds '"kind":"rating"', nested).
    request = _deadline_set(hub, "request", rating="rating")
    nested = _deadline_set(hub, "request", stored_as='{"due_at":"2026-01-01T00:00:00+00:00","kind":"request",'
                                                      '"rating":"red","x":{"kind":"rating"}}')  # fmt: skip
    # A rating deadline whose text is not the canonical form: found by its key, where the text search missed it.
    spaced = _deadline_set(hub, "rating", stored_as='{"kind": "rating", "rating": "amber"}')
    other_action = str(uuid.uuid4())
    record(AuditAction.REFERRAL_CLOSED_NO_RESPONSE, hub=hub, object_type="referrals.referral", object_id=other_action,
           payload={"decided_at": "rating"})  # fmt: skip

    found = set(rating_deadlines_set(hub).values_list("object_id", flat=True))
    assert found == {rating, spaced}
    assert request not in found and nested not in found

    loaded = month_events(hub, timezone.localdate())
    assert set(loaded.rating_deadlines) == {rating, spaced}
    assert [e.action for e in loaded.rating_deadlines[rating]] == [AuditAction.DEADLINE_SET]


def test_another_hubs_rating_deadline_is_not_read():
    from tests.factories import HubFactory

    mine, other = HubFactory(), HubFactory()
    _deadline_set(other, "rating")
    assert not rating_deadlines_set(mine).exists()
