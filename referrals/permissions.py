"""Who may see which referrals: one policy table. `services.referral_create` grants its permissions on each new
referral to the hub's role groups (direct foreign-key guardian rows); `selectors` read through them; the permission
matrix tests are generated from it. An action missing from the table raises KeyError."""

from django.db import models

from agencies.models import Role


class ReferralAction(models.TextChoices):
    CREATE = "referral.create", "Record a referral taken by phone or email"
    VIEW = "referral.view", "See the whole referral"
    VIEW_STATUS = "referral.view_status", "See the referral's status, rating and outcome only"


# Roles of the referral's hub. Agency officers hold VIEW_STATUS only on referrals their own agency made; other
# agencies see nothing until a request for information grants it (issue 6).
POLICY: dict[ReferralAction, frozenset[Role]] = {
    ReferralAction.CREATE: frozenset({Role.PRACTITIONER, Role.MANAGER, Role.DEPUTY}),
    ReferralAction.VIEW: frozenset({Role.PRACTITIONER, Role.MANAGER, Role.DEPUTY}),
    ReferralAction.VIEW_STATUS: frozenset({Role.AGENCY_OFFICER}),
}

PERMISSION: dict[ReferralAction, str] = {
    ReferralAction.VIEW: "view_referral",
    ReferralAction.VIEW_STATUS: "view_referral_status",
}
