"""Where an agency stands with a hub's core document on a day: the one rule, shared by the agreements page
(agencies/selectors.py) and the gate on case data (agencies/access.py)."""

from dataclasses import dataclass
from datetime import date

from django.db import models
from django.db.models import Exists, OuterRef, Subquery
from django.utils.dateformat import format as date_format
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from agencies.models import CoreDocument, DocumentKind, DocumentVersion, Signature

# Versions newest first; the one in force is the first whose effective date has come (state_of, current_agreement).
NEWEST_FIRST = ("-effective_from", "-number")


class AgreementState(models.TextChoices):
    CURRENT = "current", _("Signed, current")
    PAST_REVIEW = "past_review", _("Signed, review overdue")
    SUPERSEDED = "superseded", _("Signed an earlier version only")
    UNSIGNED = "unsigned", _("Not signed")
    NO_VERSION = "no_version", _("No version in force")


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
    """None when the agency's agreement is current; otherwise a sentence saying which is missing and why, in the
    active language."""
    if status.is_current:
        return None
    if status.version is None:
        return gettext(
            "%(hub)s has no information sharing agreement in force, so no agency can see or share case data."
        ) % {"hub": hub}
    name = gettext("%(title)s (version %(number)s)") % {"title": status.document.title, "number": status.version.number}
    words = {"name": name, "agency": agency}
    if status.state == AgreementState.PAST_REVIEW:
        words["when"] = date_format(status.version.review_due, "j F Y")
        reason = gettext("%(name)s signed by %(agency)s was due for review on %(when)s") % words
    elif status.state == AgreementState.SUPERSEDED:
        reason = gettext("%(agency)s signed an earlier version, not %(name)s") % words
    else:
        reason = gettext("%(agency)s has not signed %(name)s") % words
    return gettext("%(reason)s. Ask the hub administrator to record a current signature.") % {"reason": reason}
