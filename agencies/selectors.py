"""Reads of hub configuration. Whether the reader may see the hub at all is their access's (agencies/access.py)."""

from dataclasses import dataclass
from datetime import date, datetime

from django.contrib.auth import get_user_model
from django.db.models import Prefetch, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from agencies.agreements import NEWEST_FIRST, AgreementState, AgreementStatus, state_of
from agencies.models import (
    Agency,
    CoreDocument,
    DocumentKind,
    DocumentVersion,
    FundingContribution,
    Hub,
    HubMembership,
    Role,
    RoleAssignment,
    Signature,
)

NO_ACTIVE_ACCOUNT = _("There is no active account with this username")


def active_user(username: str):
    """The active account with this username, or None: whom a role is given or handed to."""
    return get_user_model().objects.filter(username=username, is_active=True).first()


def hubs_administered_by(user) -> QuerySet[Hub]:
    if user.is_superuser:
        return Hub.objects.all()
    return Hub.objects.filter(roles__user=user, roles__role=Role.HUB_ADMIN).distinct()


def memberships_of(hub: Hub) -> list[HubMembership]:
    return list(hub.memberships.select_related("agency").order_by("kind", "agency__name"))


def people_of(hub: Hub) -> list[RoleAssignment]:
    return list(
        hub.roles.select_related("user", "agency", "granted_by").order_by("role", "user__last_name", "user__username")
    )


def manager_acting(hub: Hub, at: datetime | None = None) -> RoleAssignment | None:
    """Who acts as accountable manager at `at`: the deputy inside the delegation period, else the manager."""
    at = at or timezone.now()
    assignments = list(hub.roles.filter(role__in=[Role.MANAGER, Role.DEPUTY]).select_related("user"))
    deputies = [a for a in assignments if a.role == Role.DEPUTY and a.acts_as_manager(at)]
    managers = [a for a in assignments if a.role == Role.MANAGER]
    return (deputies or managers or [None])[0]


def _documents_with_versions(hub: Hub, kinds=None):
    docs = hub.documents.all()
    if kinds:
        docs = docs.filter(kind__in=kinds)
    return docs.prefetch_related(
        Prefetch(
            "versions",
            queryset=DocumentVersion.objects.order_by(*NEWEST_FIRST).prefetch_related(
                Prefetch("signatures", queryset=Signature.objects.select_related("agency"))
            ),
        )
    )


def agreement_status(
    agency: Agency, hub: Hub, kind: DocumentKind = DocumentKind.INFORMATION_SHARING_AGREEMENT, on: date | None = None
) -> AgreementStatus:
    """Where `agency` stands with the hub's core document of `kind` on the day `on` (today by default)."""
    on = on or timezone.localdate()
    document = _documents_with_versions(hub, [kind]).first()
    if document is None:
        return AgreementStatus(AgreementState.NO_VERSION, None, None)
    versions = list(document.versions.all())
    signed = {v.id for v in versions for s in v.signatures.all() if s.agency_id == agency.id}
    state, in_force = state_of(versions, signed, on)
    return AgreementStatus(state, document, in_force)


@dataclass
class AgreementRow:
    membership: HubMembership
    statuses: list[tuple[CoreDocument, AgreementState, DocumentVersion | None]]


def agreements_overview(hub: Hub, on: date | None = None) -> tuple[list[CoreDocument], list[AgreementRow]]:
    """Each core document with its versions, and each member agency's state against each document.

    Three queries whatever the number of agencies: documents, versions, signatures (plus memberships).
    """
    on = on or timezone.localdate()
    documents = list(_documents_with_versions(hub))
    memberships = memberships_of(hub)
    rows = []
    for membership in memberships:
        statuses = []
        for document in documents:
            versions = list(document.versions.all())
            signed = {v.id for v in versions for s in v.signatures.all() if s.agency_id == membership.agency_id}
            state, in_force = state_of(versions, signed, on)
            statuses.append((document, state, in_force))
        rows.append(AgreementRow(membership, statuses))
    return documents, rows


def funding_of(hub: Hub, financial_year: int | None = None) -> list[FundingContribution]:
    rows = hub.funding.select_related("agency").order_by("-financial_year", "agency__name")
    if financial_year is not None:
        rows = rows.filter(financial_year=financial_year)
    return list(rows)
