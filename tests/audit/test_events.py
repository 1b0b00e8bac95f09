"""Typed audit events: one registry of actions, each with words for people and a declared payload; `record()` refuses
anything else, and no action is spelt as a string literal outside the registry."""

import ast
from pathlib import Path

import pytest

from audit import canonical
from audit.events.actions import LABELS, AuditAction, is_read, label_of
from audit.events.payloads import PAYLOADS, DeadlineFacts, Screened, Shown
from audit.events.reading import events_of
from audit.events.registry import AuditEventError, check
from audit.models import AuditEvent
from audit.services import event, log_read, record

ROOT = Path(__file__).resolve().parents[2]
SKIPPED_DIRS = {".venv", "node_modules", "tests", "migrations", ".git", "static", "var"}


def test_every_action_has_words_and_a_payload_type():
    assert set(LABELS) == set(AuditAction)
    assert set(PAYLOADS) == set(AuditAction)
    for action in AuditAction:
        assert label_of(action) and label_of(action) != action.value
        shape = PAYLOADS[action]
        assert hasattr(shape, "__required_keys__"), f"{action}: {shape} is not a TypedDict"
        assert canonical.IDENTIFIER.fullmatch(action.value) and len(action.value) <= 64


def test_every_read_carries_the_read_shape_and_nothing_else_does():
    for action in AuditAction:
        assert (PAYLOADS[action] is Shown) == is_read(action), action


def test_an_old_unregistered_action_shows_as_itself():
    assert label_of("referral.teleported") == "referral.teleported"
    assert label_of("referral.screened") == "Referral screened and rated"


@pytest.mark.django_db
def test_record_refuses_an_unknown_action():
    with pytest.raises(AuditEventError, match="Unknown audit action 'referral.teleported'"):
        record("referral.teleported")
    assert not AuditEvent.objects.exists()


@pytest.mark.django_db
def test_record_refuses_a_payload_missing_a_key_or_with_an_undeclared_one():
    screened = Screened(screening_id="s", threshold_version=1, level="targeted", criteria=[], rating="red")
    with pytest.raises(AuditEventError, match=r"does not match Screened .*missing \['rating'\]"):
        record(AuditAction.REFERRAL_SCREENED, payload={k: v for k, v in screened.items() if k != "rating"})
    with pytest.raises(AuditEventError, match=r"undeclared \['note'\]"):
        record(AuditAction.REFERRAL_SCREENED, payload={**screened, "note": "x"})
    with pytest.raises(AuditEventError, match=r"missing \['username'\]"):
        record(AuditAction.USER_LOGIN_FAILED)  # no payload at all
    assert not AuditEvent.objects.exists()
    assert record(AuditAction.REFERRAL_SCREENED, payload=screened).data == screened


def test_event_and_log_read_run_the_same_check():
    with pytest.raises(AuditEventError, match="DeadlineFacts"):
        event(AuditAction.DEADLINE_SET, payload={"kind": "rating"})
    with pytest.raises(AuditEventError, match=r"undeclared \['colour'\]"):
        log_read(AuditAction.REFERRAL_VIEWED, object_type="referrals.referral", ids=[1], colour="red")


def test_optional_keys_may_be_left_out_and_a_stored_string_is_accepted():
    assert check("hub.updated", {"red_hours": 3}) is AuditAction.HUB_UPDATED
    assert check(AuditAction.HUB_UPDATED, {}) is AuditAction.HUB_UPDATED
    assert check(AuditAction.RETURN_VIEWED, {"ids": [], "count": 0, "month": "2026-01"}) is AuditAction.RETURN_VIEWED


def test_reading_refuses_a_fact_the_payload_does_not_declare():
    with pytest.raises(AuditEventError, match="DeadlineFacts, the payload of 'deadline.set', has no"):
        events_of(AuditAction.DEADLINE_SET, colour="red")
    assert DeadlineFacts.__required_keys__ >= {"kind"}


# No action spelt out anywhere else -------------------------------------------------------------------------------------


def _action_literals(source: str) -> list[tuple[int, str]]:
    """(line, value) of every string constant in `source` that is a registered action's stored value."""
    values = {a.value for a in AuditAction}
    return [
        (node.lineno, node.value)
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value in values
    ]


def _project_sources():
    for path in sorted(ROOT.rglob("*.py")):
        parts = path.relative_to(ROOT).parts
        if SKIPPED_DIRS.intersection(parts) or parts[:2] == ("audit", "events"):
            continue
        yield path


def test_the_scan_would_catch_an_action_written_as_a_string():
    assert _action_literals('record("referral.screened", hub=hub, payload={})') == [(1, "referral.screened")]
    assert _action_literals("record(AuditAction.REFERRAL_SCREENED)") == []
    assert _action_literals('"""Docstrings may mention referral.screened in prose."""') == []


def test_no_action_string_literal_outside_the_registry():
    sources = list(_project_sources())
    assert any(p.relative_to(ROOT).parts[0] == "referrals" for p in sources)  # the scan reads the apps
    found = [
        f"{path.relative_to(ROOT)}:{line}: {value!r}"
        for path in sources
        for line, value in _action_literals(path.read_text())
    ]
    assert not found, "Use audit.events.actions.AuditAction instead of the string:\n" + "\n".join(found)
