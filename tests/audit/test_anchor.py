"""Ledger heads anchored outside the database: the attack they exist for, a rebuilt chain, is caught by
`verify_audit --published` and by the next return's build, although `verify` alone finds the rebuilt chain intact.

The attacker owns the database: they lift the append-only triggers as the owner can, delete events, and recompute
every block with the canonical hashing. They do not hold the signing key, nor can they rewrite the heads log."""

import base64
import io
import json
from datetime import date

import pytest
from django.core.management import call_command
from django.db import connection, transaction

from audit import anchor, canonical, triggers
from audit.context import Actor, acting
from audit.models import AuditBlock, AuditEvent, seal_key_field
from audit.services import record, seal
from audit.verify import verify
from reports import services as returns
from reports.models import ReturnState
from tests.audit.test_seal_verify import _run as verify_audit_run
from tests.factories import HubFactory

pytestmark = pytest.mark.django_db(transaction=True)  # heads are logged once the seal has committed


def _events(hub, n):
    with acting(Actor("user", "7", "req", "10.0.0.1")):
        return [record("hub.updated", hub=hub, obj=hub, payload={"red_hours": i}) for i in range(n)]


def _as_owner(statements):
    """Run SQL as the database's owner does it: the ledger's triggers lifted, then put back."""
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL session_replication_role = replica")
        else:
            for table in triggers.TABLES:
                for op in ("update", "delete"):
                    cursor.execute(f"DROP TRIGGER IF EXISTS {table}_no_{op}")
        for sql, params in statements:
            cursor.execute(sql, params)
        if connection.vendor == "sqlite":
            for sql in triggers.SQLITE:
                cursor.execute(sql)


def _delete_and_rebuild(hub, event_ids):
    """The attack: delete events, then recompute every block of the hub's chain from the events left, exactly as
    seal() hashes them, so that every link and root is consistent again."""
    statements = [("DELETE FROM audit_auditevent WHERE id = %s", [i]) for i in event_ids]
    _as_owner(statements)
    key, previous, statements = seal_key_field(), canonical.GENESIS, []
    for block in AuditBlock.objects.filter(chain=hub.pk).order_by("number"):
        events = AuditEvent.objects.filter(
            hub_id=hub.pk, **{f"{key}__gte": block.lower_bound, f"{key}__lt": block.upper_bound}
        ).order_by("id")
        leaves = [canonical.leaf(e.id, bytes(e.digest)) for e in events]
        root = canonical.merkle_root(leaves)
        block_hash = canonical.block_hash(previous, root)
        statements.append(
            (
                "UPDATE audit_auditblock SET event_count = %s, first_event_id = %s, last_event_id = %s, root = %s, "
                "previous_hash = %s, hash = %s WHERE id = %s",
                [len(leaves), events[0].id, events.last().id, root, previous, block_hash, block.id],
            )
        )
        previous = block_hash
    _as_owner(statements)


def _log_lines(path):
    return [json.loads(line) for line in path.read_text().splitlines()]


def _build(hub, month):
    return returns.return_build(return_id=returns.return_request(hub=hub, month=month).pk)


def test_each_sealed_head_is_signed_and_logged_once(audit_heads_log):
    hub = HubFactory()
    _events(hub, 3)
    first = seal()[0]
    _events(hub, 2)
    second = seal()[0]
    lines = _log_lines(audit_heads_log)
    assert [(h["chain"], h["block"], h["hash"]) for h in lines] == [
        (str(hub.pk), 1, bytes(first.hash).hex()),
        (str(hub.pk), 2, bytes(second.hash).hex()),
    ]
    assert lines[1]["previous_hash"] == bytes(first.hash).hex()
    public = anchor.signing_key().public_key()
    assert lines[0]["key_id"] == anchor.key_id(public)
    public.verify(base64.b64decode(lines[1]["signature"]), anchor.message(lines[1]))  # raises if it does not verify
    assert anchor.publish() == 0  # idempotent: nothing the log lacks
    assert len(_log_lines(audit_heads_log)) == 2
    assert verify_audit_run("--published")[0] == 0


def test_a_rebuilt_chain_passes_verify_but_not_the_signed_log_nor_the_next_return(audit_heads_log):
    hub = HubFactory()
    events = _events(hub, 4)
    seal()
    _events(hub, 3)
    seal()
    earlier = _build(hub, date(2026, 9, 1))
    assert earlier.state == ReturnState.READY, earlier.error
    assert earlier.heads["hub"]["block"] >= 2 and earlier.heads["hub"]["signature"]
    assert verify_audit_run("--published")[0] == 0

    _delete_and_rebuild(hub, [events[1].id])

    # The motivation: the ledger alone cannot tell. Every block's root and link is consistent again.
    assert verify().intact, verify().summary()
    assert verify_audit_run()[0] == 0

    code, out, err = verify_audit_run("--published")
    assert code == 1
    assert f"chain {hub.pk}, block 1:" in err and "the chain was rebuilt from this block" in err
    assert verify_audit_run("--published-log", "--hub", str(hub.pk))[0] == 1
    assert verify_audit_run("--published", "--public-key", _public_b64())[0] == 1  # an auditor with the public key only

    row = _build(hub, date(2026, 8, 1))
    assert row.state == ReturnState.FAILED
    assert row.error.startswith(f"audit ledger NOT intact: chain {hub.pk}, block 1: ")
    assert "the chain was rebuilt from this block" in row.error
    assert not row.figures and not row.pdf


def test_the_next_build_names_a_block_earlier_returns_recorded_even_without_the_log(audit_heads_log):
    hub = HubFactory()
    events = _events(hub, 3)
    seal()
    earlier = _build(hub, date(2026, 9, 1))
    assert earlier.state == ReturnState.READY
    recorded = earlier.heads["hub"]["block"]  # the chain's head when it was built
    _delete_and_rebuild(hub, [events[0].id])
    audit_heads_log.unlink()  # the log is gone too (it should be write-once elsewhere; the returns still remember)

    row = _build(hub, date(2026, 8, 1))

    assert row.state == ReturnState.FAILED
    assert row.error.startswith(
        f"audit ledger NOT intact: chain {hub.pk}, block {recorded}: the September 2026 return (built "
    )
    assert "recorded hash" in row.error and "the chain was rebuilt at or before this block" in row.error


def _public_b64():
    return base64.b64encode(anchor.public_raw(anchor.signing_key().public_key())).decode()


def test_a_forged_log_line_is_named(audit_heads_log):
    hub = HubFactory()
    _events(hub, 2)
    block = seal()[0]
    forged = _log_lines(audit_heads_log)[0]
    forged["hash"] = "ab" * 32  # a head nobody signed
    audit_heads_log.write_text(canonical.dumps(forged) + "\n")

    code, _, err = verify_audit_run("--published")

    assert code == 1
    assert f"chain {block.chain}, block 1: heads log line 1: the signature does not verify (forged)" in err


def test_a_log_signed_with_another_key_is_named(audit_heads_log, settings, tmp_path):
    hub = HubFactory()
    _events(hub, 2)
    seal()
    other = tmp_path / "other.key"
    other.write_bytes(anchor.new_key_pem())
    settings.AUDIT_SIGNING_KEY_FILE = str(other)

    code, _, err = verify_audit_run("--published")

    assert code == 1
    assert "heads log line 1 is signed with key" in err and f"not {anchor.key_id(anchor.signing_key().public_key())}"


def test_heads_that_could_not_be_logged_are_caught_up_in_order(audit_heads_log, settings, tmp_path):
    hub = HubFactory()
    _events(hub, 2)
    seal()
    blocked = tmp_path / "not-a-directory"
    blocked.write_text("")
    settings.AUDIT_HEADS_LOG = blocked / "audit-heads.jsonl"  # the append fails: its folder is a file
    _events(hub, 2)
    missed = seal()[0]  # …and the block is sealed all the same
    assert AuditBlock.objects.filter(chain=hub.pk).count() == 2
    settings.AUDIT_HEADS_LOG = audit_heads_log
    assert [h["block"] for h in _log_lines(audit_heads_log)] == [1]

    _events(hub, 1)
    seal()  # the next seal appends the missed head before its own

    assert [h["block"] for h in _log_lines(audit_heads_log)] == [1, 2, 3]
    assert _log_lines(audit_heads_log)[1]["hash"] == bytes(missed.hash).hex()
    assert verify_audit_run("--published")[0] == 0


def test_a_head_sealed_by_a_process_that_died_before_logging_is_caught_up_by_verify(audit_heads_log):
    hub = HubFactory()
    _events(hub, 2)
    seal()
    audit_heads_log.write_text("")  # as if the process had died between the commit and the append
    anchor._indexes.clear()  # …and a new process starts

    code, out, _ = verify_audit_run("--published")

    assert code == 0 and "signed heads log intact: 1 heads" in out
    assert [h["block"] for h in _log_lines(audit_heads_log)] == [1]


def test_a_torn_last_line_does_not_swallow_the_next_head(audit_heads_log):
    hub = HubFactory()
    _events(hub, 2)
    seal()
    with open(audit_heads_log, "a") as handle:
        handle.write('{"block":2,"cha')  # a process died mid-write
    _events(hub, 2)
    seal()
    lines = audit_heads_log.read_text().splitlines()
    assert json.loads(lines[-1])["block"] == 2
    code, _, err = verify_audit_run("--published")
    assert code == 1 and "line 2 of" in err and "is not a signed head" in err


def test_key_from_the_environment_variable_and_the_public_key_command(settings, tmp_path):
    seed = bytes(range(32))
    settings.AUDIT_SIGNING_KEY_FILE, settings.AUDIT_SIGNING_KEY = None, base64.b64encode(seed).decode()
    out = io.StringIO()
    call_command("audit_key", "--public", stdout=out)
    public = anchor.signing_key().public_key()
    assert out.getvalue().splitlines() == [
        f"public key: {base64.b64encode(anchor.public_raw(public)).decode()}",
        f"key id: {anchor.key_id(public)}",
    ]
    path = tmp_path / "new.key"
    call_command("audit_key", "--create", str(path), stdout=io.StringIO())
    assert path.read_bytes().startswith(b"-----BEGIN PRIVATE KEY-----") and oct(path.stat().st_mode)[-3:] == "600"
    from django.core.management import CommandError

    with pytest.raises(CommandError, match="never overwritten"):
        call_command("audit_key", "--create", str(path), stdout=io.StringIO())
    settings.AUDIT_SIGNING_KEY = "not base64 of a key"
    with pytest.raises(anchor.SigningKeyError, match="32 bytes"):
        anchor.signing_key()


def test_without_a_key_and_debug_off_nothing_is_sealed_and_the_deploy_check_says_so(settings):
    from audit.checks import signing_key_configured

    settings.AUDIT_SIGNING_KEY_FILE = settings.AUDIT_SIGNING_KEY = None
    record("user.login_failed", payload={"username": "x"})
    with pytest.raises(anchor.SigningKeyError, match="No audit signing key"):
        seal()
    assert not AuditBlock.objects.exists()
    assert [e.id for e in signing_key_configured()] == ["audit.E001"]
    settings.DEBUG = True
    assert signing_key_configured() == [] and seal()  # development without a key: sealed, neither signed nor logged
