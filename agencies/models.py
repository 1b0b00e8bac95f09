"""Hubs, agencies, people's roles, core documents and signatures, funding and resources.

A hub is the national standard's defined MASH: one accountable manager, core agencies that take part in every
decision, contributing agencies, signed core documents and transparent funding. Every case object later belongs to
exactly one hub.
"""

import uuid
from datetime import date, datetime, time

from django.conf import settings
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase

from agencies.codes import ReferralSource

WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]


class Cohort(models.TextChoices):
    CHILDREN = "children", "Children"
    ADULTS = "adults", "Adults"
    BOTH = "both", "Children and adults"


class Counting(models.TextChoices):
    CLOCK = "clock", "Clock hours (24/7)"
    WORKING = "working", "Working hours"


class Hub(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    name = models.CharField(max_length=120, unique=True)
    slug = models.SlugField(max_length=60, unique=True, help_text="Short name used in group names and exports.")
    area = models.CharField(max_length=200, blank=True, help_text="The local authority area or areas served.")
    cohorts = models.CharField(max_length=10, choices=Cohort.choices, default=Cohort.BOTH)
    working_day_starts = models.TimeField(default=time(9, 0))
    working_day_ends = models.TimeField(default=time(17, 0))
    working_days = models.JSONField(default=list, help_text="Weekday numbers, Monday = 0.")
    red_hours = models.PositiveSmallIntegerField(default=4)
    red_counting = models.CharField(max_length=10, choices=Counting.choices, default=Counting.CLOCK)
    amber_hours = models.PositiveSmallIntegerField(default=24)
    amber_counting = models.CharField(max_length=10, choices=Counting.choices, default=Counting.WORKING)
    green_hours = models.PositiveSmallIntegerField(default=72)
    green_counting = models.CharField(max_length=10, choices=Counting.choices, default=Counting.CLOCK)
    # Partners' information is due this many hours after a request (Merton: 2, 6 and 24), counted as the rating is.
    red_partner_hours = models.PositiveSmallIntegerField(default=2)
    amber_partner_hours = models.PositiveSmallIntegerField(default=6)
    green_partner_hours = models.PositiveSmallIntegerField(default=24)
    decision_working_days = models.PositiveSmallIntegerField(
        default=1, help_text="Working days from receipt to a decision (Working Together 2023: one)."
    )
    warn_at_percent = models.PositiveSmallIntegerField(
        default=75, help_text="Warn the assignee and the manager when this share of a deadline's time has passed."
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        permissions = [
            ("configure_hub", "Can change the hub's configuration"),
            ("view_case_data", "Can see referrals and case data of the hub"),
            ("view_reports", "Can see the hub's returns"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(working_day_ends__gt=models.F("working_day_starts")),
                name="hub_working_day_order",
                violation_error_message="The working day must end after it starts",
            ),
            models.CheckConstraint(
                condition=Q(red_hours__gt=0)
                & Q(amber_hours__gt=0)
                & Q(green_hours__gt=0)
                & Q(red_partner_hours__gt=0)
                & Q(amber_partner_hours__gt=0)
                & Q(green_partner_hours__gt=0),
                name="hub_timescales_positive",
                violation_error_message="Each RAG timescale must be at least one hour",
            ),
            models.CheckConstraint(
                condition=Q(decision_working_days__gte=1) & Q(warn_at_percent__gte=1) & Q(warn_at_percent__lte=99),
                name="hub_decision_days_and_warning_share",
                violation_error_message="Allow at least one working day for a decision and warn at 1 to 99 per cent",
            ),
        ]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        if not self.working_days:
            self.working_days = [0, 1, 2, 3, 4]
        super().save(*args, **kwargs)

    def clean(self):
        days = self.working_days
        if (
            not isinstance(days, list)
            or not days
            or any(d not in range(7) for d in days)
            or len(set(days)) != len(days)
        ):
            raise ValidationError({"working_days": "Choose at least one working day"})
        if self.working_day_starts and self.working_day_ends and self.working_day_ends <= self.working_day_starts:
            raise ValidationError({"working_day_ends": "The working day must end after it starts"})

    @property
    def working_days_display(self) -> str:
        return ", ".join(WEEKDAYS[d] for d in sorted(self.working_days))

    def timescales(self) -> list[tuple[str, int, str, int]]:
        """(rating, hours, counting label, partners' hours) for Red, Amber and Green, in that order."""
        return [
            ("Red", self.red_hours, self.get_red_counting_display(), self.red_partner_hours),
            ("Amber", self.amber_hours, self.get_amber_counting_display(), self.amber_partner_hours),
            ("Green", self.green_hours, self.get_green_counting_display(), self.green_partner_hours),
        ]


class AgencyKind(models.TextChoices):
    POLICE = "police", "Police"
    CHILDRENS_SOCIAL_CARE = "childrens_social_care", "Children's social care"
    ADULT_SOCIAL_CARE = "adult_social_care", "Adult social care"
    HEALTH = "health", "Health"
    EDUCATION = "education", "Education"
    PROBATION = "probation", "Probation"
    HOUSING = "housing", "Housing"
    OTHER = "other", "Other"


def validate_source_codes(value):
    if not isinstance(value, list):
        raise ValidationError("Referral-source codes must be a list")
    unknown = [code for code in value if code not in ReferralSource.values]
    if unknown:
        raise ValidationError(f"Unknown referral-source code: {', '.join(map(str, unknown))}")


class Agency(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    name = models.CharField(max_length=120, unique=True)
    slug = models.SlugField(max_length=60, unique=True)
    kind = models.CharField(max_length=30, choices=AgencyKind.choices)
    source_codes = models.JSONField(
        default=list,
        blank=True,
        validators=[validate_source_codes],
        help_text="Children in Need referral-source codes this agency's referrals map to.",
    )
    hubs = models.ManyToManyField(Hub, through="HubMembership", related_name="agencies")

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "agencies"

    def __str__(self):
        return self.name

    def source_labels(self) -> list[str]:
        return [f"{code} {ReferralSource(code).label}" for code in self.source_codes]


class MembershipKind(models.TextChoices):
    CORE = "core", "Core (takes part in every decision)"
    CONTRIBUTING = "contributing", "Contributing"


class HubMembership(models.Model):
    hub = models.ForeignKey(Hub, on_delete=models.CASCADE, related_name="memberships")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="memberships")
    kind = models.CharField(max_length=20, choices=MembershipKind.choices)
    joined_on = models.DateField(default=date.today)

    class Meta:
        ordering = ["kind", "agency__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["hub", "agency"],
                name="one_membership_per_agency_and_hub",
                violation_error_message="This agency is already a member of the hub",
            )
        ]

    def __str__(self):
        return f"{self.agency} in {self.hub} ({self.kind})"

    @property
    def is_core(self) -> bool:
        return self.kind == MembershipKind.CORE


class Role(models.TextChoices):
    PRACTITIONER = "practitioner", "Practitioner"
    AGENCY_OFFICER = "agency_officer", "Agency officer"
    MANAGER = "manager", "Accountable manager"
    DEPUTY = "deputy", "Deputy manager"
    STRATEGIC_LEAD = "strategic_lead", "Strategic lead"
    HUB_ADMIN = "hub_admin", "Hub administrator"


class RoleAssignment(models.Model):
    """A person's role in one hub. A person may hold roles in several hubs.

    The database allows one accountable manager and one deputy per hub; a deputy acts for the manager only
    inside the delegation period. An agency officer belongs to one agency.
    """

    hub = models.ForeignKey(Hub, on_delete=models.CASCADE, related_name="roles")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="hub_roles")
    role = models.CharField(max_length=20, choices=Role.choices)
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, null=True, blank=True, related_name="officers")
    delegation_starts = models.DateTimeField(null=True, blank=True)
    delegation_ends = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["hub__name", "role", "user__username"]
        constraints = [
            models.UniqueConstraint(
                fields=["hub", "user", "role"],
                name="one_assignment_per_role",
                violation_error_message="This person already holds this role in the hub",
            ),
            models.UniqueConstraint(
                fields=["hub"],
                condition=Q(role="manager"),
                name="one_accountable_manager_per_hub",
                violation_error_message="The hub already has an accountable manager: a hub has exactly one",
            ),
            models.UniqueConstraint(
                fields=["hub"],
                condition=Q(role="deputy"),
                name="one_deputy_per_hub",
                violation_error_message="The hub already has a deputy manager",
            ),
            models.CheckConstraint(
                condition=~Q(role="agency_officer") | Q(agency__isnull=False),
                name="agency_officer_has_agency",
                violation_error_message="Choose the agency this officer belongs to",
            ),
            models.CheckConstraint(
                condition=(
                    Q(role="deputy", delegation_starts__isnull=False, delegation_ends__gt=models.F("delegation_starts"))
                    | (~Q(role="deputy") & Q(delegation_starts__isnull=True, delegation_ends__isnull=True))
                ),
                name="deputy_has_delegation_period",
                violation_error_message="A deputy needs a delegation period that ends after it starts; other roles have none",
            ),
        ]

    def __str__(self):
        return f"{self.user} — {self.get_role_display()}, {self.hub}"

    def acts_as_manager(self, at: datetime) -> bool:
        """The accountable manager always acts; the deputy only from the start to the end of the delegation."""
        if self.role == Role.MANAGER:
            return True
        if self.role == Role.DEPUTY:
            return self.delegation_starts <= at < self.delegation_ends
        return False


class HubGroup(models.Model):
    """The Django group that mirrors one role in one hub (and, for agency officers, one agency).

    Object permissions are granted to these groups; `agencies.services.role_grant` keeps membership in step.
    """

    hub = models.ForeignKey(Hub, on_delete=models.CASCADE, related_name="groups")
    role = models.CharField(max_length=20, choices=Role.choices)
    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, null=True, blank=True)
    group = models.OneToOneField(Group, on_delete=models.CASCADE, related_name="hub_group")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["hub", "role"], condition=Q(agency__isnull=True), name="one_group_per_hub_role"
            ),
            models.UniqueConstraint(
                fields=["hub", "role", "agency"], condition=Q(agency__isnull=False), name="one_group_per_hub_agency"
            ),
        ]

    def __str__(self):
        return self.group.name


class HubUserObjectPermission(UserObjectPermissionBase):
    content_object = models.ForeignKey(Hub, on_delete=models.CASCADE)


class HubGroupObjectPermission(GroupObjectPermissionBase):
    content_object = models.ForeignKey(Hub, on_delete=models.CASCADE)


class DocumentKind(models.TextChoices):
    INFORMATION_SHARING_AGREEMENT = "isa", "Information sharing agreement"
    DATA_PROTECTION_PROTOCOL = "dpp", "Data protection protocol"
    NEEDS_THRESHOLDS = "thresholds", "Needs thresholds"
    ACCOUNTABILITY_PROCESS = "accountability", "Accountability process"


class CoreDocument(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    hub = models.ForeignKey(Hub, on_delete=models.CASCADE, related_name="documents")
    kind = models.CharField(max_length=20, choices=DocumentKind.choices)
    title = models.CharField(max_length=200)

    class Meta:
        ordering = ["kind"]
        constraints = [
            models.UniqueConstraint(
                fields=["hub", "kind"],
                name="one_document_per_kind_and_hub",
                violation_error_message="The hub already has a document of this kind: publish a new version of it",
            )
        ]

    def __str__(self):
        return self.title

    def version_in_force(self, on: date) -> "DocumentVersion | None":
        """The newest version whose effective date has come; later versions supersede earlier ones."""
        return self.versions.filter(effective_from__lte=on).order_by("-effective_from").first()


def document_upload_path(instance, filename):
    return f"documents/{instance.document.hub_id}/{instance.document_id}/{uuid.uuid4()}-{filename}"


class DocumentVersion(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    document = models.ForeignKey(CoreDocument, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveSmallIntegerField()
    text = models.TextField(blank=True)
    file = models.FileField(upload_to=document_upload_path, blank=True)
    effective_from = models.DateField()
    review_due = models.DateField()
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True)
    published_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["document", "-number"]
        constraints = [
            models.UniqueConstraint(
                fields=["document", "number"],
                name="version_numbers_unique",
                violation_error_message="This version number is already used",
            ),
            models.UniqueConstraint(
                fields=["document", "effective_from"],
                name="one_version_per_effective_date",
                violation_error_message="Another version already takes effect on this date",
            ),
            models.CheckConstraint(
                condition=Q(review_due__gt=models.F("effective_from")),
                name="review_after_effect",
                violation_error_message="The review date must be after the effective date",
            ),
            models.CheckConstraint(
                condition=~Q(text="") | ~Q(file=""),
                name="version_has_text_or_file",
                violation_error_message="Enter the document's text or upload a file",
            ),
        ]

    def __str__(self):
        return f"{self.document} v{self.number}"


class Signature(models.Model):
    """An agency's signature of one version of a core document: who signed, when, for which agency."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    version = models.ForeignKey(DocumentVersion, on_delete=models.PROTECT, related_name="signatures")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="signatures")
    signatory_name = models.CharField(max_length=120)
    signatory_role = models.CharField(max_length=120)
    signed_on = models.DateField()
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT)
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-signed_on"]
        constraints = [
            models.UniqueConstraint(
                fields=["version", "agency"],
                name="one_signature_per_agency_version",
                violation_error_message="This agency has already signed this version",
            )
        ]

    def __str__(self):
        return f"{self.agency} signed {self.version} on {self.signed_on}"


class WorkingPattern(models.TextChoices):
    CO_LOCATED = "co_located", "Co-located"
    REMOTE = "remote", "Remote"
    HYBRID = "hybrid", "Hybrid"


def financial_year_of(day: date) -> int:
    """The starting calendar year of the April–March financial year containing `day`."""
    return day.year if day.month >= 4 else day.year - 1


def financial_year_label(year: int) -> str:
    return f"{year}–{(year + 1) % 100:02d}"


class FundingContribution(models.Model):
    """What one agency puts into one hub in one financial year (April to March)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    hub = models.ForeignKey(Hub, on_delete=models.CASCADE, related_name="funding")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="funding")
    financial_year = models.PositiveSmallIntegerField(help_text="The year the financial year starts in April.")
    amount_gbp = models.DecimalField(max_digits=12, decimal_places=2)
    staff_fte = models.DecimalField(max_digits=6, decimal_places=2)
    working_pattern = models.CharField(max_length=20, choices=WorkingPattern.choices)

    class Meta:
        ordering = ["-financial_year", "agency__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["hub", "agency", "financial_year"],
                name="one_funding_row_per_agency_hub_year",
                violation_error_message="Funding for this agency and financial year is already recorded: change that entry instead",
            ),
            models.CheckConstraint(
                condition=Q(amount_gbp__gte=0),
                name="funding_amount_not_negative",
                violation_error_message="The amount cannot be negative",
            ),
            models.CheckConstraint(
                condition=Q(staff_fte__gte=0),
                name="funding_fte_not_negative",
                violation_error_message="Staff FTE cannot be negative",
            ),
            models.CheckConstraint(
                condition=Q(financial_year__gte=2000, financial_year__lte=2100),
                name="funding_year_plausible",
                violation_error_message="Enter a financial year between 2000 and 2100",
            ),
        ]

    def __str__(self):
        return f"{self.agency} — {self.hub}, {self.financial_year_label}"

    @property
    def financial_year_label(self) -> str:
        return financial_year_label(self.financial_year)


class ApiClient(models.Model):
    """An agency's system allowed to call the API for one hub: an OAuth2 client-credentials application."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    application = models.OneToOneField(
        settings.OAUTH2_PROVIDER_APPLICATION_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="mash_client",
    )
    hub = models.ForeignKey(Hub, on_delete=models.PROTECT, related_name="api_clients")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="api_clients")
    name = models.CharField(max_length=120)
    scopes = models.CharField(max_length=200, default="referrals:write referrals:read")
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["hub__name", "agency__name", "name"]

    def __str__(self):
        return f"{self.name} ({self.agency}, {self.hub})"

    @property
    def scope_set(self) -> set[str]:
        return set(self.scopes.split())
