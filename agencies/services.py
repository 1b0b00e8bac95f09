"""Every write to hub configuration. Web views, the admin and management commands all call these.

Each service validates with the model's own rules (field by field, constraints included) before it writes, so
bad input raises ValidationError and changes nothing.
"""

from collections.abc import Mapping
from datetime import date
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext

from agencies.access import access_for
from agencies.document_files import document_file_attach, document_file_check
from agencies.models import (
    CASE_ROLES,
    Agency,
    ApiClient,
    CoreDocument,
    DocumentVersion,
    FundingContribution,
    Hub,
    HubMembership,
    Role,
    RoleAssignment,
    Signature,
)
from agencies.policy import Action, require
from audit import context as audit_context
from audit.events.actions import AuditAction
from audit.events.payloads import (
    AgencyCreated,
    AgreementSigned,
    ApiClientCreated,
    ApiClientRevoked,
    DocumentCreated,
    DocumentVersionPublished,
    Funding,
    MembershipSet,
    RoleFacts,
)
from audit.services import record
from mash.errors import Conflict


def record_change(action: AuditAction, *, hub: Hub | None, obj, payload: Mapping) -> None:
    """Write the event for this change in the caller's transaction, with the actor's agency in the hub if any."""
    actor = audit_context.current()
    agency_id = None
    if hub is not None and actor.type == "user":
        agency_id = (
            RoleAssignment.objects.filter(hub=hub, user_id=actor.id, agency__isnull=False)
            .values_list("agency_id", flat=True)
            .first()
        )
    record(action, hub=hub, obj=obj, payload=payload, actor_agency=agency_id)


def _text(value) -> str | int | list | bool | None:
    """A field value as a ledger fact: times and dates as ISO text, decimals as exact text."""
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, list):
        return [_text(v) for v in value]
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


def _may(by, hub: Hub, action: Action) -> None:
    """A person changing the hub must be allowed by the policy; `by` None is the service itself (a command, the
    demo, a migration)."""
    if by is not None:
        require(access_for(by, hub.pk), action)


def _not_a_member(agency, hub) -> str:
    return gettext("%(agency)s is not a member agency of %(hub)s") % {"agency": agency, "hub": hub}


def _save_valid(obj):
    obj.full_clean()
    obj.save()
    return obj


@transaction.atomic
def hub_create(*, name: str, slug: str, **fields) -> Hub:
    hub = _save_valid(Hub(name=name, slug=slug, **fields))
    record_change(
        AuditAction.HUB_CREATED, hub=hub, obj=hub, payload={f: _text(getattr(hub, f)) for f in HUB_EDITABLE_FIELDS}
    )
    return hub


HUB_EDITABLE_FIELDS = (
    "name",
    "area",
    "cohorts",
    "working_day_starts",
    "working_day_ends",
    "working_days",
    "immediate_risk_hours",
    "red_hours",
    "red_counting",
    "amber_hours",
    "amber_counting",
    "green_hours",
    "green_counting",
    "red_partner_hours",
    "amber_partner_hours",
    "green_partner_hours",
    "decision_working_days",
    "warn_at_percent",
    "late_referral_days",
    "strategy_discussion_hours",
    "handover_ack_hours",
    "language",
    "procedures",
)


@transaction.atomic
def hub_update(*, hub: Hub, data: dict, by=None) -> Hub:
    _may(by, hub, Action.HUB_CONFIGURE)
    return _update(hub, data, HUB_EDITABLE_FIELDS, AuditAction.HUB_UPDATED, hub_of=lambda h: h)


def _update(obj, data: dict, editable, action: AuditAction, hub_of):
    """Change the `editable` fields given in `data` (refusing any other), validate, and record what changed."""
    unknown = set(data) - set(editable)
    if unknown:
        raise ValidationError(
            gettext("These fields cannot be changed here: %(fields)s") % {"fields": ", ".join(sorted(unknown))}
        )
    obj = type(obj).objects.select_for_update().get(pk=obj.pk)
    changed = {field: value for field, value in data.items() if getattr(obj, field) != value}
    for field, value in changed.items():
        setattr(obj, field, value)
    _save_valid(obj)
    if changed:
        record_change(action, hub=hub_of(obj), obj=obj, payload={f: _text(v) for f, v in sorted(changed.items())})
    return obj


@transaction.atomic
def agency_create(*, name: str, slug: str, kind: str, source_codes: list[str] | None = None) -> Agency:
    agency = _save_valid(Agency(name=name, slug=slug, kind=kind, source_codes=source_codes or []))
    record_change(
        AuditAction.AGENCY_CREATED,
        hub=None,
        obj=agency,
        payload=AgencyCreated(kind=kind, source_codes=agency.source_codes),
    )
    return agency


@transaction.atomic
def agency_update(*, agency: Agency, data: dict) -> Agency:
    return _update(agency, data, ("name", "kind", "source_codes"), AuditAction.AGENCY_UPDATED, hub_of=lambda a: None)


@transaction.atomic
def membership_set(*, hub: Hub, agency: Agency, kind: str, by=None) -> HubMembership:
    """Make `agency` a core or contributing member of `hub` (changing the kind if it is a member already)."""
    _may(by, hub, Action.HUB_CONFIGURE)
    membership = HubMembership.objects.filter(hub=hub, agency=agency).first()
    if membership is not None and membership.kind == kind:
        return membership
    previous = membership.kind if membership else None
    membership = membership or HubMembership(hub=hub, agency=agency)
    membership.kind = kind
    _save_valid(membership)
    record_change(
        AuditAction.MEMBERSHIP_SET,
        hub=hub,
        obj=agency,
        payload=MembershipSet(agency_id=str(agency.pk), kind=kind, previous_kind=previous),
    )
    return membership


def check_roles_apart(hub: Hub, user, role: str) -> None:
    """Separation of duties: a hub administrator holds no case role in the hub they administer, and a person with a
    case role there is not made its administrator."""
    held = set(RoleAssignment.objects.filter(hub=hub, user=user).values_list("role", flat=True))
    if role in CASE_ROLES and Role.HUB_ADMIN in held:
        raise ValidationError(
            {"role": gettext("This person administers the hub, so they cannot hold a case role in it")}
        )
    if role == Role.HUB_ADMIN and held & CASE_ROLES:
        raise ValidationError(
            {"role": gettext("This person holds a case role in the hub, so they cannot administer it")}
        )


def role_change_allowed(*, assignment: RoleAssignment, by) -> None:
    """Refused unless `by` may give, change or remove this role: the policy's, and nobody's own role. `by` None is the
    service itself (the demo, a management command)."""
    if by is not None:
        require(access_for(by, assignment.hub_id), Action.ROLES_MANAGE, assignment)


@transaction.atomic
def role_grant(
    *,
    hub: Hub,
    user,
    role: str,
    agency: Agency | None = None,
    delegation_starts=None,
    delegation_ends=None,
    by=None,
) -> RoleAssignment:
    """Give `user` a role in `hub`. One accountable manager and one deputy per hub (database); a deputy's
    delegation lasts at most 90 days; a hub administrator holds no case role in the hub; nobody gives themselves a
    role. Who gave it is kept with the role."""
    assignment = RoleAssignment(
        hub=hub,
        user=user,
        role=role,
        agency=agency,
        delegation_starts=delegation_starts,
        delegation_ends=delegation_ends,
        granted_by=by,
    )
    role_change_allowed(assignment=assignment, by=by)
    if role == Role.AGENCY_OFFICER and agency and not HubMembership.objects.filter(hub=hub, agency=agency).exists():
        raise ValidationError({"agency": _not_a_member(agency, hub)})
    if role != Role.AGENCY_OFFICER and agency and role != Role.PRACTITIONER:
        raise ValidationError({"agency": gettext("Only agency officers and practitioners are recorded with an agency")})
    check_roles_apart(hub, user, role)
    return role_start(assignment)


def role_start(assignment: RoleAssignment) -> RoleAssignment:
    """Save a new role, checked, with its ledger event (in the caller's transaction, after its checks)."""
    _save_valid(assignment)
    record_change(AuditAction.ROLE_GRANTED, hub=assignment.hub, obj=assignment, payload=_role_facts(assignment))
    return assignment


def role_end(assignment: RoleAssignment) -> None:
    """End a role, with its ledger event (in the caller's transaction, after its checks)."""
    record_change(AuditAction.ROLE_REVOKED, hub=assignment.hub, obj=assignment, payload=_role_facts(assignment))
    assignment.delete()


def _role_facts(assignment: RoleAssignment) -> RoleFacts:
    return RoleFacts(
        user_id=str(assignment.user_id),
        role=assignment.role,
        agency_id=str(assignment.agency_id) if assignment.agency_id else None,
        delegation_starts=_text(assignment.delegation_starts),
        delegation_ends=_text(assignment.delegation_ends),
        granted_by=str(assignment.granted_by_id) if assignment.granted_by_id else None,
    )


@transaction.atomic
def role_change_delegation(
    *, assignment: RoleAssignment, delegation_starts, delegation_ends, by=None
) -> RoleAssignment:
    """Move a deputy's delegation period (at most 90 days)."""
    assignment = RoleAssignment.objects.select_for_update().get(pk=assignment.pk)
    role_change_allowed(assignment=assignment, by=by)
    assignment.delegation_starts, assignment.delegation_ends = delegation_starts, delegation_ends
    _save_valid(assignment)
    record_change(AuditAction.ROLE_CHANGED, hub=assignment.hub, obj=assignment, payload=_role_facts(assignment))
    return assignment


def role_revoke_conflict(assignment: RoleAssignment) -> str | None:
    """Why this role cannot be removed (None: it can): a hub always keeps an accountable manager, who signs off
    decisions and answers for the hub, so the only one is never removed."""
    others = RoleAssignment.objects.filter(hub_id=assignment.hub_id, role=Role.MANAGER).exclude(pk=assignment.pk)
    if assignment.role == Role.MANAGER and not others.exists():
        name = assignment.user.get_full_name() or assignment.user.username
        return gettext(
            "%(name)s is the hub's only accountable manager. A hub must always have one: without them nobody can "
            "sign off a decision, and a deputy acts only for a manager. Hand the role to a successor instead: "
            "they become the accountable manager as the role leaves this person."
        ) % {"name": name}
    return None


@transaction.atomic
def role_revoke(*, assignment: RoleAssignment, by=None) -> None:
    """Remove a role, unless it is the hub's only accountable manager (refused with the reason: a Conflict)."""
    role_change_allowed(assignment=assignment, by=by)
    if reason := role_revoke_conflict(assignment):
        raise Conflict(reason)
    role_end(assignment)


@transaction.atomic
def document_create(*, hub: Hub, kind: str, title: str) -> CoreDocument:
    document = _save_valid(CoreDocument(hub=hub, kind=kind, title=title))
    record_change(AuditAction.DOCUMENT_CREATED, hub=hub, obj=document, payload=DocumentCreated(kind=kind))
    return document


def document_version_publish(
    *, document: CoreDocument, effective_from: date, review_due: date, text: str = "", file=None, by=None
) -> DocumentVersion:
    """Add the next version of a core document. From its effective date it supersedes the earlier versions. Its file,
    if any, is checked and scanned first (agencies/document_files.py): a refused file writes nothing."""
    _may(by, document.hub, Action.HUB_CONFIGURE)
    checked = document_file_check(document=document, upload=file) if file else None
    with transaction.atomic():
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
        if checked:
            document_file_attach(version, checked)
        _save_valid(version)
        record_change(
            AuditAction.DOCUMENT_VERSION_PUBLISHED,
            hub=document.hub,
            obj=version,
            payload=DocumentVersionPublished(
                document_id=str(document.pk),
                kind=document.kind,
                number=number,
                effective_from=_text(effective_from),
                review_due=_text(review_due),
                has_file=bool(version.file),
            ),
        )
        return version


@transaction.atomic
def agreement_sign(
    *, version: DocumentVersion, agency: Agency, signatory_name: str, signatory_role: str, signed_on: date, by
) -> Signature:
    """Record that `signatory_name` signed `version` on behalf of `agency`, a member of the document's hub."""
    hub = version.document.hub
    _may(by, hub, Action.HUB_CONFIGURE)
    if not HubMembership.objects.filter(hub=hub, agency=agency).exists():
        raise ValidationError({"agency": _not_a_member(agency, hub)})
    if signed_on and signed_on > timezone.localdate():
        raise ValidationError({"signed_on": gettext("The date signed cannot be in the future")})
    signature = _save_valid(
        Signature(
            version=version,
            agency=agency,
            signatory_name=signatory_name,
            signatory_role=signatory_role,
            signed_on=signed_on,
            recorded_by=by,
        )
    )
    record_change(
        AuditAction.AGREEMENT_SIGNED,
        hub=hub,
        obj=signature,
        payload=AgreementSigned(
            agency_id=str(agency.pk),
            document_id=str(version.document_id),
            kind=version.document.kind,
            version=version.number,
            signed_on=_text(signed_on),
        ),
    )
    return signature


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
    by=None,
) -> FundingContribution:
    """Add one agency's funding for a financial year, or change `contribution`. One row per agency, hub and year."""
    _may(by, hub, Action.HUB_CONFIGURE)
    if not HubMembership.objects.filter(hub=hub, agency=agency).exists():
        raise ValidationError({"agency": _not_a_member(agency, hub)})
    row = contribution or FundingContribution(hub=hub)
    if row.hub_id != hub.id:
        raise ValidationError(gettext("This funding entry belongs to another hub"))
    adding = row._state.adding
    row.agency = agency
    row.financial_year = financial_year
    row.amount_gbp = amount_gbp
    row.staff_fte = staff_fte
    row.working_pattern = working_pattern
    _save_valid(row)
    record_change(
        AuditAction.FUNDING_RECORDED if adding else AuditAction.FUNDING_CHANGED,
        hub=hub,
        obj=row,
        payload=Funding(
            agency_id=str(agency.pk),
            financial_year=financial_year,
            amount_gbp=_text(row.amount_gbp),
            staff_fte=_text(row.staff_fte),
            working_pattern=working_pattern,
        ),
    )
    return row


@transaction.atomic
def api_client_create(
    *, hub: Hub, agency: Agency, name: str, scopes: str = "referrals:write referrals:read", by=None
) -> tuple[ApiClient, str, str]:
    """Issue an agency's system its OAuth2 client credentials for one hub. Returns the client, its id and its
    secret — shown once: only a hash of the secret is kept."""
    from oauth2_provider.generators import generate_client_secret
    from oauth2_provider.models import Application

    _may(by, hub, Action.API_CLIENTS_MANAGE)
    if not HubMembership.objects.filter(hub=hub, agency=agency).exists():
        raise ValidationError({"agency": _not_a_member(agency, hub)})
    unknown = set(scopes.split()) - set(settings.OAUTH2_PROVIDER["SCOPES"])
    if unknown or not scopes.split():
        raise ValidationError(
            {
                "scopes": gettext("Choose scopes from: %(scopes)s")
                % {"scopes": ", ".join(settings.OAUTH2_PROVIDER["SCOPES"])}
            }
        )
    secret = generate_client_secret()
    application = Application.objects.create(
        name=f"{agency.name} — {name}"[:255],
        client_type=Application.CLIENT_CONFIDENTIAL,
        authorization_grant_type=Application.GRANT_CLIENT_CREDENTIALS,
        client_secret=secret,
    )
    client = _save_valid(ApiClient(application=application, hub=hub, agency=agency, name=name, scopes=scopes))
    record_change(
        AuditAction.API_CLIENT_CREATED,
        hub=hub,
        obj=client,
        payload=ApiClientCreated(agency_id=str(agency.pk), scopes=scopes.split()),
    )
    return client, application.client_id, secret


@transaction.atomic
def api_client_revoke(*, client: ApiClient, by=None) -> ApiClient:
    """Revoke a client at once: its tokens stop working and it cannot get new ones."""
    _may(by, client.hub, Action.API_CLIENTS_MANAGE)
    client = ApiClient.objects.select_for_update().get(pk=client.pk)
    if client.revoked_at is None:
        client.revoked_at = timezone.now()
        client.save(update_fields=["revoked_at"])
        if client.application_id:
            client.application.delete()  # its tokens go with it
        for hook in settings.API_CLIENT_REVOKED_HOOKS:  # apps above this one (its webhooks: decisions/)
            import_string(hook)(client=client)
        record_change(
            AuditAction.API_CLIENT_REVOKED,
            hub=client.hub,
            obj=client,
            payload=ApiClientRevoked(agency_id=str(client.agency_id)),
        )
    return client
