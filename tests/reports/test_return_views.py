"""The returns pages: who may ask for, read and download a hub's return (everyone else: 404), bad input field by
field, every read and download audited, the cross-hub view for a lead of several hubs, and text from users (the
lead's commentary, an agency's name) inert in the HTML, the PDF and the CSV with no network request made."""

import csv
import io
import threading
from datetime import date, timedelta
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
import time_machine
from django.urls import reverse

from agencies import services as hub_services
from agencies.models import Role
from audit.models import AuditEvent
from mash.errors import Refused
from referrals.services import referral_create
from reports import pdf, services
from reports.models import MonthlyReturn, ReturnState
from tests.factories import member, referral_data
from tests.people import build_mash
from tests.reports.month import at
from tests.reports.pdf_text import pdf_text

pytestmark = pytest.mark.django_db(transaction=True)
SEPTEMBER = date(2026, 9, 1)


class Recorder(BaseHTTPRequestHandler):
    """A web server that only counts what it is asked for."""

    hits: list[str] = []

    def do_GET(self):  # noqa: N802 - the stdlib's name
        Recorder.hits.append(self.path)
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args):
        """Quiet: the test reads `hits`."""


@pytest.fixture
def recorder():
    server = HTTPServer(("127.0.0.1", 0), Recorder)
    Recorder.hits = []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


def _hub(slug="north"):
    with time_machine.travel(at(9, 1, 9), tick=False):
        m = build_mash(slug)
        referral_create(hub=m.hub, data=referral_data(), channel="api", referring_agency=m.police)
    m.lead = member(m.hub, Role.STRATEGIC_LEAD)
    return m


@pytest.fixture
def north():
    return _hub()


def _ready(m, commentary=""):
    row = services.return_request(hub=m.hub, month=SEPTEMBER, by=m.lead, commentary=commentary)
    return services.return_build(return_id=row.pk)


def test_a_lead_asks_for_a_month_and_sees_it_built_then_reads_and_downloads_it(client, north):
    client.force_login(north.lead)
    page = reverse("returns", args=[north.hub.id])

    response = client.post(page, {"month": "2026-09-01", "commentary": "Two posts vacant."})

    assert response.status_code == 302 and response["Location"] == page
    row = MonthlyReturn.objects.get(hub=north.hub)
    assert (row.state, row.month, row.requested_by, row.commentary) == (
        ReturnState.QUEUED, SEPTEMBER, north.lead, "Two posts vacant."
    )  # fmt: skip
    listed = client.get(page).content.decode()
    assert "Waiting to start" in listed and 'data-refresh-url="' in listed and "js/refresh.js" in listed
    row = services.return_build(return_id=row.pk)  # what the worker does (tests/reports/test_return_worker.py)
    fragment = client.get(page, {"partial": "1"}).content.decode()
    assert "Ready" in fragment and reverse("return-download", args=[north.hub.id, row.pk, "pdf"]) in fragment

    detail = client.get(reverse("return-detail", args=[north.hub.id, row.pk])).content.decode()
    assert "Monthly return: September 2026" in detail  # a lead's figures: small numbers suppressed
    assert "&lt;5 referrals received: &lt;5 about children" in detail and "Numbers are suppressed." in detail
    assert "Two posts vacant." in detail and "<svg" in detail
    downloads = {}
    for fmt in ("pdf", "csv", "json"):
        response = client.get(reverse("return-download", args=[north.hub.id, row.pk, fmt]))
        assert response.status_code == 200
        assert response["Content-Disposition"] == f'attachment; filename="mash-return-north-2026-09.{fmt}"'
        downloads[fmt] = response.content
    assert downloads["pdf"].startswith(b"%PDF-")
    assert b"referrals,total,,<5" in downloads["csv"]
    assert b'"total": "<5"' in downloads["json"]
    exported = AuditEvent.objects.filter(action="return.exported", object_id=str(row.pk))
    assert sorted(e.data["format"] for e in exported) == ["csv", "json", "pdf"]
    assert all(e.actor_id == str(north.lead.pk) for e in exported)
    assert AuditEvent.objects.filter(action="return.viewed", object_id=str(row.pk)).count() == 1
    assert AuditEvent.objects.filter(action="returns.listed", hub_id=north.hub.pk).count() == 2
    generated = AuditEvent.objects.get(action="return.generated", object_id=str(row.pk))
    assert generated.data == {
        "month": "2026-09", "block": row.block_number, "block_hash": row.block_hash,
        "figures_digest": MonthlyReturn.objects.get(pk=row.pk).figures_digest,
    }  # fmt: skip


def test_bad_input_is_refused_field_by_field_and_nothing_is_queued(client, north):
    client.force_login(north.lead)
    page = reverse("returns", args=[north.hub.id])
    next_month = (date.today().replace(day=28) + timedelta(days=5)).replace(day=1).isoformat()

    for data, field, message in [
        ({"month": ""}, "month", "Choose the month the return covers"),
        ({"month": next_month}, "month", "Choose one of the months listed"),
        ({"month": "2026-13-01"}, "month", "Choose one of the months listed"),
        ({"month": "2026-09-01", "commentary": "x" * 5001}, "commentary", "Commentary must be 5,000 characters"),
        ({"month": "2026-09-01", "language": "fr"}, "language", "Choose English or Cymraeg for the return"),
    ]:
        response = client.post(page, data)
        body = response.content.decode()
        assert response.status_code == 400
        assert f'id="id_{field}-error"' in body and message in body, (data, body[:200])
    assert not MonthlyReturn.objects.exists()
    assert not AuditEvent.objects.filter(action="return.requested").exists()


def test_the_service_refuses_a_month_to_come_and_a_person_without_the_permission(north):
    next_month = (date.today().replace(day=28) + timedelta(days=5)).replace(day=1)
    with pytest.raises(Exception, match="a return cannot cover the future"):
        services.return_request(hub=north.hub, month=next_month, by=north.lead)
    with pytest.raises(Refused, match="Only strategic leads and managers ask for returns"):
        services.return_request(hub=north.hub, month=SEPTEMBER, by=north.practitioner)


@pytest.mark.parametrize("who", ["practitioner", "officer", "hub administrator", "other hub's lead", "outsider"])
def test_everyone_but_leads_and_managers_of_the_hub_is_kept_out(client, north, who, django_user_model):
    """The hub's other members are refused with the reason (403); anyone else meets no such hub (404)."""
    row = _ready(north)
    other = _hub("south")
    person = {
        "practitioner": north.practitioner,
        "officer": north.officers["police"],
        "hub administrator": north.admin,
        "other hub's lead": other.lead,
        "outsider": django_user_model.objects.create_user("nobody", password="x" * 16),
    }[who]
    client.force_login(person)
    status = 403 if who in ("practitioner", "officer", "hub administrator") else 404
    for url in [
        reverse("returns", args=[north.hub.id]),
        reverse("return-detail", args=[north.hub.id, row.pk]),
        reverse("return-download", args=[north.hub.id, row.pk, "pdf"]),
    ]:
        assert client.get(url).status_code == status, url
    assert client.post(reverse("returns", args=[north.hub.id]), {"month": "2026-09-01"}).status_code == status
    # Another hub's return through a hub the person may see is no return either.
    client.force_login(other.lead)
    assert client.get(reverse("return-detail", args=[other.hub.id, row.pk])).status_code == 404
    assert MonthlyReturn.objects.count() == 1


def test_the_manager_may_build_and_read_returns_too(client, north):
    client.force_login(north.manager)
    assert client.post(reverse("returns", args=[north.hub.id]), {"month": "2026-09-01"}).status_code == 302
    assert MonthlyReturn.objects.get().requested_by == north.manager


@pytest.mark.django_db  # inside the test's transaction: the count is the same on SQLite and PostgreSQL
def test_the_returns_page_reads_a_fixed_number_of_queries(client, north, django_assert_num_queries):
    def ready():
        MonthlyReturn.objects.create(hub=north.hub, month=SEPTEMBER, state=ReturnState.READY, requested_by=north.lead)

    for _ in range(3):
        ready()
    client.force_login(north.lead)
    url = reverse("returns", args=[north.hub.id])
    client.get(url)
    # session, user, the lead's roles (the two-factor check, the access and the menu share them), the returns page
    # (count + rows with their requesters), the audit insert: 6 whatever the number of rows (13 before issue 15; 9
    # before issue 21, which writes the session's renewal at most every 15 s).
    with django_assert_num_queries(6):
        client.get(url)
    ready()
    # and, as the page shows other rows, the session's note of what it last showed (savepoint, update, release): 9
    with django_assert_num_queries(9):
        client.get(url)


def test_a_lead_of_two_hubs_sees_their_figures_side_by_side(client, north):
    south = _hub("south")
    hub_services.role_grant(hub=south.hub, user=north.lead, role=Role.STRATEGIC_LEAD)
    _ready(north)
    with time_machine.travel(at(9, 2, 9), tick=False):
        referral_create(hub=south.hub, data=referral_data(), channel="api", referring_agency=south.police)
    south.lead = north.lead
    _ready(south)
    client.force_login(north.lead)

    page = client.get(reverse("returns-compare"), {"month": "2026-09-01"}).content.decode()

    assert "North MASH" in page and "South MASH" in page
    row = page.split("Referrals received</th>")[1].split("</tr>")[0]
    assert [cell.split(">")[-1] for cell in row.split("</td>")[:2]] == ["&lt;5", "&lt;5"]  # 1 and 2, suppressed
    assert "Numbers are suppressed" in page
    assert AuditEvent.objects.filter(action="returns_comparison.viewed").count() == 2
    bad = client.get(reverse("returns-compare"), {"month": "1999-01-01"})
    assert bad.status_code == 400 and "Choose one of the months listed" in bad.content.decode()


def test_text_from_users_is_inert_in_the_html_pdf_and_csv_and_nothing_is_fetched(client, north, recorder, tmp_path):
    hostile = (
        f'<img src="{recorder}/img.png"><script>alert(1)</script>'
        f'<link rel="stylesheet" href="{recorder}/x.css">\n=HYPERLINK("{recorder}/leak","click")'
    )
    hub_services.agency_update(agency=north.school, data={"name": f'=HYPERLINK("{recorder}/a") <b>School</b>'})
    row = _ready(north, commentary=hostile)
    assert row.state == ReturnState.READY, row.error
    client.force_login(north.lead)

    html = client.get(reverse("return-detail", args=[north.hub.id, row.pk])).content.decode()
    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert f'<img src="{recorder}' not in html and "&lt;img src=" in html
    assert "<b>School</b>" not in html and "&lt;b&gt;School&lt;/b&gt;" in html

    body = client.get(reverse("return-download", args=[north.hub.id, row.pk, "csv"])).content.decode()
    cells = [cell for line in csv.reader(io.StringIO(body)) for cell in line]
    assert not any(cell.startswith(("=", "+", "-", "@")) for cell in cells)
    assert any(cell.startswith("'=HYPERLINK(") for cell in cells)  # the agency's name, neutralised

    fetcher = pdf.StaticOnlyFetcher()
    text = pdf_text(pdf.render(row, fetcher), tmp_path)
    assert "<script>alert(1)</script>" in text and '=HYPERLINK("' in text  # printed as text, not run
    assert Recorder.hits == [] and fetcher.refused == []  # escaped markup asks for nothing


def test_the_pdf_fetcher_serves_only_the_projects_static_files(recorder):
    fetcher = pdf.StaticOnlyFetcher()
    assert fetcher.fetch("mash-static:/reports/return-print.css").read().startswith(b"/* The monthly return")
    for url in [
        f"{recorder}/x.png", "file:///etc/passwd", "mash-static:/../../mash/settings.py", "mash-static:/nothing.css",
        "data:text/css,body{}", "https://example.org/font.woff",
    ]:  # fmt: skip
        with pytest.raises(ValueError, match="Only the project's static files"):
            fetcher.fetch(url)
    assert Recorder.hits == []


def test_beat_builds_last_month_for_every_hub_on_the_first(north):
    south = _hub("south")
    queued = services.returns_schedule(today=date(2026, 10, 1))
    assert sorted((r.hub.slug, r.month, r.requested_by) for r in queued) == [
        ("north", SEPTEMBER, None), ("south", SEPTEMBER, None)
    ]  # fmt: skip
    assert services.returns_schedule(today=date(2026, 10, 1)) == []  # already on their way
    assert AuditEvent.objects.filter(action="return.requested", actor_type="system").count() == 2
    assert south.hub.returns.get().state == ReturnState.QUEUED


def test_this_month_to_date_is_built_as_provisional(client, north):
    this_month = date.today().replace(day=1)
    referral_create(hub=north.hub, data=referral_data(), channel="api", referring_agency=north.police)
    client.force_login(north.lead)
    form = client.get(reverse("returns", args=[north.hub.id])).content.decode()
    assert f'<option value="{this_month.isoformat()}">{this_month:%B %Y} to date (provisional)</option>' in form
    assert client.post(reverse("returns", args=[north.hub.id]), {"month": this_month.isoformat()}).status_code == 302
    row = services.return_build(return_id=MonthlyReturn.objects.get(hub=north.hub).pk)

    assert row.state == ReturnState.READY and row.figures["provisional"] is True
    assert row.figures["referrals"]["total"] == 1
    assert row.figures["period"]["end"] <= row.built_at.isoformat()
    detail = client.get(reverse("return-detail", args=[north.hub.id, row.pk])).content.decode()
    assert "Provisional:" in detail
    assert "(to date, provisional)" in client.get(reverse("returns", args=[north.hub.id])).content.decode()


def test_the_progress_poll_logs_a_read_only_when_a_return_moved_on(client, north):
    client.force_login(north.lead)
    page = reverse("returns", args=[north.hub.id])
    client.post(page, {"month": "2026-09-01"})
    client.get(page)
    background = {"HTTP_X_BACKGROUND_REQUEST": "1"}  # what static/js/refresh.js sends
    for _ in range(3):  # still queued: the same thing shown
        client.get(page, {"partial": "1", "page": "1"}, **background)
    listed = AuditEvent.objects.filter(action="returns.listed", hub_id=north.hub.pk)
    assert listed.count() == 1
    services.return_build(return_id=MonthlyReturn.objects.get(hub=north.hub).pk)
    client.get(page, {"partial": "1", "page": "1"}, **background)
    assert listed.count() == 2  # built: the poll shows something new
