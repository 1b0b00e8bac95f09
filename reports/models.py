"""A hub's monthly return: asked for by a lead or manager (or by beat on the 1st), built by a Celery job from the
sealed audit ledger, kept with its figures, the block and hash it covers, and the PDF."""

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext, gettext_noop
from django.utils.translation import gettext_lazy as _

from mash.lifecycle import move


class ReturnState(models.TextChoices):
    QUEUED = "queued", _("Waiting to start")
    BUILDING = "building", _("Being built")
    READY = "ready", _("Ready")
    FAILED = "failed", _("Could not be built")


class MonthlyReturn(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    hub = models.ForeignKey("agencies.Hub", on_delete=models.PROTECT, related_name="returns")
    month = models.DateField(help_text=_("The first day of the month the return covers."))
    state = models.CharField(max_length=10, choices=ReturnState.choices, default=ReturnState.QUEUED)
    progress = models.PositiveSmallIntegerField(default=0, help_text=_("Per cent done while building."))
    step = models.CharField(max_length=80, blank=True, help_text=_("What the job is doing now."))
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    commentary = models.TextField(blank=True, help_text=_("The lead's narrative printed with the return."))
    # The language its PDF is drawn in (the hub's unless the person asking chose the other): the figures and their
    # digest are the same in either (docs/adr/0027).
    language = models.CharField(max_length=8, choices=settings.LANGUAGES, default="en-gb")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    built_at = models.DateTimeField(null=True, blank=True)
    cutoff = models.DateTimeField(
        null=True, blank=True, help_text=_("The build's start: the figures read only events recorded before it.")
    )
    # What the figures cover: the newest block of the hub's chain holding an event of the month.
    block_number = models.PositiveIntegerField(null=True, blank=True)
    block_hash = models.CharField(max_length=64, blank=True)
    # The ledger heads the return covers, as signed when it was built (audit/anchor.py): {"hub": the hub's chain head
    # with its block, hash, previous hash, sealed_at, key id and signature}. Every later build checks them.
    heads = models.JSONField(default=dict, blank=True)
    figures = models.JSONField(null=True, blank=True)
    figures_digest = models.CharField(max_length=64, blank=True, help_text=_("SHA-256 of the figures' canonical JSON."))
    pdf = models.BinaryField(null=True, blank=True, editable=False)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-month", "-created_at"]
        indexes = [models.Index(fields=["hub", "month"], name="return_hub_month")]

    def __str__(self):
        return f"{self.hub} return for {self.month:%B %Y} ({self.get_state_display()})"

    @property
    def is_ready(self) -> bool:
        return self.state == ReturnState.READY

    @property
    def month_end(self):
        """The first instant of the next month."""
        from reports.ledger import month_bounds

        return month_bounds(self.month)[1]

    @property
    def is_pending(self) -> bool:
        return self.state in (ReturnState.QUEUED, ReturnState.BUILDING)

    # A return's lifecycle: queued → building (a worker claims it) → ready or failed; a build that must wait for the
    # ledger's seal goes back to queued. Each transition writes the row's state, progress and step together.
    TRANSITIONS = {
        "claim": ((ReturnState.QUEUED, ReturnState.BUILDING), ReturnState.BUILDING),
        "finish": ((ReturnState.BUILDING,), ReturnState.READY),
        "fail": ((ReturnState.QUEUED, ReturnState.BUILDING), ReturnState.FAILED),
        "wait": ((ReturnState.BUILDING,), ReturnState.QUEUED),
    }

    def _move(self, transition: str, **fields) -> None:
        leaves, to = self.TRANSITIONS[transition]
        why = gettext("This return is %(state)s") % {"state": self.get_state_display().lower()}
        move(self, field="state", leaves=leaves, to=to, why=why, updated_at=timezone.now(), **fields)

    def claim(self) -> None:
        self._move("claim", progress=5, step=gettext_noop("Starting"), error="")

    def finish(self) -> None:
        """Ready: the figures, block, digest and PDF already set on this row are written with the state."""
        self._move(
            "finish",
            progress=100,
            step=gettext_noop("Ready"),
            block_number=self.block_number,
            block_hash=self.block_hash,
            heads=self.heads,
            figures=self.figures,
            figures_digest=self.figures_digest,
            built_at=self.built_at,
            cutoff=self.cutoff,
            pdf=self.pdf,
        )

    def fail(self, message: str) -> None:
        self._move("fail", step=gettext_noop("Stopped"), error=message)

    def wait(self, step: str) -> None:
        self._move("wait", progress=0, step=step)
