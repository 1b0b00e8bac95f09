"""A return built by a real Celery worker on PostgreSQL and Redis: asked for on the page, its progress read from the
page's refreshing fragment until it is ready, then downloaded; and a return whose task was lost (a broker or
worker that died) sent again by beat's resume job and built."""

from datetime import timedelta

import pytest
from django.conf import settings as django_settings
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEvent
from reports import services
from reports.models import MonthlyReturn, ReturnState
from tests.referrals.test_deadline_worker import _env, _wait, processes  # noqa: F401 - the fixture
from tests.reports.test_return_views import SEPTEMBER, _hub

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.redis,
    pytest.mark.celery,
    pytest.mark.django_db(transaction=True),
]


def test_a_lead_asks_on_the_page_and_the_worker_builds_it_with_progress(client, tmp_path, processes):  # noqa: F811
    north = _hub()
    processes.worker(_env(tmp_path, django_settings.REDIS_URL))
    client.force_login(north.lead)
    page = reverse("returns", args=[north.hub.id])

    assert client.post(page, {"month": "2026-09-01"}).status_code == 302
    seen = []

    def ready():
        fragment = client.get(page, {"partial": "1"}).content.decode()
        seen.append("Ready" if "govuk-tag--green" in fragment else "pending" if "<progress" in fragment else "other")
        return "govuk-tag--green" in fragment and fragment

    fragment = _wait(ready, "the worker to build the return", processes, seconds=90)
    assert seen[0] == "pending" and seen[-1] == "Ready" and "other" not in seen
    row = MonthlyReturn.objects.get(hub=north.hub)
    assert (row.state, row.progress, row.step) == (ReturnState.READY, 100, "Ready")
    assert reverse("return-download", args=[north.hub.id, row.pk, "pdf"]) in fragment
    pdf = client.get(reverse("return-download", args=[north.hub.id, row.pk, "pdf"]))
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF-")
    generated = AuditEvent.objects.get(action="return.generated", object_id=str(row.pk))
    assert generated.actor_type == "system" and generated.data["figures_digest"] == row.figures_digest


def test_a_return_whose_task_was_lost_is_sent_again_and_built(tmp_path, processes):  # noqa: F811
    north = _hub()
    # Asked for while no broker answered: the row is the truth, and nothing was queued.
    lost = MonthlyReturn.objects.create(hub=north.hub, month=SEPTEMBER, requested_by=north.lead)
    MonthlyReturn.objects.filter(pk=lost.pk).update(updated_at=timezone.now() - timedelta(minutes=11))
    processes.worker(_env(tmp_path, django_settings.REDIS_URL))

    assert services.returns_resume() == 1  # what beat runs every five minutes

    _wait(lambda: MonthlyReturn.objects.get(pk=lost.pk).is_ready, "the resent build", processes, seconds=90)
    assert services.returns_resume() == 0
