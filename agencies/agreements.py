"""Where an agency stands with a hub's core document on a day: the one rule, shared by the agreements page
(agencies/selectors.py) and the gate on case data (agencies/access.py)."""

from dataclasses import dataclass
from datetime import date

from django.db import models
from django.db.models import Exists, OuterRef, Subquery

from agencies.models import CoreDocument, DocumentKind, DocumentVersion, Signature

# Versions newest first; the one in force is the first whose effective date has come (state_of, current_agreement).
NEWEST_FIRST = ("-effective_from", "-number")


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


def current_agreement(hub, agency, on: date) -> Exists:
    """As an SQL expression, for an annotation: the agency (an id or an OuterRef) has signed the version of the
    hub's (id or OuterRef) information sharing agreement in force on `on`, and it is not past its review — the same
    rule as `state_of` giving CURRENT."""
    # The version in force is looked up one level deeper than the signature: an outer reference reaches out twice.
    hub = OuterRef(hub) if isinstance(hub, OuterRef) else hub
    in_force = DocumentVersion.objects.filter(
        document__hub=hub, document__kind=DocumentKind.INFORMATION_SHARING_AGREEMENT, effective_from__lte=on
    ).order_by(*NEWEST_FIRST)
    return Exists(
        Signature.objects.filter(
            version=Subquery(in_force.values("pk")[:1]), agency=agency, version__review_due__gte=on
        )
    )


def state_of(versions: list[DocumentVersion], signed_version_ids: set, on: date) -> tuple:
    """Versions newest first (NEWEST_FIRST); the one in force is the newest whose effective date has come."""
    in_force = next((v for v in versions if v.effective_from <= on), None)
    if in_force is None:
        return AgreementState.NO_VERSION, None
    if in_force.id in signed_version_ids:
        return (AgreementState.PAST_REVIEW if in_force.review_due < on else AgreementState.CURRENT), in_force
    older = [v for v in versions if v.effective_from < in_force.effective_from]
    if any(v.id in signed_version_ids for v in older):
        return AgreementState.SUPERSEDED, in_force
    return AgreementState.UNSIGNED, in_force


def problem_sentence(status: AgreementStatus, agency, hub) -> str | None:
    """None when the agency's agreement is current; otherwise a sentence saying which is missing and why."""
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
