"""The payload each audit action carries: one `TypedDict` per shape, and `PAYLOADS`, the action -> shape table.

A payload holds facts (ids, codes, ratings, outcomes, ISO timestamps as text), never free text. `record()` refuses a
payload whose keys are not exactly the declared ones (every required key, no undeclared key), so `reports/` can read
the keys it counts on. Rows already written keep the shape they had; a shape only ever gains optional keys.
"""

from typing import NotRequired, TypedDict

from audit.events.actions import AuditAction, is_read
from audit.events.attachment_payloads import AttachmentFacts, AttachmentRefused
from audit.events.practice_payloads import (  # noqa: F401 - named here as before
    AdultVoiceRecorded,
    ConsentRecorded,
    HandoverFacts,
    NoteAdded,
    NoteCorrected,
    SharingDecided,
    SharingOverridden,
    StrategyActionCompleted,
    StrategyDiscussionRecorded,
    StrategyReasonGiven,
)
from audit.events.referrer import ReferrerTold  # the shapes of issue 19's acknowledgement: this file is full

Id = str  # a primary key as text
When = str  # a date or a time zone aware datetime, ISO 8601


class NoFacts(TypedDict):
    """The action and its object say it all."""


# People signing in and out ---------------------------------------------------------------------------------------------


class SignInRefused(TypedDict):
    username: str  # as typed, at most 150 characters


# Hub configuration (agencies/) -----------------------------------------------------------------------------------------


class HubProfile(TypedDict):
    """Every editable field of a hub, as created (`agencies.services.HUB_EDITABLE_FIELDS`)."""

    name: str
    area: str
    cohorts: str
    working_day_starts: When | None
    working_day_ends: When | None
    working_days: list[int]
    immediate_risk_hours: NotRequired[int]  # since issue 16
    red_hours: int
    red_counting: str
    amber_hours: int
    amber_counting: str
    green_hours: int
    green_counting: str
    red_partner_hours: int
    amber_partner_hours: int
    green_partner_hours: int
    decision_working_days: int
    warn_at_percent: int
    late_referral_days: NotRequired[int]  # since issue 17
    strategy_discussion_hours: NotRequired[int]  # since issue 19
    handover_ack_hours: NotRequired[int]  # since issue 19
    language: NotRequired[str]  # since issue 22: the language of its emails and returns
    procedures: NotRequired[str]  # since issue 22: "england" or "wales"


# The fields that changed, each with its new value: any of the hub's editable fields.
HubChanges = TypedDict("HubChanges", HubProfile.__annotations__, total=False)  # noqa: UP013 - same keys, all optional


class AgencyCreated(TypedDict):
    kind: str
    source_codes: list[str]


class AgencyChanges(TypedDict, total=False):
    """The fields that changed, each with its new value."""

    name: str
    kind: str
    source_codes: list[str]


class MembershipSet(TypedDict):
    agency_id: Id
    kind: str
    previous_kind: str | None


class RoleFacts(TypedDict):
    user_id: Id
    role: str
    agency_id: Id | None
    delegation_starts: When | None
    delegation_ends: When | None
    granted_by: Id | None


class ManagerHandedOver(TypedDict):
    from_user_id: Id
    to_user_id: Id
    reason: str
    deputy_role_ended: bool  # the successor was the deputy, and is no longer


class DocumentCreated(TypedDict):
    kind: str


class DocumentVersionPublished(TypedDict):
    document_id: Id
    kind: str
    number: int
    effective_from: When
    review_due: When
    has_file: bool


class AgreementSigned(TypedDict):
    agency_id: Id
    document_id: Id
    kind: str
    version: int
    signed_on: When


class Funding(TypedDict):
    agency_id: Id
    financial_year: int
    amount_gbp: str  # exact decimal text
    staff_fte: str
    working_pattern: str


class ApiClientCreated(TypedDict):
    agency_id: Id
    scopes: list[str]


class ApiClientRevoked(TypedDict):
    agency_id: Id


# Referrals (referrals/) ------------------------------------------------------------------------------------------------


class ReferralReceived(TypedDict):
    reference: str
    cohort: str
    channel: str
    source_code: str
    referring_agency_id: Id | None
    concerns: list[str]
    adult_risk_location: str
    adult_risk_source: str
    immediate_risk: bool
    consent: str
    others: int  # how many other people the referral names
    received_at: When


class ReferralAmended(TypedDict):
    reference: str
    version: int  # the new version's number (the referral as recorded is version 1)
    changed: list[str]  # the dataset's fields that changed, as dotted names (others: the other people)
    others: int  # how many other people the new version names
    reason: str


class MatchRejected(TypedDict):
    candidate_referral_id: Id
    reasons: list[str]


class MatchConfirmed(MatchRejected):
    re_referral: bool
    days_since_earlier: int
    link_id: NotRequired[Id]  # since issue 18: the same-person link made by the answer (a return skips it once undone)


class PersonLinked(TypedDict):
    link_id: Id
    kind: str  # referrals.LinkKind: same_person, sibling, parent_carer, household, not_related
    other_referral_id: Id  # the referral of the other record (the event's object is the first record's referral)
    reason: str


class PersonLinkUndone(PersonLinked):
    undo_reason: str


class HouseholdReceived(TypedDict):
    reference: str
    referral_ids: list[Id]  # one per child, in the order given
    adults: int  # adults and regular visitors named once for the household


class ThresholdsPublished(TypedDict):
    cohort: str
    number: int
    levels: list[str]


class Screened(TypedDict):
    screening_id: Id
    threshold_version: int
    level: str
    criteria: list[str]
    rating: str
    immediate_risk: NotRequired[bool]  # since issue 16: what the screening found
    contradictions_confirmed: NotRequired[bool]  # the acting manager confirmed a screening that looked contradictory
    concern_lowered: NotRequired[bool]  # the acting manager lowered the rating or level, or cleared immediate risk


class ReRated(Screened):
    previous_rating: str
    previous_level: NotRequired[str]  # since issue 16: the manager may change the level with the rating


class Assigned(TypedDict):
    to: Id
    previous: Id | None
    claimed: bool  # assigned to themselves


class ClosedNoResponse(TypedDict):
    decided_at: When


class DeadlineFacts(TypedDict):
    deadline_id: Id
    kind: str  # DeadlineKind: rating, decision, request, action
    rating: str
    due_at: When


class DeadlineCancelled(DeadlineFacts):
    reason: str  # a code, such as "re_rated"


class Shown(TypedDict):
    """A read (`*.viewed`, `*.listed`, `*.exported`): the ids shown, and what narrowed them."""

    ids: list[str]
    count: int
    page: NotRequired[int]
    view: NotRequired[str]
    month: NotRequired[str]  # YYYY-MM
    format: NotRequired[str]
    list: NotRequired[int]  # the Ofsted inspection list's number
    since: NotRequired[When]
    until: NotRequired[When]
    referral_ids: NotRequired[list[str]]
    searched_by: NotRequired[list[str]]  # the fields a search was asked by ("name", "postcode"), never what was typed


# Monthly returns (reports/) --------------------------------------------------------------------------------------------


class ReturnRequested(TypedDict):
    month: str  # YYYY-MM
    scheduled: bool


class ReturnGenerated(TypedDict):
    month: str
    block: int
    block_hash: str
    figures_digest: str


class ReturnFailed(TypedDict):
    month: str
    reason: str  # a code, never the error's text


# Information sharing and joint decisions (decisions/) ------------------------------------------------------------------


class InformationRequested(TypedDict):
    referral_id: Id
    agency_id: Id
    core: bool
    due_at: When


class RequestCancelled(TypedDict):
    referral_id: Id
    agency_id: Id
    reason: str


class ContributionAdded(TypedDict):
    referral_id: Id
    agency_id: Id
    known: bool
    risk_indicators: list[str]
    lawful_basis: str
    disclosure: str
    requested_at: When
    due_at: When
    on_time: bool


class ContributionReleased(TypedDict):
    referral_id: Id
    agency_id: Id


class GateOverridden(TypedDict):
    missing_agency_ids: list[Id]


class DecisionProposed(TypedDict):
    referral_id: Id
    version: int
    outcome: str
    threshold_level: str
    participant_ids: list[Id]
    actions: int
    amendment: bool
    gate_overridden: bool
    outcomes_met: NotRequired[str]  # an adult's desired outcomes: fully, partly or not (when they were expressed)


class DecisionReturned(TypedDict):
    referral_id: Id
    version: int


class DecisionSignedOff(TypedDict):
    referral_id: Id
    version: int
    outcome: str
    threshold_level: str
    proposed_at: When
    received_at: When
    rating: str
    rationale_recorded: bool
    actions: int
    amendment: bool
    # An adult's referral with the adult's voice recorded (Making Safeguarding Personal, for the SAC return):
    adult_asked: NotRequired[bool]  # asked what they want to happen
    outcomes_expressed: NotRequired[bool]  # and said it
    outcomes_met: NotRequired[str]  # fully, partly or not (when expressed)


class ActionCompleted(TypedDict):
    referral_id: Id
    owner_id: Id
    on_time: bool


class WebhookAttempt(TypedDict):
    decision_id: Id  # "" for a notice not about one decision (a receipt, a handover)
    attempts: int
    referral_id: Id
    event: str  # the notice's type: referral.decided, …


class WebhookDisabledFacts(TypedDict):
    reason: str  # decisions.models.WebhookDisabled


class WebhookPinged(TypedDict):
    delivered: bool
    error: str


class WebhookRedelivery(TypedDict):
    delivery_id: Id
    decision_id: Id  # "" for a notice not about one decision


A = AuditAction
PAYLOADS: dict[AuditAction, type] = {
    A.USER_LOGGED_IN: NoFacts,
    A.USER_LOGGED_OUT: NoFacts,
    A.USER_LOGIN_FAILED: SignInRefused,
    A.USER_LOCKED_OUT: SignInRefused,
    A.USER_PASSWORD_RESET: NoFacts,
    A.USER_TWO_FACTOR_SET_UP: NoFacts,
    A.USER_TWO_FACTOR_VERIFIED: NoFacts,
    A.USER_TWO_FACTOR_FAILED: NoFacts,
    A.HUB_CREATED: HubProfile,
    A.HUB_UPDATED: HubChanges,
    A.AGENCY_CREATED: AgencyCreated,
    A.AGENCY_UPDATED: AgencyChanges,
    A.MEMBERSHIP_SET: MembershipSet,
    A.ROLE_GRANTED: RoleFacts,
    A.ROLE_REVOKED: RoleFacts,
    A.ROLE_CHANGED: RoleFacts,
    A.MANAGER_HANDED_OVER: ManagerHandedOver,
    A.DOCUMENT_CREATED: DocumentCreated,
    A.DOCUMENT_VERSION_PUBLISHED: DocumentVersionPublished,
    A.AGREEMENT_SIGNED: AgreementSigned,
    A.FUNDING_RECORDED: Funding,
    A.FUNDING_CHANGED: Funding,
    A.API_CLIENT_CREATED: ApiClientCreated,
    A.API_CLIENT_REVOKED: ApiClientRevoked,
    A.REFERRAL_RECEIVED: ReferralReceived,
    A.REFERRAL_ACKNOWLEDGED: ReferrerTold,
    A.REFERRAL_OUTCOME_SENT: ReferrerTold,
    A.SUBJECT_MATCH_CONFIRMED: MatchConfirmed,
    A.SUBJECT_MATCH_REJECTED: MatchRejected,
    A.PERSON_LINKED: PersonLinked,
    A.PERSON_LINK_UNDONE: PersonLinkUndone,
    A.HOUSEHOLD_RECEIVED: HouseholdReceived,
    A.THRESHOLDS_PUBLISHED: ThresholdsPublished,
    A.REFERRAL_SCREENED: Screened,
    A.REFERRAL_RE_RATED: ReRated,
    A.REFERRAL_ASSIGNED: Assigned,
    A.REFERRAL_CLOSED_NO_RESPONSE: ClosedNoResponse,
    A.REFERRAL_AMENDED: ReferralAmended,
    A.DEADLINE_SET: DeadlineFacts,
    A.DEADLINE_WARNED: DeadlineFacts,
    A.DEADLINE_BREACHED: DeadlineFacts,
    A.DEADLINE_MET: DeadlineFacts,
    A.DEADLINE_CANCELLED: DeadlineCancelled,
    A.RETURN_REQUESTED: ReturnRequested,
    A.RETURN_GENERATED: ReturnGenerated,
    A.RETURN_FAILED: ReturnFailed,
    A.INFORMATION_REQUESTED: InformationRequested,
    A.INFORMATION_REQUEST_CANCELLED: RequestCancelled,
    A.CONTRIBUTION_ADDED: ContributionAdded,
    A.CONTRIBUTION_RELEASED: ContributionReleased,
    A.CONSENT_RECORDED: ConsentRecorded,
    A.SHARING_DECISION_RECORDED: SharingDecided,
    A.SHARING_DECISION_OVERRIDDEN: SharingOverridden,
    A.DECISION_GATE_OVERRIDDEN: GateOverridden,
    A.DECISION_PROPOSED: DecisionProposed,
    A.DECISION_RETURNED: DecisionReturned,
    A.DECISION_SIGNED_OFF: DecisionSignedOff,
    A.ACTION_COMPLETED: ActionCompleted,
    A.NOTE_ADDED: NoteAdded,
    A.NOTE_CORRECTED: NoteCorrected,
    A.ATTACHMENT_ADDED: AttachmentFacts,
    A.ATTACHMENT_REFUSED: AttachmentRefused,
    A.ATTACHMENT_DOWNLOADED: AttachmentFacts,
    A.DOCUMENT_DOWNLOADED: AttachmentFacts,
    A.ADULT_VOICE_RECORDED: AdultVoiceRecorded,
    A.STRATEGY_DISCUSSION_RECORDED: StrategyDiscussionRecorded,
    A.STRATEGY_DISCUSSION_REASON_GIVEN: StrategyReasonGiven,
    A.STRATEGY_ACTION_COMPLETED: StrategyActionCompleted,
    A.HANDOVER_SENT: HandoverFacts,
    A.HANDOVER_ACKNOWLEDGED: HandoverFacts,
    A.WEBHOOK_REGISTERED: NoFacts,
    A.WEBHOOK_DELIVERED: WebhookAttempt,
    A.WEBHOOK_FAILED: WebhookAttempt,
    A.WEBHOOK_DISABLED: WebhookDisabledFacts,
    A.WEBHOOK_DELETED: NoFacts,
    A.WEBHOOK_SECRET_ROTATED: NoFacts,
    A.WEBHOOK_PINGED: WebhookPinged,
    A.WEBHOOK_REDELIVERY_REQUESTED: WebhookRedelivery,
}
# Every read carries the same shape.
PAYLOADS |= {action: Shown for action in AuditAction if is_read(action)}
del A
