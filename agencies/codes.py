"""Code lists from shared/DOMAIN.md that the hub configuration refers to."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ReferralSource(models.TextChoices):
    """Children in Need census referral-source codes (validator rule 8866 accepts exactly these 22)."""

    INDIVIDUAL_FAMILY = "1A", _("Individual: family member, relative or carer")
    INDIVIDUAL_ACQUAINTANCE = "1B", _("Individual: acquaintance, friend or neighbour")
    INDIVIDUAL_SELF = "1C", _("Individual: self")
    INDIVIDUAL_OTHER = "1D", _("Individual: other")
    SCHOOLS = "2A", _("Schools")
    EDUCATION_SERVICES = "2B", _("Education services")
    HEALTH_GP = "3A", _("Health: GP")
    HEALTH_VISITOR = "3B", _("Health: health visitor")
    HEALTH_SCHOOL_NURSE = "3C", _("Health: school nurse")
    HEALTH_OTHER_PRIMARY = "3D", _("Health: other primary health services")
    HEALTH_AE = "3E", _("Health: A&E")
    HEALTH_OTHER = "3F", _("Health: other")
    HOUSING = "4", _("Housing")
    LA_SOCIAL_CARE = "5A", _("LA services: social care")
    LA_OTHER_INTERNAL = "5B", _("LA services: other internal")
    LA_EXTERNAL = "5C", _("LA services: external")
    LA_OTHER = "5D", _("LA services: other")
    POLICE = "6", _("Police")
    OTHER_LEGAL = "7", _("Other legal agency")
    OTHER = "8", _("Other")
    ANONYMOUS = "9", _("Anonymous")
    UNKNOWN = "10", _("Unknown")
