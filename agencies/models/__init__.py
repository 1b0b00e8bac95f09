"""Hubs, agencies, people's roles, core documents and signatures, funding and resources.

A hub is the national standard's defined MASH: one accountable manager, core agencies that take part in every
decision, contributing agencies, signed core documents and transparent funding. Every case object later belongs to
exactly one hub.
"""

from agencies.models.agencies import (
    Agency,
    AgencyKind,
    HubMembership,
    MembershipKind,
    validate_source_codes,
)
from agencies.models.clients import (
    ApiClient,
)
from agencies.models.documents import (
    CoreDocument,
    DocumentKind,
    DocumentVersion,
    Signature,
    document_upload_path,
)
from agencies.models.files import (
    StoredFile,
)
from agencies.models.funding import (
    FundingContribution,
    WorkingPattern,
    financial_year_label,
    financial_year_of,
)
from agencies.models.hub import (
    WEEKDAYS,
    Cohort,
    Counting,
    Hub,
)
from agencies.models.people import (
    CASE_ROLES,
    MAX_DELEGATION,
    Role,
    RoleAssignment,
)
from agencies.models.preferences import (
    LanguagePreference,
)

__all__ = [
    "WEEKDAYS",
    "Cohort",
    "Counting",
    "Hub",
    "AgencyKind",
    "validate_source_codes",
    "Agency",
    "MembershipKind",
    "HubMembership",
    "CASE_ROLES",
    "MAX_DELEGATION",
    "Role",
    "RoleAssignment",
    "DocumentKind",
    "CoreDocument",
    "document_upload_path",
    "DocumentVersion",
    "Signature",
    "StoredFile",
    "WorkingPattern",
    "financial_year_of",
    "financial_year_label",
    "FundingContribution",
    "ApiClient",
    "LanguagePreference",
]
