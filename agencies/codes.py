"""Code lists from shared/DOMAIN.md that the hub configuration refers to."""

from django.db import models


class ReferralSource(models.TextChoices):
    """Children in Need census referral-source codes (validator rule 8866 accepts exactly these 22)."""

    INDIVIDUAL_FAMILY = "1A", "Individual: family member, relative or carer"
    INDIVIDUAL_ACQUAINTANCE = "1B", "Individual: acquaintance, friend or neighbour"
    INDIVIDUAL_SELF = "1C", "Individual: self"
    INDIVIDUAL_OTHER = "1D", "Individual: other"
    SCHOOLS = "2A", "Schools"
    EDUCATION_SERVICES = "2B", "Education services"
    HEALTH_GP = "3A", "Health: GP"
    HEALTH_VISITOR = "3B", "Health: health visitor"
    HEALTH_SCHOOL_NURSE = "3C", "Health: school nurse"
    HEALTH_OTHER_PRIMARY = "3D", "Health: other primary health services"
    HEALTH_AE = "3E", "Health: A&E"
    HEALTH_OTHER = "3F", "Health: other"
    HOUSING = "4", "Housing"
    LA_SOCIAL_CARE = "5A", "LA services: social care"
    LA_OTHER_INTERNAL = "5B", "LA services: other internal"
    LA_EXTERNAL = "5C", "LA services: external"
    LA_OTHER = "5D", "LA services: other"
    POLICE = "6", "Police"
    OTHER_LEGAL = "7", "Other legal agency"
    OTHER = "8", "Other"
    ANONYMOUS = "9", "Anonymous"
    UNKNOWN = "10", "Unknown"
