"""PostgreSQL seals only below the oldest running transaction: a return asked for while a transaction that began
before the month's last events is still open waits (queued, saying why) instead of counting an unsealed ledger."""

import psycopg
import pytest
from django.db import connection

from reports import services
from reports.models import ReturnState
from tests.reports.test_return_views import SEPTEMBER, _hub

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_a_return_waits_for_the_months_events_to_be_sealed_then_builds():
    db = connection.settings_dict
    blocker = psycopg.connect(
        host=db["HOST"] or "127.0.0.1", port=db["PORT"] or 5432, user=db["USER"], dbname=db["NAME"]
    )
    blocker.execute("SELECT txid_current()")  # a transaction with an id, open from before the month's events
    try:
        north = _hub()
        row = services.return_request(hub=north.hub, month=SEPTEMBER, by=north.lead)
        with pytest.raises(services.NotSealedYet):
            services.return_build(return_id=row.pk)
        row.refresh_from_db()
        assert (row.state, row.step, row.figures) == (
            ReturnState.QUEUED, "Waiting for the month's last events to be sealed", None
        )  # fmt: skip
    finally:
        blocker.rollback()
        blocker.close()

    built = services.return_build(return_id=row.pk)

    assert built.state == ReturnState.READY and built.figures["referrals"]["total"] == 1
