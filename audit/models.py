"""The audit ledger: append-only events and the sealed blocks that chain them.

Neither table is ever updated or deleted: the database refuses it (triggers on both, and on PostgreSQL the
application's role holds only SELECT and INSERT), and so does the ORM.
"""

import json

from django.db import connection, models
from django.db.models import Q

NIL_CHAIN = "00000000-0000-0000-0000-000000000000"  # the chain of events that belong to no hub (sign-ins)


class AppendOnly(models.Model):
    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise PermissionError(f"{type(self).__name__} is append-only: an existing row cannot be changed")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError(f"{type(self).__name__} is append-only: rows cannot be deleted")


class AuditEvent(AppendOnly):
    id = models.BigAutoField(primary_key=True)
    occurred_at = models.DateTimeField()
    hub_id = models.UUIDField(null=True, blank=True)
    actor_type = models.CharField(max_length=20)
    actor_id = models.CharField(max_length=64, blank=True)
    actor_agency_id = models.UUIDField(null=True, blank=True)
    action = models.CharField(max_length=64)
    object_type = models.CharField(max_length=64, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    # The payload's RFC 8785 text, stored as hashed (`data` parses it): facts for the returns, never free text.
    payload = models.TextField(default="{}")
    request_id = models.CharField(max_length=64, blank=True)
    client_ip = models.CharField(max_length=45, null=True, blank=True)  # normalised text, read back unchanged
    # PostgreSQL: the inserting transaction's id (a column default set by migration 0002); blocks are bounded by it.
    # SQLite, whose writers take turns, bounds blocks by id and leaves this 0.
    txid = models.BigIntegerField(db_default=0, editable=False)
    # SHA-256 of the canonical event (audit/canonical.py), computed when it is recorded; sealing chains these and
    # verification recomputes them from the content.
    digest = models.BinaryField(max_length=32)

    class Meta:
        indexes = [
            models.Index(fields=["txid", "id"], name="audit_event_txid"),
            models.Index(fields=["hub_id", "txid"], name="audit_event_chain_txid"),
            models.Index(fields=["object_type", "object_id"], name="audit_event_object"),
            models.Index(fields=["actor_type", "actor_id"], name="audit_event_actor"),
            models.Index(fields=["hub_id", "occurred_at"], name="audit_event_hub_time"),
        ]

    def __str__(self):
        return f"#{self.id} {self.action} {self.object_type}:{self.object_id}"

    @property
    def data(self) -> dict:
        return json.loads(self.payload)

    @property
    def chain(self) -> str:
        return str(self.hub_id) if self.hub_id else NIL_CHAIN


class AuditBlock(AppendOnly):
    """A sealed block of one chain (a hub's, or the nil chain): the events whose key lies in
    [lower_bound, upper_bound) — the inserting transaction's id on PostgreSQL, the event id on SQLite."""

    id = models.BigAutoField(primary_key=True)
    chain = models.UUIDField()
    number = models.PositiveIntegerField()
    lower_bound = models.BigIntegerField()
    upper_bound = models.BigIntegerField()
    event_count = models.PositiveIntegerField()
    first_event_id = models.BigIntegerField()
    last_event_id = models.BigIntegerField()
    root = models.BinaryField(max_length=32)
    previous_hash = models.BinaryField(max_length=32)
    hash = models.BinaryField(max_length=32)
    sealed_at = models.DateTimeField()

    class Meta:
        ordering = ["chain", "number"]
        constraints = [
            models.UniqueConstraint(fields=["chain", "number"], name="audit_block_number_unique"),
            models.CheckConstraint(condition=Q(upper_bound__gt=models.F("lower_bound")), name="audit_block_range"),
        ]

    def __str__(self):
        return f"block {self.number} of chain {self.chain}: {bytes(self.hash).hex()}"


def seal_key_field() -> str:
    """What bounds a block: the inserting transaction's id on PostgreSQL, the event id on SQLite."""
    return "txid" if connection.vendor == "postgresql" else "id"


class LedgerCheck(AppendOnly):
    """One verification of one chain (audit/ledger_checks.py): the head it reached, whether it recomputed every block
    or only those after the last verified head, and what it found. Signed with the ledger's key (audit/anchor.py), so
    whoever owns the database cannot write a check that a later verification would start from."""

    id = models.BigAutoField(primary_key=True)
    chain = models.UUIDField()
    block = models.PositiveIntegerField()  # the chain's head when checked (0: no block yet)
    hash = models.CharField(max_length=64)  # hex; "" with no block
    full = models.BooleanField()  # every block recomputed; else those after the previous verified head
    events = models.PositiveIntegerField()  # recomputed
    intact = models.BooleanField()
    problem = models.TextField(blank=True)
    checked_at = models.DateTimeField()
    key_id = models.CharField(max_length=16)
    signature = models.CharField(max_length=100)

    class Meta:
        indexes = [models.Index(fields=["chain", "-checked_at"], name="audit_check_chain_time")]

    def __str__(self):
        state = "intact" if self.intact else "NOT intact"
        return f"{'full' if self.full else 'incremental'} check of chain {self.chain} to block {self.block}: {state}"
