"""`manage.py build_return` (issue 20 part 5): builds a hub's return as the worker does and writes its PDF, CSV and
JSON into a folder, printing their paths and the figures' digest; bad arguments stop it before anything is built,
and a failed build (the ledger not intact) exits with the reason."""

import io
import json

import pytest
from django.core.management import CommandError, call_command

from audit.models import AuditEvent
from reports.models import MonthlyReturn, ReturnState
from tests.audit.test_seal_verify import _tamper
from tests.reports.test_return_views import _hub

pytestmark = pytest.mark.django_db(transaction=True)


def _run(*args) -> str:
    stdout = io.StringIO()
    call_command("build_return", *args, stdout=stdout)
    return stdout.getvalue()


def test_it_builds_the_month_and_writes_the_pdf_csv_and_json(tmp_path):
    north = _hub()
    out = tmp_path / "returns"  # made if missing

    printed = _run("--hub", "north", "--month", "2026-09", "--out", str(out)).splitlines()

    row = MonthlyReturn.objects.get(hub=north.hub)
    assert row.state == ReturnState.READY and row.requested_by is None  # asked as beat asks
    names = [out / f"north-2026-09.{fmt}" for fmt in ("pdf", "csv", "json")]
    assert printed == [*map(str, names), f"Figures digest: {row.figures_digest}"]
    assert names[0].read_bytes() == bytes(row.pdf) and names[0].read_bytes().startswith(b"%PDF-")
    document = json.loads(names[2].read_text())
    assert document["figures_digest"] == row.figures_digest and document["month"] == "2026-09"
    assert document["figures"] == row.figures
    csv = names[1].read_text().splitlines()
    assert csv[0] == "section,measure,item,value" and "return,figures_digest,," + row.figures_digest in csv
    exported = AuditEvent.objects.filter(action="return.exported", object_id=str(row.pk))
    assert sorted(e.data["format"] for e in exported) == ["csv", "json", "pdf"]
    assert {e.actor_type for e in exported} == {"system"}


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--hub", "south"], "There is no hub 'south' (hubs: north)"),
        (["--month", "2026-13"], "--month must be a month as YYYY-MM (2026-09), not '2026-13'"),
        (["--month", "September"], "--month must be a month as YYYY-MM (2026-09), not 'September'"),
        (["--month", "2099-01"], "January 2099 has not started: a return cannot cover the future"),
    ],
)
def test_bad_arguments_stop_it_before_anything_is_built(tmp_path, args, message):
    _hub()
    given = {"--hub": "north", "--month": "2026-09", "--out": str(tmp_path)}
    given.update(dict(zip(args[::2], args[1::2], strict=True)))
    with pytest.raises(CommandError) as error:
        _run(*[x for pair in given.items() for x in pair])
    assert str(error.value) == message
    assert not MonthlyReturn.objects.exists()


def test_a_folder_it_cannot_write_to_stops_it(tmp_path):
    _hub()
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    with pytest.raises(CommandError) as error:
        _run("--hub", "north", "--month", "2026-09", "--out", str(blocker / "returns"))
    assert str(error.value) == f"Cannot make the folder {blocker / 'returns'}: Not a directory"
    with pytest.raises(CommandError) as error:
        _run("--hub", "north", "--month", "2026-09", "--out", str(blocker))
    assert str(error.value) == f"Cannot make the folder {blocker}: File exists"
    assert not MonthlyReturn.objects.exists()


def test_a_ledger_not_intact_fails_the_build_with_the_reason(tmp_path):
    north = _hub()
    _run("--hub", "north", "--month", "2026-09", "--out", str(tmp_path))  # seals the month
    event = AuditEvent.objects.filter(hub_id=north.hub.pk, action="referral.received").order_by("id").first()
    _tamper("UPDATE audit_auditevent SET payload = %s WHERE id = %s", ['{"rating":"red"}', event.pk])

    with pytest.raises(CommandError) as error:
        _run("--hub", "north", "--month", "2026-09", "--out", str(tmp_path / "again"))

    failed = MonthlyReturn.objects.filter(hub=north.hub, state=ReturnState.FAILED).get()
    assert str(error.value) == f"The return could not be built: {failed.error}"
    assert failed.error.startswith("audit ledger NOT intact: chain ") and str(event.pk) in failed.error
    assert not (tmp_path / "again" / "north-2026-09.pdf").exists()
