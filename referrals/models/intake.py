"""Referrals: the standard record of what a referrer reports about a child or an adult at risk, and the people in it.

Every referral belongs to exactly one hub. Who may see or do what is the one policy's (agencies/policy.py).
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from agencies.codes import ReferralSource
from agencies.models import Agency, Hub
from mash.errors import Conflict
from mash.lifecycle import move


class ReferralCohort(models.TextChoices):
    CHILD = "child", _("Child")
    ADULT = "adult", _("Adult")


class Channel(models.TextChoices):
    API = "api", _("Agency system (API)")
    WEB = "web", _("Web form")
    PHONE = "phone", _("Phone")
    EMAIL = "email", _("Email")


class Consent(models.TextChoices):
    OBTAINED = "obtained", _("Obtained")
    NOT_OBTAINED = "not_obtained", _("Not obtained")
    DISPENSED_WITH = "dispensed_with", _("Dispensed with")


NO_MASH_RESPONSE = "no_mash_response"  # Referral.outcome of a Blue referral closed by the manager


class ReferralStatus(models.TextChoices):
    RECEIVED = "received", _("Received")
    SCREENED = "screened", _("Screened")
    AWAITING_INFORMATION = "awaiting_information", _("Awaiting agencies' information")
    AWAITING_DECISION = "awaiting_decision", _("Awaiting joint decision")
    AWAITING_SIGN_OFF = "awaiting_sign_off", _("Awaiting manager's sign-off")
    CLOSED = "closed", _("Closed")


class ChildConcern(models.TextChoices):
    NEGLECT = "neglect", _("Neglect")
    PHYSICAL = "physical", _("Physical abuse")
    SEXUAL = "sexual", _("Sexual abuse")
    EMOTIONAL = "emotional", _("Emotional abuse")


class AdultRiskType(models.TextChoices):
    """Safeguarding Adults Collection: type of risk."""

    PHYSICAL = "physical", _("Physical")
    SEXUAL = "sexual", _("Sexual")
    PSYCHOLOGICAL = "psychological", _("Psychological")
    FINANCIAL = "financial", _("Financial and material")
    DISCRIMINATORY = "discriminatory", _("Discriminatory")
    ORGANISATIONAL = "organisational", _("Organisational")
    NEGLECT = "neglect", _("Neglect and acts of omission")
    DOMESTIC = "domestic", _("Domestic abuse")
    SEXUAL_EXPLOITATION = "sexual_exploitation", _("Sexual exploitation")
    MODERN_SLAVERY = "modern_slavery", _("Modern slavery")
    SELF_NEGLECT = "self_neglect", _("Self-neglect")


class AdultRiskLocation(models.TextChoices):
    """Safeguarding Adults Collection: location of risk."""

    OWN_HOME = "own_home", _("Own home")
    COMMUNITY = "community", _("In the community (excluding community services)")
    COMMUNITY_SERVICE = "community_service", _("In a community service")
    CARE_HOME_NURSING = "care_home_nursing", _("Care home – nursing")
    CARE_HOME_RESIDENTIAL = "care_home_residential", _("Care home – residential")
    HOSPITAL_ACUTE = "hospital_acute", _("Hospital – acute")
    HOSPITAL_MENTAL_HEALTH = "hospital_mental_health", _("Hospital – mental health")
    HOSPITAL_COMMUNITY = "hospital_community", _("Hospital – community")


class AdultRiskSource(models.TextChoices):
    """Safeguarding Adults Collection: source of risk."""

    SERVICE_PROVIDER = "service_provider", _("Service provider")
    KNOWN_TO_INDIVIDUAL = "known_to_individual", _("Other – known to individual")
    UNKNOWN_TO_INDIVIDUAL = "unknown_to_individual", _("Other – unknown to individual")


class Rating(models.TextChoices):
    RED = "red", _("Red")
    AMBER = "amber", _("Amber")
    GREEN = "green", _("Green")
    BLUE = "blue", _("Blue (no MASH response)")


class Referral(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    hub = models.ForeignKey(Hub, on_delete=models.PROTECT, related_name="referrals")
    reference = models.CharField(max_length=32)
    cohort = models.CharField(max_length=10, choices=ReferralCohort.choices)
    cohort_overridden = models.BooleanField(default=False)
    status = models.CharField(max_length=30, choices=ReferralStatus.choices, default=ReferralStatus.RECEIVED)
    received_at = models.DateTimeField()
    channel = models.CharField(max_length=10, choices=Channel.choices)
    referring_agency = models.ForeignKey(
        Agency, on_delete=models.PROTECT, null=True, blank=True, related_name="referrals_made"
    )
    referrer_name = models.CharField(max_length=120)
    referrer_role = models.CharField(max_length=120, blank=True)
    referrer_contact = models.CharField(max_length=200)
    source_code = models.CharField(max_length=2, choices=ReferralSource.choices, blank=True)
    concerns = models.JSONField(default=list, blank=True)
    adult_risk_location = models.CharField(max_length=30, choices=AdultRiskLocation.choices, blank=True)
    adult_risk_source = models.CharField(max_length=30, choices=AdultRiskSource.choices, blank=True)
    narrative = models.TextField()
    immediate_risk = models.BooleanField(default=False)
    consent = models.CharField(max_length=20, choices=Consent.choices)
    consent_reason = models.TextField(blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # Kept by the triage services (referrals/triage.py): the current rating and level, who is working on it, and
    # the earliest open deadline, which orders the triage queue.
    rating = models.CharField(max_length=10, choices=Rating.choices, blank=True)
    threshold_level = models.CharField(max_length=40, blank=True)
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="assigned_referrals"
    )
    due_at = models.DateTimeField(null=True, blank=True)
    # Kept by the sign-off (decisions/services.py): the signed decision's outcome code and when it was signed.
    outcome = models.CharField(max_length=40, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    # Kept by the lifecycle (`_move`): when the rating, status or outcome the referrer reads last changed (at first,
    # when it was recorded); the agencies' change feed asks for `updated_since`.
    updated_at = models.DateTimeField(default=timezone.now)
    # One contact about a family: each child's referral, made together (referrals/models/people_index.py).
    household = models.ForeignKey(
        "referrals.Household", on_delete=models.PROTECT, null=True, blank=True, related_name="referrals"
    )
    # When the worker last looked for the subject among the hub's people (null: not yet; the sweep catches up).
    matched_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-received_at"]
        constraints = [
            models.UniqueConstraint(fields=["hub", "reference"], name="referral_reference_unique_per_hub"),
            models.CheckConstraint(
                condition=Q(consent="obtained") | ~Q(consent_reason=""), name="referral_consent_reason_given"
            ),
        ]
        indexes = [
            models.Index(fields=["hub", "-received_at"], name="referral_hub_received"),
            models.Index(fields=["hub", "status"], name="referral_hub_status"),
            models.Index(fields=["referring_agency", "-received_at"], name="referral_agency_received"),
            models.Index(fields=["referring_agency", "updated_at"], name="referral_agency_updated"),
            # The triage queue's order: immediate risk first, then the earliest due time.
            models.Index(
                fields=["hub", "-immediate_risk", "due_at"], name="referral_open_queue", condition=~Q(status="closed")
            ),
        ]

    def __str__(self):
        return self.reference

    # The referral's lifecycle. Every change of status is one of these transitions: each checks that the referral
    # is in a state it may leave that way and raises Conflict (the service's 409) if not; the predicates are what
    # the pages ask before offering the step.
    OPEN = (
        ReferralStatus.RECEIVED,
        ReferralStatus.SCREENED,
        ReferralStatus.AWAITING_INFORMATION,
        ReferralStatus.AWAITING_DECISION,
        ReferralStatus.AWAITING_SIGN_OFF,
    )
    TRANSITIONS = {
        # transition: (the statuses it leaves from, the status it goes to; None keeps the status)
        "screen": (OPEN, None),  # the first screening moves RECEIVED to SCREENED (see `screen`)
        "re_rate": (OPEN, None),
        "assign": (OPEN, None),
        "await_information": (
            (ReferralStatus.RECEIVED, ReferralStatus.SCREENED, ReferralStatus.AWAITING_DECISION),
            ReferralStatus.AWAITING_INFORMATION,
        ),
        "await_decision": (
            (ReferralStatus.AWAITING_INFORMATION, ReferralStatus.AWAITING_SIGN_OFF),
            ReferralStatus.AWAITING_DECISION,
        ),
        "await_sign_off": (OPEN, ReferralStatus.AWAITING_SIGN_OFF),
        "decide": ((*OPEN, ReferralStatus.CLOSED), ReferralStatus.CLOSED),  # closed already: an amendment re-decides
        "close_no_response": (OPEN, ReferralStatus.CLOSED),
        "amend": (OPEN, None),
    }

    @property
    def is_open(self) -> bool:
        return self.status != ReferralStatus.CLOSED

    def can(self, transition: str) -> bool:
        return self.status in self.TRANSITIONS[transition][0]

    def can_request_information(self) -> bool:
        """Open and rated Red, Amber or Green (Blue has no MASH response; unrated has no partner timescale)."""
        return self.is_open and self.rating in (Rating.RED, Rating.AMBER, Rating.GREEN)

    def can_re_rate(self) -> bool:
        return self.can("re_rate") and bool(self.rating)

    def can_close_no_response(self) -> bool:
        return self.can("close_no_response") and self.rating == Rating.BLUE

    # What the referring agency reads of a referral (the API's status): a transition that changes one of them
    # stamps `updated_at`, which the change feed (`?updated_since=`) asks.
    SEEN_BY_REFERRER = ("status", "rating", "outcome")

    def _move(self, transition: str, *, why: str = "", **fields) -> None:
        leaves, to = self.TRANSITIONS[transition]
        why = why or gettext("This referral is closed")
        changes = {**fields, **({"status": to} if to is not None else {})}
        if any(name in changes and changes[name] != getattr(self, name) for name in self.SEEN_BY_REFERRER):
            fields["updated_at"] = timezone.now()
        move(self, field="status", leaves=leaves, to=to, why=why, **fields)

    def screen(self, *, rating: str, level: str) -> None:
        fields = {"rating": rating, "threshold_level": level}
        if self.status == ReferralStatus.RECEIVED:
            fields["status"] = ReferralStatus.SCREENED
        self._move("screen", **fields)

    def re_rate(self, *, rating: str, level: str) -> None:
        if not self.rating:
            raise Conflict(gettext("Screen the referral before changing its rating"))
        self._move("re_rate", rating=rating, threshold_level=level)

    def mark_immediate_risk(self, at_risk: bool) -> None:
        """Someone found at immediate risk of harm (at screening), or no longer (the acting manager's screening)."""
        self._move("screen", immediate_risk=at_risk)

    def assign(self, *, to) -> None:
        self._move("assign", assigned_to=to)

    def await_information(self) -> None:
        """Agencies have been asked: from received, screened or awaiting a decision (asked again) — a referral
        already awaiting information or sign-off keeps its status."""
        if self.status in (ReferralStatus.AWAITING_INFORMATION, ReferralStatus.AWAITING_SIGN_OFF):
            return
        self._move("await_information")

    def await_decision(self) -> None:
        """Every request answered (from awaiting information), or the proposal returned (from awaiting sign-off)."""
        self._move("await_decision", why=gettext("This referral is not waiting for information or a sign-off"))

    def await_sign_off(self) -> None:
        self._move("await_sign_off")

    def decide(self, *, outcome: str, at) -> None:
        """A signed decision closes the referral with its outcome (an amendment after sign-off decides it again)."""
        self._move("decide", outcome=outcome, decided_at=at)

    def amend(self, **fields) -> None:
        """A new version of the dataset while the referral is open (a closed one was decided on what it said)."""
        self._move("amend", why=gettext("This referral is closed: a decided referral cannot be amended"), **fields)

    def close_no_response(self, *, at) -> None:
        """Blue: the hub gives no MASH response, so the referral closes with that outcome."""
        if self.rating != Rating.BLUE:
            raise Conflict(
                gettext("Only a referral rated Blue (no MASH response) is closed this way; others need a decision")
            )
        self._move("close_no_response", outcome=NO_MASH_RESPONSE, decided_at=at)


class PersonRole(models.TextChoices):
    SUBJECT = "subject", _("Subject of the referral")
    PARENT_CARER = "parent_carer", _("Parent or carer")
    SIBLING = "sibling", _("Sibling")
    HOUSEHOLD = "household", _("Household member")
    VISITOR = "visitor", _("Regular visitor")
    ALLEGED_SOURCE = "alleged_source", _("Alleged source of harm")
    OTHER = "other", _("Other")


class Person(models.Model):
    """A person named in a referral: exactly one subject, and any others with their role."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="persons")
    role = models.CharField(max_length=20, choices=PersonRole.choices)
    given_name = models.CharField(max_length=100, blank=True)
    family_name = models.CharField(max_length=100, blank=True)
    date_of_birth = models.DateField(null=True, blank=True)
    estimated_age = models.PositiveSmallIntegerField(null=True, blank=True)
    gender = models.CharField(max_length=40, blank=True)
    ethnicity = models.CharField(max_length=80, blank=True)
    nhs_number = models.CharField(max_length=10, blank=True)
    address = models.CharField(max_length=300, blank=True)
    postcode = models.CharField(max_length=8, blank=True)
    # Letters of the family and given names, case-folded: what "the same name" means for matching.
    name_key = models.CharField(max_length=210, blank=True, editable=False)
    # The one person known to the hub that this record is about (same-person links join records).
    index_person = models.ForeignKey(
        "referrals.IndexPerson", on_delete=models.SET_NULL, null=True, blank=True, related_name="records"
    )

    class Meta:
        ordering = ["referral", "role"]
        constraints = [
            models.UniqueConstraint(fields=["referral"], condition=Q(role="subject"), name="one_subject_per_referral"),
        ]
        indexes = [
            models.Index(fields=["nhs_number"], name="person_nhs_number"),
            models.Index(fields=["name_key", "date_of_birth"], name="person_name_dob"),
            models.Index(fields=["postcode"], name="person_postcode"),
        ]

    def __str__(self):
        return self.name_from(f"{self.given_name} {self.family_name}")

    @staticmethod
    def name_from(given_space_family: str) -> str:
        """The name a page shows from "<given> <family>" (as `referrals.selectors.subject_name` reads it in SQL)."""
        return given_space_family.strip() or gettext("Unnamed person")

    def age_on(self, day) -> str:
        """The age in words on `day`: "7 years", "4 months" for a baby, "about 84 (estimated)", or "Not known"."""
        if self.date_of_birth is None:
            if self.estimated_age is None:
                return gettext("Not known")
            return gettext("about %(age)s (estimated)") % {"age": self.estimated_age}
        born = self.date_of_birth
        months = (day.year - born.year) * 12 + day.month - born.month - (day.day < born.day)
        if months < 24:
            return ngettext("%(n)s month", "%(n)s months", months) % {"n": months}
        return gettext("%(n)s years") % {"n": months // 12}


class ReferralVersion(models.Model):
    """An amendment of a referral: the dataset before and after it (as the API's JSON), who made it, when and why.
    The referral and its people always hold the newest version; the referral as recorded is version 1."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveSmallIntegerField()
    before = models.JSONField()
    after = models.JSONField()
    reason = models.TextField()
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT)
    at = models.DateTimeField()

    class Meta:
        ordering = ["referral", "number"]
        constraints = [models.UniqueConstraint(fields=["referral", "number"], name="one_referral_version_number")]

    def __str__(self):
        return f"{self.referral} version {self.number}"


class ReferenceSequence(models.Model):
    """The last reference number issued per hub and year; locked while the next one is taken."""

    hub = models.ForeignKey(Hub, on_delete=models.CASCADE)
    year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["hub", "year"], name="one_sequence_per_hub_year")]

    def __str__(self):
        return f"{self.hub_id} {self.year}: {self.last}"


class IdempotencyRecord(models.Model):
    """The first response to an API write, kept under the client's Idempotency-Key (at least 24 hours) so a retry
    gets the same answer and stores nothing twice."""

    client = models.ForeignKey("agencies.ApiClient", on_delete=models.CASCADE)
    endpoint = models.CharField(max_length=40)
    key = models.CharField(max_length=255)
    request_hash = models.CharField(max_length=64)
    response_status = models.PositiveSmallIntegerField(null=True)
    response_body = models.JSONField(null=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["client", "endpoint", "key"], name="one_response_per_idempotency_key")
        ]

    def __str__(self):
        return f"{self.endpoint} {self.key}"


class MatchState(models.TextChoices):
    SUGGESTED = "suggested", _("To check")
    CONFIRMED = "confirmed", _("Same person")
    REJECTED = "rejected", _("Not the same person")


class SubjectMatch(models.Model):
    """A person named in an earlier referral to the hub who may be this referral's subject, and why; a practitioner
    confirms or rejects it."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="matches")
    candidate = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    reasons = models.JSONField(default=list)
    score = models.FloatField(default=0)
    verdict = models.CharField(max_length=10, blank=True)  # "match" (shown first) or "possible" (for review)
    state = models.CharField(max_length=10, choices=MatchState.choices, default=MatchState.SUGGESTED)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["referral", "-candidate__referral__received_at"]
        constraints = [models.UniqueConstraint(fields=["referral", "candidate"], name="one_match_per_candidate")]

    def __str__(self):
        return f"{self.referral} ~ {self.candidate} ({self.state})"

    def decide(self, *, same_person: bool, by, at) -> None:
        """A practitioner's answer, given once: the same person, or not."""
        move(
            self, field="state", leaves=[MatchState.SUGGESTED],
            to=MatchState.CONFIRMED if same_person else MatchState.REJECTED,
            why=gettext("This suggestion has already been answered"), decided_by=by, decided_at=at,
        )  # fmt: skip
