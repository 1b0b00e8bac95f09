"""Each decision records its referral's hub, so the sign-off queue reads the hub's proposed decisions on an index of
their own instead of joining every referral of the hub; the migration fills the column for decisions made before."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.test.utils import CaptureQueriesContext

from agencies.access import access_for
from decisions import selectors
from decisions.models import Decision
from tests.factories import ProposedDecisionFactory, SignedOffDecisionFactory


@pytest.mark.django_db
def test_a_decision_is_of_its_referrals_hub_and_the_queue_counts_without_reading_referrals(mash):
    proposed = ProposedDecisionFactory(mash=mash)
    assert proposed.hub_id == proposed.referral.hub_id == mash.hub.pk
    queue = selectors.sign_off_queue(access_for(mash.manager, mash.hub.pk))
    with CaptureQueriesContext(connection) as counted:
        assert queue.count() == 1
    assert "referrals_referral" not in counted.captured_queries[0]["sql"]
    assert [d.pk for d in queue] == [proposed.pk]


@pytest.mark.django_db(transaction=True)
def test_the_migration_gives_decisions_made_before_it_their_referrals_hub(mash):
    decisions = [ProposedDecisionFactory(mash=mash), SignedOffDecisionFactory(mash=mash)]
    executor = MigrationExecutor(connection)
    executor.migrate([("decisions", "0012_attachments_by_agency_systems")])  # the column is gone
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())  # added, filled from the referrals, required
    assert {(d.pk, d.hub_id) for d in Decision.objects.all()} == {(d.pk, mash.hub.pk) for d in decisions}
