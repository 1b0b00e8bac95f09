"""Every write to hub configuration. Web views, the admin and management commands all call these.

Each service validates with the model's own rules (field by field, constraints included) before it writes, so
bad input raises ValidationError and changes nothing.
"""

from datetime import date
from decimal import Decimal

from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from guardian.shortcuts import assign_perm, remove_perm

from agencies.models import (
    Agency,
    CoreDocument,
    DocumentVersion,
    FundingContribution,
    Hub,
    HubGroup,
    HubMembership,
    Role,
    RoleAssignment,
    Signature,
)
from agencies.permissions import HUB_PERMISSION, hub_permissions_for


def _save_valid(obj):
    obj.full_clean()
    obj.save()
    return obj


def _group_for(hub: Hub, role: Role, agency: Agency | None = None) -> Group:
    """The group that mirrors `role` in `hub` (per agency for officers), created with its hub permissions."""
    agency = agency if role == Role.AGENCY_OFFICER else None
    link = HubGroup.objects.filter(hub=hub, role=role, agency=agency).select_related("group").first()
    if link:
        return link.group
    name = f"hub:{hub.slug}:{role}" + (f":{agency.slug}" if agency else "")
    group, _ = Group.objects.get_or_create(name=name)
    HubGroup.objects.create(hub=hub, role=role, agency=agency, group=group)
    for codename in sorted(hub_permissions_for(Role(role))):
        assign_perm(f"agencies.{codename}", group, hub)
    return group


@transaction.atomic
def hub_groups_sync(*, hub: Hub) -> None:
    """Make every role group of the hub hold exactly the hub permissions the policy gives its role."""
    for role in Role:
        if role != Role.AGENCY_OFFICER:
            _group_for(hub, role)
    for membership in hub.memberships.select_related("agency"):
        _group_for(hub, Role.AGENCY_OFFICER, membership.agency)
    for link in hub.groups.select_related("group"):
        wanted = hub_permissions_for(Role(link.role))
        for codename in set(HUB_PERMISSION.values()):
            if codename in wanted:
                assign_perm(f"agencies.{codename}", link.group, hub)
            else:
                remove_perm(f"agencies.{codename}", link.group, hub)


@transaction.atomic
def hub_create(*, name: str, slug: str, **fields) -> Hub:
    hub = _save_valid(Hub(name=name, slug=slug, **fields))
    hub_groups_sync(hub=hub)
    return hub


HUB_EDITABLE_FIELDS = (
    "name",
    "area",
    "cohorts",
    "working_day_starts",
    "working_day_ends",
    "working_days",
    "red_hours",
    "red_counting",
    "amber_hours",
    "amber_counting",
    "green_hours",
    "green_counting",
)


@transaction.atomic
def hub_update(*, hub: Hub, data: dict) -> Hub:
    unknown = set(data) - set(HUB_EDITABLE_FIELDS)
    if unknown:
        raise ValidationError(f"These fields cannot be changed here: {', '.join(sorted(unknown))}")
    hub = Hub.objects.select_for_update().get(pk=hub.pk)
    for field, value in data.items():
        setattr(hub, field, value)
    return _save_valid(hub)


@transaction.atomic
def agency_create(*, name: str, slug: str, kind: str, source_codes: list[str] | None = None) -> Agency:
    return _save_valid(Agency(name=name, slug=slug, kind=kind, source_codes=source_codes or []))


@transaction.atomic
def membership_set(*, hub: Hub, agency: Agency, kind: str) -> HubMembership:
    """Make `agency` a core or contributing member of `hub` (changing the kind if it is a member already)."""
    membership = HubMembership.objects.filter(hub=hub, agency=agency).first()
    if membership is None:
        membership = HubMembership(hub=hub, agency=agency)
    membership.kind = kind
    _save_valid(membership)
    _group_for(hub, Role.AGENCY_OFFICER, agency)
    return membership


@transaction.atomic
def role_grant(
    *, hub: Hub, user, role: str, agency: Agency | None = None, delegation_starts=None, delegation_ends=None
) -> RoleAssignment:
    """Give `user` a role in `hub` and put them in the role's group. One accountable manager per hub (database)."""
    if role == Role.AGENCY_OFFICER and agency and not HubMembership.objects.filter(hub=hub, agency=agency).exists():
        raise ValidationError({"agency": f"{agency} is not a member agency of {hub}"})
    if role != Role.AGENCY_OFFICER and agency and role != Role.PRACTITIONER:
        raise ValidationError({"agency": "Only agency officers and practitioners are recorded with an agency"})
    assignment = _save_valid(
        RoleAssignment(
            hub=hub,
            user=user,
            role=role,
            agency=agency,
            delegation_starts=delegation_starts,
            delegation_ends=delegation_ends,
        )
    )
    user.groups.add(_group_for(hub, Role(role), agency))
    return assignment


@transaction.atomic
def role_revoke(*, assignment: RoleAssignment) -> None:
    group = _group_for(assignment.hub, Role(assignment.role), assignment.agency)
    user = assignment.user
    assignment.delete()
    still_needed = RoleAssignment.objects.filter(
        hub=assignment.hub,
        user=user,
        role=assignment.role,
        agency=assignment.agency if assignment.role == Role.AGENCY_OFFICER else None,
    ).exists()
    if not still_needed:
        user.groups.remove(group)


@transaction.atomic
def document_create(*, hub: Hub, kind: str, title: str) -> CoreDocument:
    return _save_valid(CoreDocument(hub=hub, kind=kind, title=title))


@transaction.atomic
def document_version_publish(
    *, document: CoreDocument, effective_from: date, review_due: date, text: str = "", file=None, by=None
) -> DocumentVersion:
    """Add the next version of a core document. From its effective date it supersedes the earlier versions."""
    document = CoreDocument.objects.select_for_update().get(pk=document.pk)
    number = (document.versions.aggregate(n=Max("number"))["n"] or 0) + 1
    version = DocumentVersion(
        document=document,
        number=number,
        text=text,
        effective_from=effective_from,
        review_due=review_due,
        published_by=by,
    )
    if file:
        version.file = file
    return _save_valid(version)


@transaction.atomic
def agreement_sign(
    *, version: DocumentVersion, agency: Agency, signatory_name: str, signatory_role: str, signed_on: date, by
) -> Signature:
    """Record that `signatory_name` signed `version` on behalf of `agency`, a member of the document's hub."""
    hub = version.document.hub
    if not HubMembership.objects.filter(hub=hub, agency=agency).exists():
        raise ValidationError({"agency": f"{agency} is not a member agency of {hub}"})
    if signed_on and signed_on > timezone.localdate():
        raise ValidationError({"signed_on": "The date signed cannot be in the future"})
    return _save_valid(
        Signature(
            version=version,
            agency=agency,
            signatory_name=signatory_name,
            signatory_role=signatory_role,
            signed_on=signed_on,
            recorded_by=by,
        )
    )


@transaction.atomic
def funding_record(
    *,
    hub: Hub,
    agency: Agency,
    financial_year: int,
    amount_gbp: Decimal,
    staff_fte: Decimal,
    working_pattern: str,
    contribution: FundingContribution | None = None,
) -> FundingContribution:
    """Add one agency's funding for a financial year, or change `contribution`. One row per agency, hub and year."""
    if not HubMembership.objects.filter(hub=hub, agency=agency).exists():
        raise ValidationError({"agency": f"{agency} is not a member agency of {hub}"})
    row = contribution or FundingContribution(hub=hub)
    if row.hub_id != hub.id:
        raise ValidationError("This funding entry belongs to another hub")
    row.agency = agency
    row.financial_year = financial_year
    row.amount_gbp = amount_gbp
    row.staff_fte = staff_fte
    row.working_pattern = working_pattern
    return _save_valid(row)
