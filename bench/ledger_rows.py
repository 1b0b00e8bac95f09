"""Ledger events for the benchmarks, written with COPY (bench/audit, bench/ledger).

Raw rows on purpose: COPY is the only way to load millions of events quickly. Each row's digest is computed as
`audit.record` computes it (audit/canonical.py), so sealing and verification treat them as real events; the
payloads are not validated against the declared ones (audit/events/payloads.py).
"""

COLUMNS = (
    "occurred_at, hub_id, actor_type, actor_id, actor_agency_id, action, object_type, object_id, payload, "
    "request_id, client_ip, digest"
)


def row(occurred, fields: dict) -> list:
    """One COPY row: `fields` are the event's (hub_id … client_ip, in COLUMNS' order), the digest computed here."""
    from audit import canonical

    digest = canonical.event_digest(occurred_at=canonical.timestamp(occurred), **fields)
    return [occurred, *fields.values(), digest]


def copy_events(rows) -> int:
    """COPY the rows (from `row`) into the events table through Django's connection, as one statement (one
    transaction in autocommit: all or nothing). Returns how many."""
    from django.db import connection

    count = 0
    with (
        connection.cursor() as cursor,
        cursor.connection.cursor().copy(f"COPY audit_auditevent ({COLUMNS}) FROM STDIN") as copy,
    ):
        for values in rows:
            copy.write_row(values)
            count += 1
    if not connection.get_autocommit():
        connection.commit()
    return count
