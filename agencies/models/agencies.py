"""Agencies and their membership of hubs: core agencies take part in every decision, the others contribute."""

import uuid
from datetime import date

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from agencies.codes import ReferralSource
from agencies.models.hub import Hub


class AgencyKind(models.TextChoices):
    POLICE = "police", _("Police")
    CHILDRENS_SOCIAL_CARE = "childrens_social_care", _("Children's social care")
    ADULT_SOCIAL_CARE = "adult_social_care", _("Adult social care")
    HEALTH = "health", _("Health")
    EDUCATION = "education", _("Education")
    PROBATION = "probation", _("Probation")
    HOUSING = "housing", _("Housing")
    OTHER = "other", _("Other")


# The Children in Need referral-source codes an agency of each kind refers under, when it has no codes of its own.
KIND_SOURCES = {
    AgencyKind.POLICE: [ReferralSource.POLICE],
    AgencyKind.HEALTH: [c for c in ReferralSource.values if c.startswith("3")],
    AgencyKind.EDUCATION: [ReferralSource.SCHOOLS, ReferralSource.EDUCATION_SERVICES],
    AgencyKind.HOUSING: [ReferralSource.HOUSING],
    AgencyKind.CHILDRENS_SOCIAL_CARE: [c for c in ReferralSource.values if c.startswith("5")],
    AgencyKind.ADULT_SOCIAL_CARE: [c for c in ReferralSource.values if c.startswith("5")],
    AgencyKind.PROBATION: [ReferralSource.OTHER_LEGAL],
}


def validate_source_codes(value):
    if not isinstance(value, list):
        raise ValidationError(_("Referral-source codes must be a list"))
    unknown = [code for code in value if code not in ReferralSource.values]
    if unknown:
        raise ValidationError(_("Unknown referral-source code: %(codes)s") % {"codes": ", ".join(map(str, unknown))})


class Agency(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    name = models.CharField(max_length=120, unique=True)
    slug = models.SlugField(max_length=60, unique=True)
    kind = models.CharField(max_length=30, choices=AgencyKind.choices)
    source_codes = models.JSONField(
        default=list,
        blank=True,
        validators=[validate_source_codes],
        help_text=_("Children in Need referral-source codes this agency's referrals map to."),
    )
    hubs = models.ManyToManyField(Hub, through="HubMembership", related_name="agencies")

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "agencies"

    def __str__(self):
        return self.name

    def source_labels(self) -> list[str]:
        return [f"{code} {ReferralSource(code).label}" for code in self.source_codes]

    def referral_sources(self) -> list[str] | None:
        """The referral-source codes this agency's own referrals may carry: its recorded codes, else those of its
        kind (police: 6; health: 3A to 3F …); None for an agency of another kind with no codes (any code)."""
        return list(self.source_codes) or KIND_SOURCES.get(self.kind)


class MembershipKind(models.TextChoices):
    CORE = "core", _("Core (takes part in every decision)")
    CONTRIBUTING = "contributing", _("Contributing")


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
                violation_error_message=_("This agency is already a member of the hub"),
            )
        ]

    def __str__(self):
        return f"{self.agency} in {self.hub} ({self.kind})"

    @property
    def is_core(self) -> bool:
        return self.kind == MembershipKind.CORE
