"""Reads of hub configuration, each scoped to what the user may see. A hub outside the user's scope is a 404."""

from dataclasses import dataclass
from datetime import date, datetime

from django.db import models
from django.db.models import Prefetch, QuerySet
from django.http import Http404
from django.utils import timezone

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
)
from agencies.permissions import Action, can


def hubs_visible_to(user) -> QuerySet[Hub]:
    """Hubs in which the user holds a role (every hub for a superuser)."""
    if not (user.is_authenticated and user.is_active):
        return Hub.objects.none()
    if user.is_superuser:
        return Hub.objects.all()
    return Hub.objects.filter(roles__user=user).distinct()


def hub_for(user, hub_id, action: Action = Action.VIEW_HUB) -> Hub:
    """The hub if the user may take `action` in it; otherwise Http404, the same answer as for no such hub."""
    hub = hubs_visible_to(user).filter(pk=hub_id).first()
    if hub is None or not can(user, action, hub):
        raise Http404("No such hub")
    return hub


def roles_of(user) -> list[RoleAssignment]:
    if not user.is_authenticated:
        return []
    return list(RoleAssignment.objects.filter(user=user).select_related("hub", "agency").order_by("hub__name", "role"))


def hubs_administered_by(user) -> QuerySet[Hub]:
    if user.is_superuser:
        return Hub.objects.all()
    return Hub.objects.filter(roles__user=user, roles__role=Role.HUB_ADMIN).distinct()


def memberships_of(hub: Hub) -> list[HubMembership]:
    return list(hub.memberships.select_related("agency").order_by("kind", "agency__name"))


def people_of(hub: Hub) -> list[RoleAssignment]:
    return list(hub.roles.select_related("user", "agency").order_by("role", "user__last_name", "user__username"))


def manager_acting(hub: Hub, at: datetime | None = None) -> RoleAssignment | None:
    """Who acts as accountable manager at `at`: the deputy inside the delegation period, else the manager."""
    at = at or timezone.now()
    assignments = list(hub.roles.filter(role__in=[Role.MANAGER, Role.DEPUTY]).select_related("user"))
    deputies = [a for a in assignments if a.role == Role.DEPUTY and a.acts_as_manager(at)]
    managers = [a for a in assignments if a.role == Role.MANAGER]
    return (deputies or managers or [None])[0]


class AgreementState(models.TextChoices):
    CURRENT = "current", "Signed, current"
    PAST_REVIEW = "past_review", "Signed, review overdue"
    SUPERSEDED = "superseded", "Signed an earlier version only"
    UNSIGNED = "unsigned", "Not signed"
    NO_VERSION = "no_version", "No version in force"


@dataclass(frozen=True)
class AgreementStatus:
    state: AgreementState
    document: CoreDocument | None
    version: DocumentVersion | None  # the version in force, if any

    @property
    def is_current(self) -> bool:
        return self.state == AgreementState.CURRENT


def _state_of(versions: list[DocumentVersion], signed_version_ids: set, on: date) -> tuple:
    """Versions newest first; the one in force is the newest whose effective date has come."""
    in_force = next((v for v in versions if v.effective_from <= on), None)
    if in_force is None:
        return AgreementState.NO_VERSION, None
    if in_force.id in signed_version_ids:
        return (AgreementState.PAST_REVIEW if in_force.review_due < on else AgreementState.CURRENT), in_force
    older = [v for v in versions if v.effective_from < in_force.effective_from]
    if any(v.id in signed_version_ids for v in older):
        return AgreementState.SUPERSEDED, in_force
    return AgreementState.UNSIGNED, in_force


def _documents_with_versions(hub: Hub, kinds=None):
    docs = hub.documents.all()
    if kinds:
        docs = docs.filter(kind__in=kinds)
    return docs.prefetch_related(
        Prefetch(
            "versions",
            queryset=DocumentVersion.objects.order_by("-effective_from").prefetch_related("signatures"),
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
    state, in_force = _state_of(versions, signed, on)
    return AgreementStatus(state, document, in_force)


def has_current_isa(agency: Agency, hub: Hub, on: date | None = None) -> bool:
    """The gate for case data: the agency signed the hub's information sharing agreement in force, not past review."""
    return agreement_status(agency, hub, DocumentKind.INFORMATION_SHARING_AGREEMENT, on).is_current


def missing_agreement_message(agency: Agency, hub: Hub, on: date | None = None) -> str | None:
    """None when the agency has a current ISA; otherwise a sentence saying which agreement is missing and why."""
    status = agreement_status(agency, hub, DocumentKind.INFORMATION_SHARING_AGREEMENT, on)
    if status.is_current:
        return None
    if status.version is None:
        return f"{hub} has no information sharing agreement in force, so no agency can see or share case data."
    name = f"{status.document.title} (version {status.version.number})"
    reasons = {
        AgreementState.PAST_REVIEW: f"{name} signed by {agency} was due for review on {status.version.review_due:%-d %B %Y}",
        AgreementState.SUPERSEDED: f"{agency} signed an earlier version, not {name}",
        AgreementState.UNSIGNED: f"{agency} has not signed {name}",
    }
    return f"{reasons[status.state]}. Ask the hub administrator to record a current signature."


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
            state, in_force = _state_of(versions, signed, on)
            statuses.append((document, state, in_force))
        rows.append(AgreementRow(membership, statuses))
    return documents, rows


def funding_of(hub: Hub, financial_year: int | None = None) -> list[FundingContribution]:
    rows = hub.funding.select_related("agency").order_by("-financial_year", "agency__name")
    if financial_year is not None:
        rows = rows.filter(financial_year=financial_year)
    return list(rows)
