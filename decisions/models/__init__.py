"""Joining the picture up: requests for information to agencies, their contributions under a lawful basis, the
disclosure log, the joint decision with its agreed actions, the manager's sign-off, and webhooks to referrers.

A decision is never edited once proposed: a return asks for a revision (a new version), and an amendment after
sign-off is a new version with a reason. Every row here is written by `decisions/services.py`, with its audit event.
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from agencies.models import Agency, AgencyKind, Hub
from decisions.models.outcomes import NO_MASH_RESPONSE, OUTCOMES, AdultOutcome, ChildOutcome, outcome_label  # noqa: F401
from mash.errors import Conflict
from mash.lifecycle import move
from referrals.models import Deadline, Household, Referral


class RequestState(models.TextChoices):
    OPEN = "open", _("Waiting for the agency")
    ANSWERED = "answered", _("Answered")
    CANCELLED = "cancelled", _("Cancelled")


class InformationRequest(models.Model):
    """The hub asks one agency for its checks on one referral, due by the rating's partner timescale."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="information_requests")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="information_requests")
    state = models.CharField(max_length=10, choices=RequestState.choices, default=RequestState.OPEN)
    note = models.TextField(blank=True, help_text=_("What the hub would like the agency to check"))
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField()
    deadline = models.OneToOneField(Deadline, on_delete=models.PROTECT, related_name="information_request")
    # Asked once for a household: one request per child's referral, answered once by the agency (one contribution
    # written to each). Null for a request about one referral.
    household = models.ForeignKey(
        Household, on_delete=models.PROTECT, null=True, blank=True, related_name="information_requests"
    )

    class Meta:
        ordering = ["requested_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["referral", "agency"],
                condition=~Q(state="cancelled"),
                name="one_live_request_per_agency_and_referral",
                violation_error_message="This agency has already been asked about this referral",
            )
        ]

    def __str__(self):
        return f"{self.agency} checks for {self.referral}"

    @property
    def is_open(self) -> bool:
        return self.state == RequestState.OPEN

    def _leave_open(self, to: str) -> None:
        why = gettext("Your agency has already answered this request") if self.state == RequestState.ANSWERED else (
            gettext("This request was cancelled")
        )  # fmt: skip
        move(self, field="state", leaves=[RequestState.OPEN], to=to, why=why)

    def answer(self) -> None:
        """The agency has contributed (or recorded no trace)."""
        self._leave_open(RequestState.ANSWERED)

    def cancel(self) -> None:
        """The hub decided before the agency answered."""
        self._leave_open(RequestState.CANCELLED)


class LawfulBasis(models.TextChoices):
    # shared/DOMAIN.md: UK GDPR 6(1)(e) with DPA 2018 Schedule 1 para 18 for councils, health and schools;
    # police processing under DPA 2018 Part 3 uses Schedule 8 para 4.
    PUBLIC_TASK_SCH1_18 = (
        "gdpr_6_1_e_dpa_sch1_18",
        _("UK GDPR Article 6(1)(e) public task, with DPA 2018 Schedule 1 paragraph 18 (safeguarding)"),
    )
    LAW_ENFORCEMENT_SCH8_4 = (
        "dpa_part3_sch8_4",
        _("DPA 2018 Part 3, Schedule 8 paragraph 4 (safeguarding of children and individuals at risk)"),
    )


def lawful_basis_for(agency: Agency) -> str:
    """The basis an agency shares under by default: police under Part 3, everyone else under UK GDPR."""
    if agency.kind == AgencyKind.POLICE:
        return LawfulBasis.LAW_ENFORCEMENT_SCH8_4
    return LawfulBasis.PUBLIC_TASK_SCH1_18


class Disclosure(models.TextChoices):
    SHARED = "shared", _("Shared with the hub's decision-makers")
    RESTRICTED = "restricted", _("Restricted to the manager until the agency consents to release")


class RiskIndicator(models.TextChoices):
    DOMESTIC_ABUSE = "domestic_abuse", _("Domestic abuse")
    SUBSTANCE_MISUSE = "substance_misuse", _("Substance misuse")
    MENTAL_HEALTH = "mental_health", _("Parental or carer mental health")
    VIOLENCE = "violence", _("Violence or weapons")
    SEXUAL_HARM = "sexual_harm", _("Sexual harm or exploitation")
    MISSING = "missing", _("Missing episodes")
    NON_ENGAGEMENT = "non_engagement", _("Missed appointments or non-engagement")
    PREVIOUS_CONCERNS = "previous_concerns", _("Previous safeguarding concerns")


class Contribution(models.Model):
    """One agency's answer to a request: known to it or "no trace", what it found, and under which lawful basis
    and disclosure level it shares it."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    request = models.OneToOneField(InformationRequest, on_delete=models.PROTECT, related_name="contribution")
    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="contributions")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="contributions")
    known = models.BooleanField(help_text=_("False records 'no trace': the agency holds nothing on the subject"))
    risk_indicators = models.JSONField(default=list, blank=True)
    summary = models.TextField(blank=True)
    detail = models.TextField(blank=True)
    lawful_basis = models.CharField(max_length=40, choices=LawfulBasis.choices)
    disclosure = models.CharField(max_length=12, choices=Disclosure.choices, default=Disclosure.SHARED)
    released_at = models.DateTimeField(
        null=True, blank=True, help_text=_("When a restricted contribution was released")
    )
    release_consent = models.TextField(blank=True, help_text=_("The owning agency's recorded consent to release"))
    contributed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    contributed_by_client = models.ForeignKey(
        "agencies.ApiClient", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    contributed_at = models.DateTimeField()

    class Meta:
        ordering = ["contributed_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(known=False) | ~Q(summary=""),
                name="known_contribution_has_summary",
                violation_error_message="Summarise what the agency knows",
            ),
            models.CheckConstraint(
                condition=Q(contributed_by__isnull=False) | Q(contributed_by_client__isnull=False),
                name="contribution_has_author",
            ),
        ]

    def __str__(self):
        return f"{self.agency} on {self.referral}"

    @property
    def no_trace(self) -> bool:
        return not self.known

    @property
    def risk_indicator_labels(self) -> list[str]:
        """The risk indicators in words, as the form offered them (stored as their codes)."""
        return [
            str(RiskIndicator(code).label) if code in RiskIndicator.values else code for code in self.risk_indicators
        ]

    @property
    def is_shared(self) -> bool:
        """Seen by the hub's decision-makers: shared from the start, or restricted and released with consent."""
        return self.disclosure == Disclosure.SHARED or self.released_at is not None

    def can_release(self) -> bool:
        return not self.is_shared

    def release(self, *, consent: str, at) -> None:
        """Restricted information goes to the hub's decision-makers with the owning agency's recorded consent."""
        if not self.can_release():
            raise Conflict(gettext("This information is already shared with the hub's decision-makers"))
        Contribution.objects.filter(pk=self.pk, released_at=None).update(released_at=at, release_consent=consent)
        self.released_at, self.release_consent = at, consent


class DisclosureEntry(models.Model):
    """The disclosure log: what was shared, with whom and why (DfE 2024 information sharing advice)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    contribution = models.ForeignKey(Contribution, on_delete=models.PROTECT, related_name="disclosures")
    shared_with = models.CharField(max_length=200)
    purpose = models.CharField(max_length=300)
    lawful_basis = models.CharField(max_length=40, choices=LawfulBasis.choices)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    at = models.DateTimeField()

    class Meta:
        ordering = ["at"]

    def __str__(self):
        return f"{self.contribution} shared with {self.shared_with}"


class GateOverride(models.Model):
    """The manager lets a decision be proposed before every core agency has answered, and says why."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="gate_overrides")
    reason = models.TextField()
    missing_agencies = models.ManyToManyField(Agency, related_name="+")
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField()

    class Meta:
        ordering = ["at"]

    def __str__(self):
        return f"Gate overridden on {self.referral}"


class DecisionState(models.TextChoices):
    PROPOSED = "proposed", _("Awaiting sign-off")
    RETURNED = "returned", _("Returned for revision")
    SIGNED = "signed", _("Signed off")
    SUPERSEDED = "superseded", _("Superseded by an amendment")


class OutcomesMet(models.TextChoices):
    FULLY = "fully", _("Fully met")
    PARTLY = "partly", _("Partly met")
    NOT_MET = "not", _("Not met")


class Capacity(models.TextChoices):
    ASSUMED = "assumed", _("Capacity assumed")
    HAS = "has", _("Assessed: has capacity")
    LACKS = "lacks", _("Assessed: lacks capacity")


class AdultVoice(models.Model):
    """The adult's voice on an adult's referral (Care Act, Making Safeguarding Personal): whether they were asked
    what they want to happen and their desired outcomes in their words (or why not), their mental capacity to make
    decisions about their safety, and advocacy. One row per referral, recorded again as it changes (each time
    audited)."""

    referral = models.OneToOneField(Referral, on_delete=models.CASCADE, primary_key=True, related_name="adult_voice")
    asked = models.BooleanField()
    desired_outcomes = models.TextField(blank=True)
    not_asked_reason = models.TextField(blank=True)
    capacity = models.CharField(max_length=10, choices=Capacity.choices)
    assessor_name = models.CharField(max_length=120, blank=True)
    assessor_role = models.CharField(max_length=120, blank=True)
    assessed_on = models.DateField(null=True, blank=True)
    best_interests_decision = models.TextField(blank=True)
    best_interests_reasons = models.TextField(blank=True)
    advocacy_needed = models.BooleanField(default=False)
    advocacy_offered = models.BooleanField(default=False)
    advocacy_provided = models.BooleanField(default=False)
    advocate = models.CharField(max_length=200, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField()

    def __str__(self):
        return f"{self.referral} adult's voice"

    @property
    def outcomes_expressed(self) -> bool:
        return self.asked and bool(self.desired_outcomes)


class Decision(models.Model):
    """One version of the hub's joint decision on a referral. Versions are numbered per referral; a revision after
    a return, or an amendment after sign-off, is the next version, and the earlier one is kept as it was."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="decisions")
    # The referral's hub, written with the decision (`save`): the sign-off queue reads the hub's proposed decisions
    # on this column's index instead of joining every referral of the hub.
    hub = models.ForeignKey(Hub, on_delete=models.PROTECT, related_name="+", editable=False, db_index=False)
    version = models.PositiveSmallIntegerField()
    state = models.CharField(max_length=12, choices=DecisionState.choices, default=DecisionState.PROPOSED)
    outcome = models.CharField(max_length=40)
    threshold_level = models.CharField(max_length=40)
    rationale = models.TextField()
    participants = models.ManyToManyField(Agency, related_name="decisions_taken_part_in")
    amendment_reason = models.TextField(blank=True)
    proposed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    proposed_at = models.DateTimeField()
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    review_comments = models.TextField(blank=True)
    # An adult's referral whose desired outcomes were expressed: were they met (Making Safeguarding Personal)?
    outcomes_met = models.CharField(max_length=10, choices=OutcomesMet.choices, blank=True)

    class Meta:
        ordering = ["referral", "version"]
        constraints = [
            models.UniqueConstraint(fields=["referral", "version"], name="decision_versions_unique"),
            models.UniqueConstraint(
                fields=["referral"], condition=Q(state="proposed"), name="one_decision_awaiting_sign_off"
            ),
            models.UniqueConstraint(fields=["referral"], condition=Q(state="signed"), name="one_signed_decision"),
        ]
        indexes = [
            models.Index(fields=["hub", "proposed_at"], condition=Q(state="proposed"), name="decision_hub_awaiting"),
        ]

    def __str__(self):
        return f"{self.referral} decision v{self.version} ({self.state})"

    def save(self, *args, **kwargs):
        if self.hub_id is None:  # its referral's hub, which a referral never leaves
            self.hub_id = self.referral.hub_id
        super().save(*args, **kwargs)

    @property
    def outcome_label(self) -> str:
        """The outcome in the words of the procedures the hub follows (England's or Wales')."""
        return outcome_label(self.referral.cohort, self.outcome, self.referral.hub.procedures)

    # A proposed decision is either returned for revision or signed off; a signed one is superseded only by the
    # sign-off of its amendment. Nothing else changes a decision's state.
    TRANSITIONS = {
        "return_for_revision": (DecisionState.PROPOSED, DecisionState.RETURNED),
        "sign_off": (DecisionState.PROPOSED, DecisionState.SIGNED),
        "supersede": (DecisionState.SIGNED, DecisionState.SUPERSEDED),
    }

    @property
    def awaits_sign_off(self) -> bool:
        return self.state == DecisionState.PROPOSED

    def _move(self, transition: str, **fields) -> None:
        leaves, to = self.TRANSITIONS[transition]
        why = (
            gettext("This decision is not awaiting sign-off")
            if leaves == DecisionState.PROPOSED
            else gettext("Not signed off")
        )
        move(self, field="state", leaves=[leaves], to=to, why=why, **fields)

    def return_for_revision(self, *, by, at, comments: str) -> None:
        self._move("return_for_revision", reviewed_by=by, reviewed_at=at, review_comments=comments)

    def sign_off(self, *, by, at) -> None:
        self._move("sign_off", reviewed_by=by, reviewed_at=at)

    def supersede(self) -> None:
        self._move("supersede")


def proposal_conflict(referral, decisions) -> str | None:
    """Why a decision cannot be proposed on the referral now (None: it can): one already awaits sign-off, or the
    referral is closed without a signed decision to amend. `decisions` are the referral's versions."""
    if any(d.state == DecisionState.PROPOSED for d in decisions):
        return gettext("A decision on this referral is already awaiting sign-off")
    if not referral.is_open and not any(d.state == DecisionState.SIGNED for d in decisions):
        return gettext("This referral is closed")
    return None


class AgreedAction(models.Model):
    """An action agreed in a decision: which agency owns it, what it is, and when it is due (a deadline)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    decision = models.ForeignKey(Decision, on_delete=models.CASCADE, related_name="actions")
    owner = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="agreed_actions")
    description = models.TextField()
    due_on = models.DateField()
    deadline = models.OneToOneField(
        Deadline, on_delete=models.PROTECT, null=True, blank=True, related_name="agreed_action"
    )
    completed_at = models.DateTimeField(null=True, blank=True)
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["due_on", "id"]

    def __str__(self):
        return f"{self.owner}: {self.description[:40]} by {self.due_on}"

    def can_complete(self) -> bool:
        return self.decision.state == DecisionState.SIGNED and self.completed_at is None

    def complete(self, *, by, at) -> None:
        """Done: only an action of the signed decision, once."""
        if self.decision.state != DecisionState.SIGNED:
            raise Conflict(gettext("Only actions of the signed decision are tracked"))
        if self.completed_at:
            raise Conflict(gettext("This action is already done"))
        AgreedAction.objects.filter(pk=self.pk, completed_at=None).update(completed_at=at, completed_by=by)
        self.completed_at, self.completed_by = at, by


class WebhookDisabled(models.TextChoices):
    FAILING = "failing", _("Its notices failed for the whole retry window")
    CLIENT_REVOKED = "client_revoked", _("The API client that registered it was revoked")


class Webhook(models.Model):
    """Where an agency's system hears of outcomes: an HTTPS address and the secret that signs each notice (a
    Standard Webhooks `whsec_` secret). After a rotation the previous secret signs too, until it expires."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    hub = models.ForeignKey(Hub, on_delete=models.CASCADE, related_name="webhooks")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="webhooks")
    # The API client that registered it: revoking the client disables it.
    client = models.ForeignKey(
        "agencies.ApiClient", on_delete=models.SET_NULL, null=True, blank=True, related_name="webhooks"
    )
    url = models.URLField(max_length=500)
    secret = models.CharField(max_length=128)
    previous_secret = models.CharField(max_length=128, blank=True)
    previous_secret_expires_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    disabled_at = models.DateTimeField(null=True, blank=True)
    disabled_reason = models.CharField(max_length=20, choices=WebhookDisabled.choices, blank=True)

    class Meta:
        ordering = ["hub", "agency"]
        constraints = [
            models.UniqueConstraint(
                fields=["hub", "agency", "url"], condition=Q(disabled_at=None), name="one_active_webhook_per_url"
            )
        ]

    def __str__(self):
        return f"{self.agency} webhook {self.url}"

    def signing_secrets(self, now) -> list[str]:
        """The secrets that sign a notice now: the current one, and the previous one until it expires."""
        secrets = [self.secret]
        if self.previous_secret and self.previous_secret_expires_at and self.previous_secret_expires_at > now:
            secrets.append(self.previous_secret)
        return secrets


class WebhookDelivery(models.Model):
    """The outbox of webhook notices about a referral, written in the transaction of what they tell (a sign-off, a
    receipt, a handover); delivered and retried by a task. `event` is the notice's type (`referral.decided`, …);
    `decision` is set for the notices about one decision."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    webhook = models.ForeignKey(Webhook, on_delete=models.CASCADE, related_name="deliveries")
    event = models.CharField(max_length=40, default="referral.decided")
    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="+")
    decision = models.ForeignKey(Decision, on_delete=models.CASCADE, related_name="+", null=True, blank=True)
    payload = models.JSONField()
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField()
    delivered_at = models.DateTimeField(null=True, blank=True)
    gave_up_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField()
    # Retried until then (WEBHOOK_RETRY_WINDOW_HOURS after it was written, or after a redelivery was asked for).
    retry_until = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["webhook", "event", "decision"],
                name="one_delivery_per_webhook_and_decision",
                condition=Q(decision__isnull=False),
            ),
            models.UniqueConstraint(
                fields=["webhook", "event", "referral"],
                name="one_delivery_per_webhook_event_and_referral",
                condition=Q(decision__isnull=True),
            ),
        ]
        indexes = [
            models.Index(
                fields=["next_attempt_at"],
                name="webhook_delivery_pending",
                condition=Q(delivered_at__isnull=True, gave_up_at__isnull=True),
            )
        ]

    def __str__(self):
        return f"{self.webhook} {self.event} notice of {self.decision_id or self.referral_id}"


# Consent and sharing decisions (issue 19): a module of their own, re-exported here.
# Django finds the case notes' table through this module.
from decisions.models.attachments import Attachment  # noqa: E402, F401
from decisions.models.handover import Handover, HandoverState  # noqa: E402, F401
from decisions.models.notes import CaseNote, NoteKind  # noqa: E402, F401
from decisions.models.sharing import ConsentRecord, NotAgreedReason, SharingDecision, SharingKind  # noqa: E402, F401
from decisions.models.strategy import StrategyAction, StrategyDiscussion, StrategyParticipant  # noqa: E402, F401
