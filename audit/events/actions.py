"""The audit actions: one dotted verb per kind of event, shared by the writers and the readers of the ledger.

The values are the strings stored in `AuditEvent.action`; never change one (rows already written carry it), add a new
member instead. Each member has words for people (`label_of`) and a declared payload (`audit.events.payloads`).
"""

from enum import StrEnum, unique

from django.utils.translation import gettext_lazy as _


@unique
class AuditAction(StrEnum):
    # People signing in and out.
    USER_LOGGED_IN = "user.logged_in"
    USER_LOGGED_OUT = "user.logged_out"
    USER_LOGIN_FAILED = "user.login_failed"
    USER_LOCKED_OUT = "user.locked_out"
    USER_PASSWORD_RESET = "user.password_reset"  # noqa: S105 - an action, not a password
    USER_TWO_FACTOR_SET_UP = "user.two_factor_set_up"
    USER_TWO_FACTOR_VERIFIED = "user.two_factor_verified"
    USER_TWO_FACTOR_FAILED = "user.two_factor_failed"
    # Hub configuration (agencies/).
    HUB_CREATED = "hub.created"
    HUB_UPDATED = "hub.updated"
    AGENCY_CREATED = "agency.created"
    AGENCY_UPDATED = "agency.updated"
    MEMBERSHIP_SET = "membership.set"
    ROLE_GRANTED = "role.granted"
    ROLE_REVOKED = "role.revoked"
    ROLE_CHANGED = "role.changed"
    MANAGER_HANDED_OVER = "role.handed_over"
    DOCUMENT_CREATED = "document.created"
    DOCUMENT_VERSION_PUBLISHED = "document.version_published"
    AGREEMENT_SIGNED = "agreement.signed"
    FUNDING_RECORDED = "funding.recorded"
    FUNDING_CHANGED = "funding.changed"
    API_CLIENT_CREATED = "api_client.created"
    API_CLIENT_REVOKED = "api_client.revoked"
    # Referrals (referrals/).
    REFERRAL_RECEIVED = "referral.received"
    REFERRAL_VIEWED = "referral.viewed"
    REFERRAL_LISTED = "referral.listed"
    PERSON_SEARCH_LISTED = "person_search.listed"  # the people a person search answered, and their referrals
    SUBJECT_MATCH_CONFIRMED = "subject_match.confirmed"
    SUBJECT_MATCH_REJECTED = "subject_match.rejected"
    PERSON_LINKED = "person.linked"
    PERSON_LINK_UNDONE = "person.link_undone"
    HOUSEHOLD_RECEIVED = "household.received"
    THRESHOLDS_PUBLISHED = "thresholds.published"
    REFERRAL_SCREENED = "referral.screened"
    REFERRAL_RE_RATED = "referral.re_rated"
    REFERRAL_ASSIGNED = "referral.assigned"
    REFERRAL_CLOSED_NO_RESPONSE = "referral.closed_no_response"
    REFERRAL_AMENDED = "referral.amended"
    REFERRAL_ACKNOWLEDGED = "referral.acknowledged"  # the referrer was told the referral was received
    REFERRAL_OUTCOME_SENT = "referral.outcome_sent"  # the referrer was told the outcome
    TRIAGE_QUEUE_LISTED = "triage_queue.listed"
    DEADLINE_SET = "deadline.set"
    DEADLINE_WARNED = "deadline.warned"
    DEADLINE_BREACHED = "deadline.breached"
    DEADLINE_MET = "deadline.met"
    DEADLINE_CANCELLED = "deadline.cancelled"
    NOTIFICATION_LISTED = "notification.listed"
    REFERRAL_EVENTS_LISTED = "referral_events.listed"  # an agency's system read its change feed
    # Reads of the ledger itself.
    AUDIT_TRAIL_VIEWED = "audit_trail.viewed"
    AUDIT_TRAIL_EXPORTED = "audit_trail.exported"
    # Monthly returns and inspection lists (reports/).
    RETURN_REQUESTED = "return.requested"
    RETURN_GENERATED = "return.generated"
    RETURN_FAILED = "return.failed"
    RETURN_VIEWED = "return.viewed"
    RETURN_EXPORTED = "return.exported"
    RETURNS_LISTED = "returns.listed"
    RETURNS_COMPARISON_VIEWED = "returns_comparison.viewed"
    INSPECTION_LIST_EXPORTED = "inspection_list.exported"
    EVIDENCE_VIEWED = "evidence.viewed"  # the evidence on practice of a month (issue 20)
    # Information sharing and joint decisions (decisions/).
    INFORMATION_REQUESTED = "information.requested"
    INFORMATION_REQUEST_CANCELLED = "information_request.cancelled"
    INFORMATION_REQUEST_LISTED = "information_request.listed"
    INFORMATION_REQUEST_VIEWED = "information_request.viewed"
    CONTRIBUTION_ADDED = "contribution.added"
    CONTRIBUTION_RELEASED = "contribution.released"
    CONTRIBUTION_VIEWED = "contribution.viewed"
    CONSENT_RECORDED = "consent.recorded"
    SHARING_DECISION_RECORDED = "sharing_decision.recorded"
    SHARING_DECISION_OVERRIDDEN = "sharing_decision.overridden"
    CONSENT_VIEWED = "consent.viewed"
    DECISION_GATE_OVERRIDDEN = "decision.gate_overridden"
    DECISION_PROPOSED = "decision.proposed"
    DECISION_RETURNED = "decision.returned"
    DECISION_SIGNED_OFF = "decision.signed_off"
    DECISION_VIEWED = "decision.viewed"
    ADULT_VOICE_RECORDED = "adult_voice.recorded"
    SIGN_OFF_QUEUE_LISTED = "sign_off_queue.listed"
    ACTION_COMPLETED = "action.completed"
    NOTE_ADDED = "note.added"
    NOTE_CORRECTED = "note.corrected"
    ATTACHMENT_ADDED = "attachment.added"
    ATTACHMENT_REFUSED = "attachment.refused"
    ATTACHMENT_DOWNLOADED = "attachment.downloaded"
    ATTACHMENT_LISTED = "attachment.listed"  # an agency's system read the list of the files its agency gave
    DOCUMENT_DOWNLOADED = "document.downloaded"
    STRATEGY_DISCUSSION_RECORDED = "strategy_discussion.recorded"
    STRATEGY_DISCUSSION_REASON_GIVEN = "strategy_discussion.reason_given"
    STRATEGY_ACTION_COMPLETED = "strategy_action.completed"
    HANDOVER_SENT = "handover.sent"
    HANDOVER_ACKNOWLEDGED = "handover.acknowledged"
    HANDOVER_VIEWED = "handover.viewed"
    HANDOVER_LISTED = "handover.listed"
    CHRONOLOGY_VIEWED = "chronology.viewed"
    WEBHOOK_REGISTERED = "webhook.registered"
    WEBHOOK_DELIVERED = "webhook.delivered"
    WEBHOOK_FAILED = "webhook.failed"
    WEBHOOK_DISABLED = "webhook.disabled"
    WEBHOOK_DELETED = "webhook.deleted"
    WEBHOOK_SECRET_ROTATED = "webhook.secret_rotated"  # noqa: S105 - an action name, not a secret
    WEBHOOK_PINGED = "webhook.pinged"
    WEBHOOK_REDELIVERY_REQUESTED = "webhook.redelivery_requested"
    WEBHOOK_LISTED = "webhook.listed"
    WEBHOOK_VIEWED = "webhook.viewed"
    WEBHOOK_DELIVERY_LISTED = "webhook_delivery.listed"


LABELS: dict[AuditAction, str] = {
    # People signing in and out.
    AuditAction.USER_LOGGED_IN: _("Signed in"),
    AuditAction.USER_LOGGED_OUT: _("Signed out"),
    AuditAction.USER_LOGIN_FAILED: _("Failed to sign in"),
    AuditAction.USER_LOCKED_OUT: _("Locked out after repeated failed sign-ins"),
    AuditAction.USER_PASSWORD_RESET: _("Password reset through an emailed link"),
    AuditAction.USER_TWO_FACTOR_SET_UP: _("Authenticator app set up for two-factor sign-in"),
    AuditAction.USER_TWO_FACTOR_VERIFIED: _("Two-factor code accepted"),
    AuditAction.USER_TWO_FACTOR_FAILED: _("Wrong two-factor code"),
    # Hub configuration (agencies/).
    AuditAction.HUB_CREATED: _("Hub created"),
    AuditAction.HUB_UPDATED: _("Hub profile changed"),
    AuditAction.AGENCY_CREATED: _("Agency created"),
    AuditAction.AGENCY_UPDATED: _("Agency changed"),
    AuditAction.MEMBERSHIP_SET: _("Agency membership of a hub set"),
    AuditAction.ROLE_GRANTED: _("Role given"),
    AuditAction.ROLE_REVOKED: _("Role removed"),
    AuditAction.ROLE_CHANGED: _("Role's delegation period changed"),
    AuditAction.MANAGER_HANDED_OVER: _("Accountable manager's role handed to a successor"),
    AuditAction.DOCUMENT_CREATED: _("Core document created"),
    AuditAction.DOCUMENT_VERSION_PUBLISHED: _("Core document version published"),
    AuditAction.AGREEMENT_SIGNED: _("Core document signed by an agency"),
    AuditAction.FUNDING_RECORDED: _("Funding recorded"),
    AuditAction.FUNDING_CHANGED: _("Funding changed"),
    AuditAction.API_CLIENT_CREATED: _("API client issued"),
    AuditAction.API_CLIENT_REVOKED: _("API client revoked"),
    # Referrals (referrals/).
    AuditAction.REFERRAL_RECEIVED: _("Referral received"),
    AuditAction.REFERRAL_VIEWED: _("Referral viewed"),
    AuditAction.REFERRAL_LISTED: _("Referrals listed"),
    AuditAction.PERSON_SEARCH_LISTED: _("People searched (the people and referrals found)"),
    AuditAction.SUBJECT_MATCH_CONFIRMED: _("Subject matched to an earlier record"),
    AuditAction.SUBJECT_MATCH_REJECTED: _("Suggested earlier record rejected"),
    AuditAction.PERSON_LINKED: _("Records of people linked"),
    AuditAction.PERSON_LINK_UNDONE: _("Link between records of people undone"),
    AuditAction.HOUSEHOLD_RECEIVED: _("Household contact received"),
    AuditAction.THRESHOLDS_PUBLISHED: _("Thresholds published"),
    AuditAction.REFERRAL_SCREENED: _("Referral screened and rated"),
    AuditAction.REFERRAL_RE_RATED: _("Referral's rating changed by the manager"),
    AuditAction.REFERRAL_ASSIGNED: _("Referral assigned"),
    AuditAction.REFERRAL_CLOSED_NO_RESPONSE: _("Blue referral closed by the manager: no MASH response"),
    AuditAction.REFERRAL_AMENDED: _("Referral amended: a new version, with a reason"),
    AuditAction.REFERRAL_ACKNOWLEDGED: _("Referrer told the referral was received"),
    AuditAction.REFERRAL_OUTCOME_SENT: _("Referrer told the outcome"),
    AuditAction.TRIAGE_QUEUE_LISTED: _("Triage queue listed"),
    AuditAction.DEADLINE_SET: _("Deadline set"),
    AuditAction.DEADLINE_WARNED: _("Deadline warning"),
    AuditAction.DEADLINE_BREACHED: _("Deadline breached"),
    AuditAction.DEADLINE_MET: _("Deadline met"),
    AuditAction.DEADLINE_CANCELLED: _("Deadline cancelled"),
    AuditAction.NOTIFICATION_LISTED: _("Notifications listed"),
    AuditAction.REFERRAL_EVENTS_LISTED: _("Agency's change feed read (its referrals' and requests' events)"),
    # Reads of the ledger itself.
    AuditAction.AUDIT_TRAIL_VIEWED: _("Audit trail viewed"),
    AuditAction.AUDIT_TRAIL_EXPORTED: _("Audit trail exported"),
    # Monthly returns and inspection lists (reports/).
    AuditAction.RETURN_REQUESTED: _("Monthly return requested"),
    AuditAction.RETURN_GENERATED: _("Monthly return generated"),
    AuditAction.RETURN_FAILED: _("Monthly return could not be generated"),
    AuditAction.RETURN_VIEWED: _("Monthly return viewed"),
    AuditAction.RETURN_EXPORTED: _("Monthly return downloaded"),
    AuditAction.RETURNS_LISTED: _("Monthly returns listed"),
    AuditAction.RETURNS_COMPARISON_VIEWED: _("Hubs' returns compared side by side"),
    AuditAction.INSPECTION_LIST_EXPORTED: _("Ofsted inspection list downloaded"),
    AuditAction.EVIDENCE_VIEWED: _("Evidence on practice viewed"),
    # Information sharing and joint decisions (decisions/).
    AuditAction.INFORMATION_REQUESTED: _("Agency asked for its information"),
    AuditAction.INFORMATION_REQUEST_CANCELLED: _("Request for information cancelled"),
    AuditAction.INFORMATION_REQUEST_LISTED: _("Requests for information listed"),
    AuditAction.INFORMATION_REQUEST_VIEWED: _("Request for information viewed"),
    AuditAction.CONTRIBUTION_ADDED: _("Agency's information contributed"),
    AuditAction.CONTRIBUTION_RELEASED: _("Restricted information released with the agency's consent"),
    AuditAction.CONTRIBUTION_VIEWED: _("Agencies' information viewed"),
    AuditAction.CONSENT_RECORDED: _("Consent to the referral recorded (told, agreed, or why not)"),
    AuditAction.SHARING_DECISION_RECORDED: _("Decision to share without consent, or not to share, recorded"),
    AuditAction.SHARING_DECISION_OVERRIDDEN: _("Sharing decision overridden by the manager"),
    AuditAction.CONSENT_VIEWED: _("Consent and sharing decisions viewed"),
    AuditAction.DECISION_GATE_OVERRIDDEN: _("Decision allowed before every core agency answered"),
    AuditAction.DECISION_PROPOSED: _("Joint decision proposed"),
    AuditAction.DECISION_RETURNED: _("Decision returned for revision"),
    AuditAction.DECISION_SIGNED_OFF: _("Decision signed off"),
    AuditAction.DECISION_VIEWED: _("Decision viewed"),
    AuditAction.ADULT_VOICE_RECORDED: _("Adult's wishes, mental capacity and advocacy recorded"),
    AuditAction.SIGN_OFF_QUEUE_LISTED: _("Sign-off queue listed"),
    AuditAction.ACTION_COMPLETED: _("Agreed action completed"),
    AuditAction.NOTE_ADDED: _("Case note added"),
    AuditAction.NOTE_CORRECTED: _("Case note corrected by a new note"),
    AuditAction.ATTACHMENT_ADDED: _("File attached, scanned clean"),
    AuditAction.ATTACHMENT_REFUSED: _("File refused (too large, a type not allowed, a virus, or no scanner)"),
    AuditAction.ATTACHMENT_DOWNLOADED: _("Attached file downloaded"),
    AuditAction.ATTACHMENT_LISTED: _("Attached files listed"),
    AuditAction.DOCUMENT_DOWNLOADED: _("Core document's file downloaded"),
    AuditAction.STRATEGY_DISCUSSION_RECORDED: _("Strategy discussion recorded"),
    AuditAction.STRATEGY_DISCUSSION_REASON_GIVEN: _(
        "Manager's reason for a strategy discussion without a required agency"
    ),
    AuditAction.STRATEGY_ACTION_COMPLETED: _("Strategy discussion's action completed"),
    AuditAction.HANDOVER_SENT: _("Case handed to the service that works it"),
    AuditAction.HANDOVER_ACKNOWLEDGED: _("Handover acknowledged by the receiving service"),
    AuditAction.HANDOVER_VIEWED: _("Handover package viewed"),
    AuditAction.HANDOVER_LISTED: _("Handovers listed"),
    AuditAction.CHRONOLOGY_VIEWED: _("Chronology viewed"),
    AuditAction.WEBHOOK_REGISTERED: _("Webhook registered"),
    AuditAction.WEBHOOK_DELIVERED: _("Webhook notice delivered"),
    AuditAction.WEBHOOK_FAILED: _("Webhook notice given up after retries"),
    AuditAction.WEBHOOK_DISABLED: _("Webhook disabled"),
    AuditAction.WEBHOOK_DELETED: _("Webhook deleted"),
    AuditAction.WEBHOOK_SECRET_ROTATED: _("Webhook secret rotated"),
    AuditAction.WEBHOOK_PINGED: _("Webhook pinged"),
    AuditAction.WEBHOOK_REDELIVERY_REQUESTED: _("Webhook notice sent again on request"),
    AuditAction.WEBHOOK_LISTED: _("Webhooks listed"),
    AuditAction.WEBHOOK_VIEWED: _("Webhook viewed"),
    AuditAction.WEBHOOK_DELIVERY_LISTED: _("Webhook notices listed"),
}

READ_SUFFIXES = (".viewed", ".listed", ".exported")
# A stored action's member by a dict lookup: a return reads a month's 150,000 events, and `AuditAction(value)` costs
# twenty times as much per event (bench/README.md, returns).
BY_VALUE: dict[str, AuditAction] = {member.value: member for member in AuditAction}


def is_registered(action: str) -> bool:
    return action in BY_VALUE


def is_read(action: str) -> bool:
    """Whether the action records that someone was shown something (`*.viewed`, `*.listed`, `*.exported`)."""
    return action.endswith(READ_SUFFIXES)


def label_of(action: str) -> str:
    """The words for people; an action no longer registered (an old row) shows as itself."""
    return LABELS.get(action, action)  # a StrEnum member hashes and compares as its value
