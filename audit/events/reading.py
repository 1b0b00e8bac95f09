"""Reading the ledger through the registry: events of a registered action, narrowed by facts of its declared payload.

The payload column holds the canonical JSON text that the hash chain covers, so it stays text; a query on a fact
casts it to JSON and looks the key up (`->` on PostgreSQL, `JSON_EXTRACT` on SQLite), never a search in the text.
"""

from django.db.models import JSONField, QuerySet
from django.db.models.functions import Cast

from audit.events.registry import AuditEventError, action_of, payload_type
from audit.models import AuditEvent


def events_of(action: str, queryset: QuerySet | None = None, **facts) -> QuerySet:
    """`queryset`'s events (default: every event) of `action` whose payload has each fact given, `kind="rating"`
    say. A fact the action's payload type does not declare raises `AuditEventError`."""
    member = action_of(action)
    shape = payload_type(member)
    undeclared = set(facts) - shape.__required_keys__ - shape.__optional_keys__
    if undeclared:
        raise AuditEventError(f"{shape.__name__}, the payload of {member.value!r}, has no {sorted(undeclared)}")
    rows = (AuditEvent.objects.all() if queryset is None else queryset).filter(action=member.value)
    if not facts:
        return rows
    return rows.annotate(facts=Cast("payload", JSONField())).filter(**{f"facts__{k}": v for k, v in facts.items()})
