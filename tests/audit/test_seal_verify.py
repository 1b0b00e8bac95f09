"""Sealing chains the ledger into blocks; verification recomputes them and names what was tampered with."""

import io

import pytest
from django.core.management import call_command
from django.db import connection, transaction

from audit.context import Actor, acting
from audit.models import NIL_CHAIN, AuditBlock, AuditEvent
from audit.services import record, seal
from audit.verify import verify
from tests.factories import HubFactory

# Transactional: on PostgreSQL an event is sealed only once its transaction has committed, as in production.
pytestmark = pytest.mark.django_db(transaction=True)


def _events(hub, n, action="hub.updated"):
    with acting(Actor("user", "7", "req", "10.0.0.1")):
        return [record(action, hub=hub, obj=hub, payload={"red_hours": i, "name": "ünïcode ✓"}) for i in range(n)]


def _tamper(sql, params=()):
    """Change the ledger behind the application's back: the triggers lifted, as a database superuser could."""
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL session_replication_role = replica")
        else:
            for table in ("audit_auditevent", "audit_auditblock"):
                for op in ("update", "delete"):
                    cursor.execute(f"DROP TRIGGER IF EXISTS {table}_no_{op}")
        cursor.execute(sql, params)


def test_seal_makes_one_block_per_chain_and_verify_passes():
    hub_a, hub_b = HubFactory(), HubFactory()
    _events(hub_a, 5)
    _events(hub_b, 3)
    record("user.login_failed", payload={"username": "x"})
    blocks = seal()
    counts = {str(b.chain): b.event_count for b in blocks}
    # hub_create wrote one event per hub too
    assert counts == {str(hub_a.pk): 6, str(hub_b.pk): 4, NIL_CHAIN: 1}
    assert seal() == []  # nothing new to seal
    report = verify()
    assert report.intact, report.summary()
    assert report.events == 11 and report.blocks == 3
    assert report.heads[str(hub_a.pk)] == (
        1,
        bytes(blocks[[str(b.chain) for b in blocks].index(str(hub_a.pk))].hash).hex(),
    )


def test_blocks_chain_to_the_previous_one_and_later_events_go_in_the_next():
    hub = HubFactory()
    _events(hub, 2)
    first = seal()[0]
    _events(hub, 3)
    second = seal()[0]
    assert (second.number, bytes(second.previous_hash), second.event_count) == (2, bytes(first.hash), 3)
    assert second.lower_bound == first.upper_bound
    assert verify(hub=hub.pk).summary().startswith("audit ledger intact: 6 events in 2 blocks")


def test_changed_payload_is_caught_and_named():
    hub = HubFactory()
    events = _events(hub, 4)
    seal()
    _tamper("UPDATE audit_auditevent SET payload = %s WHERE id = %s", ['{"n":99}', events[2].id])
    report = verify()
    assert not report.intact
    assert (report.problem.block, report.problem.event) == (1, events[2].id)
    assert "does not match its recorded digest" in report.problem.message


def test_changed_payload_with_a_forged_digest_is_caught_by_the_root():
    from audit import canonical

    hub = HubFactory()
    events = _events(hub, 3)
    seal()
    victim = AuditEvent.objects.get(pk=events[1].id)
    forged = canonical.event_digest(
        occurred_at=canonical.timestamp(victim.occurred_at),
        hub_id=str(victim.hub_id),
        actor_type=victim.actor_type,
        actor_id=victim.actor_id,
        actor_agency_id=None,
        action=victim.action,
        object_type=victim.object_type,
        object_id=victim.object_id,
        payload='{"n":1000}',
        request_id=victim.request_id,
        client_ip=victim.client_ip,
    )
    _tamper("UPDATE audit_auditevent SET payload = %s, digest = %s WHERE id = %s", ['{"n":1000}', forged, victim.id])
    report = verify()
    assert not report.intact and report.problem.block == 1
    assert "changed, reordered or renumbered" in report.problem.message


def test_deleted_event_is_caught():
    hub = HubFactory()
    events = _events(hub, 4)
    seal()
    _tamper("DELETE FROM audit_auditevent WHERE id = %s", [events[1].id])
    report = verify()
    assert not report.intact and "1 event(s) missing" in report.problem.message and report.problem.block == 1


def test_deleted_block_is_caught():
    hub = HubFactory()
    _events(hub, 2)
    first = seal()[0]
    _events(hub, 2)
    seal()
    _tamper("DELETE FROM audit_auditblock WHERE id = %s", [first.id])
    report = verify()
    assert not report.intact and "block is missing from the chain" in report.problem.message


def test_deleted_head_block_is_caught_by_the_published_heads():
    """Without the head it would look as if the newest events were not sealed yet: publishing heads closes that."""
    hub = HubFactory()
    _events(hub, 2)
    seal()
    _events(hub, 2)
    head = seal()[0]
    published = [(str(hub.pk), head.number, bytes(head.hash).hex())]
    assert verify(published=published).intact
    _tamper("DELETE FROM audit_auditblock WHERE id = %s", [head.id])
    report = verify(published=published)
    assert not report.intact and "names a block the ledger does not have" in report.problem.message


def test_changed_block_hash_breaks_the_chain():
    hub = HubFactory()
    _events(hub, 2)
    first = seal()[0]
    _events(hub, 2)
    seal()
    _tamper("UPDATE audit_auditblock SET hash = %s WHERE id = %s", [bytes(32), first.id])
    report = verify()
    assert not report.intact and report.problem.block == 1


def _run(*args):
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("verify_audit", *args, stdout=out, stderr=err)
        code = 0
    except SystemExit as exit:
        code = exit.code
    return code, out.getvalue().strip(), err.getvalue().strip()


def test_verify_command_summary_and_exit_codes(tmp_path):
    hub = HubFactory()
    events = _events(hub, 3)
    call_command("seal_audit", stdout=io.StringIO())
    code, out, _ = _run("--print-heads")
    assert code == 0
    summary, *heads = out.splitlines()
    assert summary.startswith("audit ledger intact: 4 events in 1 blocks; head hashes:")
    assert heads == [f"{hub.pk} 1 {bytes(AuditBlock.objects.get().hash).hex()}"]

    published = tmp_path / "heads.txt"
    published.write_text("# published in the March return\n" + "\n".join(heads) + "\n")
    assert _run("--published", str(published))[0] == 0
    published.write_text(f"{hub.pk} 1 {'0' * 64}\n")
    code, _, err = _run("--published", str(published))
    assert code == 1 and "published hash" in err
    published.write_text(f"{hub.pk} 9 {'0' * 64}\n")
    assert _run("--published", str(published))[0] == 1

    _tamper("UPDATE audit_auditevent SET action = 'hub.created' WHERE id = %s", [events[0].id])
    code, out, err = _run("--hub", str(hub.pk))
    assert code == 1 and out == ""
    assert len(err.splitlines()) == 1
    assert f"block 1, event {events[0].id}" in err


def test_verify_since_recomputes_only_recent_blocks_but_checks_links():
    from datetime import timedelta

    from django.utils import timezone

    hub = HubFactory()
    old = _events(hub, 2)
    seal()
    _tamper("UPDATE audit_auditevent SET payload = '{}' WHERE id = %s", [old[0].id])
    _events(hub, 2)
    seal()
    assert verify(since=timezone.now() - timedelta(minutes=1)).intact is False  # both blocks are recent
    assert verify(since=timezone.now() + timedelta(minutes=1)).intact  # no block recomputed, links intact


def test_verify_command_rejects_bad_options():
    from django.core.management import CommandError

    with pytest.raises(CommandError, match="UUID"):
        call_command("verify_audit", "--hub", "not-a-uuid")
    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        call_command("verify_audit", "--since", "yesterday")
