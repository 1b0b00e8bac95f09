"""Incremental verification (audit/ledger_checks.py): a check recomputes only the blocks sealed after the chain's
last verified, signed head; a forged or outdated check is not trusted; what only a full check sees (an event changed
in place inside a block already verified) stands until a full check finds the chain intact again."""

from datetime import date, timedelta

import pytest
from django.core.management.base import CommandError
from django.utils import timezone

from audit import ledger_checks
from audit.models import AuditBlock, AuditEvent, LedgerCheck
from audit.services import seal
from audit.tasks import verify_ledger
from reports import services as returns
from reports.models import ReturnState
from tests.audit.test_seal_verify import _events, _run, _tamper
from tests.factories import HubFactory

pytestmark = pytest.mark.django_db(transaction=True)  # on PostgreSQL events are sealed once committed


def _sealed(hub, n):
    events = _events(hub, n)
    seal()
    return events


def _checks(hub):
    return list(LedgerCheck.objects.filter(chain=hub.pk).order_by("id"))


def test_a_second_check_recomputes_only_the_blocks_sealed_since_the_first():
    hub = HubFactory()
    _sealed(hub, 5)
    first = ledger_checks.check(hub=hub)
    assert first.intact and first.recomputed == first.blocks  # no earlier check: every block
    assert first.events == AuditEvent.objects.filter(hub_id=hub.pk).count()
    head = AuditBlock.objects.filter(chain=hub.pk).order_by("-number").first()
    [recorded] = _checks(hub)
    assert (recorded.block, recorded.hash, recorded.full, recorded.intact) == (head.number, bytes(head.hash).hex(),
                                                                             True, True)  # fmt: skip
    assert ledger_checks.signed(recorded)

    _sealed(hub, 3)
    second = ledger_checks.check(hub=hub)
    assert second.intact
    assert (second.events, second.recomputed) == (3, 1)  # the new block only
    assert "the 1 newest of" in second.summary() and "every block's link checked" in second.summary()
    latest = _checks(hub)[-1]
    assert (latest.full, latest.events, latest.block) == (False, 3, head.number + 1)


def test_a_check_with_a_forged_signature_or_a_block_since_changed_is_not_started_from():
    hub = HubFactory()
    _sealed(hub, 4)
    ledger_checks.check(hub=hub)
    _sealed(hub, 2)
    # Whoever owns the database writes a check "up to the newest block" without the key: it is ignored.
    newest = AuditBlock.objects.filter(chain=hub.pk).order_by("-number").first()
    forged = LedgerCheck.objects.create(
        chain=hub.pk, block=newest.number, hash=bytes(newest.hash).hex(), full=True, events=0, intact=True,
        checked_at=timezone.now(), key_id=_checks(hub)[0].key_id, signature="AAAA",
    )  # fmt: skip
    assert not ledger_checks.signed(forged)
    assert ledger_checks.verified_heads([str(hub.pk)]) == {str(hub.pk): newest.number - 1}
    # The first check's block changed since (a rebuilt chain): nothing is started from, everything recomputed.
    first_block = AuditBlock.objects.get(chain=hub.pk, number=newest.number - 1)
    _tamper("UPDATE audit_auditblock SET hash = %s WHERE id = %s", [bytes(32), first_block.id])
    assert ledger_checks.verified_heads([str(hub.pk)]) == {}
    report = ledger_checks.check(hub=hub)
    assert not report.intact
    assert _checks(hub)[-1].intact is False and _checks(hub)[-1].full is True


def test_an_event_changed_inside_a_verified_block_is_found_by_the_full_check_and_stands_until_repaired():
    hub = HubFactory()
    old = _sealed(hub, 3)
    assert ledger_checks.check(hub=hub).intact
    _tamper("UPDATE audit_auditevent SET payload = %s WHERE id = %s", ['{"red_hours":99}', old[1].id])
    _sealed(hub, 2)
    # The nightly check recomputes the new block only: it cannot see the change (which is why a full one runs).
    assert ledger_checks.check(hub=hub).intact
    # The weekly full check finds it, names it and records it.
    assert verify_ledger(full=True) is False
    failed = _checks(hub)[-1]
    assert (failed.full, failed.intact) == (True, False)
    assert f"event {old[1].id}" in failed.problem and "content does not match" in failed.problem
    # Every check of the chain reports it from then on, incremental ones among them.
    later = ledger_checks.check(hub=hub)
    assert not later.intact and "found the chain NOT intact" in later.summary()
    # A return's build recomputes every block sealed since its month began, whatever was checked before.
    row = returns.return_request(hub=hub, month=date.today().replace(day=1))
    built = returns.return_build(return_id=row.pk)
    assert built.state == ReturnState.FAILED
    assert built.error.startswith("audit ledger NOT intact") and f"event {old[1].id}: content" in built.error
    # Put right (here: the event as it was), a full check finds the chain intact and the standing problem ends.
    _tamper("UPDATE audit_auditevent SET payload = %s WHERE id = %s", [old[1].payload, old[1].id])
    assert ledger_checks.check(hub=hub, full=True).intact
    assert ledger_checks.check(hub=hub).intact


def test_a_return_builds_from_the_nightly_check_and_keeps_the_head_it_verified():
    hub = HubFactory()
    _sealed(hub, 6)
    assert verify_ledger() is True  # the nightly check: the first one is full
    assert _checks(hub)[-1].full
    row = returns.return_build(return_id=returns.return_request(hub=hub, month=date.today().replace(day=1)).pk)
    assert row.state == ReturnState.READY, row.error
    build_check = _checks(hub)[-1]
    assert not build_check.full  # not every block: those after the nightly check's head and sealed this month
    assert row.heads["hub"]["block"] == build_check.block and row.heads["hub"]["hash"] == build_check.hash


def test_verify_audit_incremental_and_record():
    hub = HubFactory()
    _sealed(hub, 3)
    code, out, _ = _run("--record", "--hub", str(hub.pk))
    assert code == 0 and out.startswith("audit ledger intact:")
    assert _checks(hub)[-1].full
    _sealed(hub, 2)
    code, out, _ = _run("--incremental", "--hub", str(hub.pk))
    assert code == 0 and "the 1 newest of" in out, out
    assert not _checks(hub)[-1].full
    with pytest.raises(CommandError, match="not with --since"):
        _run("--incremental", "--since", "2026-01-01")


def test_a_returns_build_recomputes_the_blocks_of_its_month_and_after_the_last_check_not_the_months_before():
    import time_machine

    hub = HubFactory()
    month = date.today().replace(day=1)
    with time_machine.travel(timezone.now() - timedelta(days=45)):  # sealed last month or before, and checked
        _sealed(hub, 7)
        assert ledger_checks.check(hub=hub).intact
    _sealed(hub, 2)  # this month's
    row = returns.return_build(return_id=returns.return_request(hub=hub, month=month).pk)
    assert row.state == ReturnState.READY, row.error
    build_check = _checks(hub)[-1]
    # This month's block only: its two events and the return's request, not the seven of the checked block before.
    assert not build_check.full and build_check.events == 3


def _verify_in_a_daemon(hub_id, queue):
    from django.db import connection

    from audit.verify import verify

    try:
        queue.put(verify(hub=hub_id, workers=2).intact)
    finally:
        connection.close()


@pytest.mark.postgres
def test_a_large_chain_is_verified_in_a_celery_worker_whose_process_may_not_start_others(monkeypatch):
    """Celery's prefork workers are daemonic processes: verify's pool of readers would be refused there, so it reads
    in the one process (a month's return of a big hub crashed the worker before)."""
    import multiprocessing

    from django.db import connections

    from audit import verify as verifying

    hub = HubFactory()
    _sealed(hub, 6)
    monkeypatch.setattr(verifying, "PARALLEL_FROM", 1)  # "large": a pool of readers for as few as six events
    connections.close_all()
    queue = multiprocessing.get_context("fork").Queue()
    daemon = multiprocessing.get_context("fork").Process(target=_verify_in_a_daemon, args=(hub.pk, queue), daemon=True)
    daemon.start()
    assert queue.get(timeout=60) is True
    daemon.join(10)


@pytest.mark.postgres
def test_a_return_whose_process_cannot_fork_checks_the_chain_itself(monkeypatch):
    """No process to be had (the system's process limit, memory): the build checks in its own process, as on
    SQLite, rather than failing. The fork's refusal is the system's error, raised where os.fork raises it."""
    import errno

    import mash.forked

    def refused():
        raise OSError(errno.EAGAIN, "Resource temporarily unavailable")

    hub = HubFactory()
    _sealed(hub, 3)
    monkeypatch.setattr(mash.forked.os, "fork", refused)
    row = returns.return_build(return_id=returns.return_request(hub=hub, month=date.today().replace(day=1)).pk)
    assert row.state == ReturnState.READY, row.error
    assert _checks(hub)[-1].intact
