"""People's roles in hubs: who holds which role where, with the deputy's delegation and the officer's agency."""

from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from agencies.models.agencies import Agency
from agencies.models.hub import Hub


class Role(models.TextChoices):
    PRACTITIONER = "practitioner", _("Practitioner")
    AGENCY_OFFICER = "agency_officer", _("Agency officer")
    MANAGER = "manager", _("Accountable manager")
    DEPUTY = "deputy", _("Deputy manager")
    STRATEGIC_LEAD = "strategic_lead", _("Strategic lead")
    HUB_ADMIN = "hub_admin", _("Hub administrator")


# The case roles: a hub administrator holds none of them in a hub they administer (agencies/services.py refuses,
# agencies/access.py never counts one).
CASE_ROLES = frozenset({"practitioner", "agency_officer", "manager", "deputy", "strategic_lead"})
# A deputy acts for the accountable manager for at most this long at a time.
MAX_DELEGATION = timedelta(days=90)


class RoleAssignment(models.Model):
    """A person's role in one hub. A person may hold roles in several hubs.

    The database allows one accountable manager and one deputy per hub; a deputy acts for the manager only
    inside the delegation period (at most 90 days). An agency officer belongs to one agency. Who gave the role is
    kept with it (the ledger's `role.granted` has it too).
    """

    hub = models.ForeignKey(Hub, on_delete=models.CASCADE, related_name="roles")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="hub_roles")
    role = models.CharField(max_length=20, choices=Role.choices)
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, null=True, blank=True, related_name="officers")
    delegation_starts = models.DateTimeField(null=True, blank=True)
    delegation_ends = models.DateTimeField(null=True, blank=True)
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["hub__name", "role", "user__username"]
        constraints = [
            models.UniqueConstraint(
                fields=["hub", "user", "role"],
                name="one_assignment_per_role",
                violation_error_message=_("This person already holds this role in the hub"),
            ),
            models.UniqueConstraint(
                fields=["hub"],
                condition=Q(role="manager"),
                name="one_accountable_manager_per_hub",
                violation_error_message=_("The hub already has an accountable manager: a hub has exactly one"),
            ),
            models.UniqueConstraint(
                fields=["hub"],
                condition=Q(role="deputy"),
                name="one_deputy_per_hub",
                violation_error_message=_("The hub already has a deputy manager"),
            ),
            models.CheckConstraint(
                condition=~Q(role="agency_officer") | Q(agency__isnull=False),
                name="agency_officer_has_agency",
                violation_error_message=_("Choose the agency this officer belongs to"),
            ),
            models.CheckConstraint(
                condition=(
                    Q(role="deputy", delegation_starts__isnull=False, delegation_ends__gt=models.F("delegation_starts"))
                    | (~Q(role="deputy") & Q(delegation_starts__isnull=True, delegation_ends__isnull=True))
                ),
                name="deputy_has_delegation_period",
                violation_error_message=_(
                    "A deputy needs a delegation period that ends after it starts; other roles have none"
                ),
            ),
        ]

    def __str__(self):
        return f"{self.user} — {self.get_role_display()}, {self.hub}"

    def clean(self):
        """The constraints' rules again, each on the field a person must change (a constraint names no field)."""
        errors = {}
        if self.role == Role.AGENCY_OFFICER and self.agency_id is None:
            errors["agency"] = _("Choose the agency this officer belongs to")
        starts, ends = self.delegation_starts, self.delegation_ends
        if self.role == Role.DEPUTY:
            if starts is None:
                errors["delegation_starts"] = _("Enter when the deputy starts acting for the manager")
            if ends is None:
                errors["delegation_ends"] = _("Enter when the delegation ends")
            elif starts and ends <= starts:
                errors["delegation_ends"] = _("The delegation must end after it starts")
            elif starts and ends - starts > MAX_DELEGATION:
                errors["delegation_ends"] = _("A delegation lasts at most 90 days: end it sooner")
        else:
            for name, value in (("delegation_starts", starts), ("delegation_ends", ends)):
                if value is not None:
                    errors[name] = _("Only a deputy manager has a delegation period: leave this empty")
        if errors:
            raise ValidationError(errors)

    def acts_as_manager(self, at: datetime) -> bool:
        """The accountable manager always acts; the deputy only from the start to the end of the delegation."""
        if self.role == Role.MANAGER:
            return True
        if self.role == Role.DEPUTY:
            return self.delegation_starts <= at < self.delegation_ends
        return False
