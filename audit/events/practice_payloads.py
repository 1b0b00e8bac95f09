"""The payloads of the hub's practice events (issue 19: consent and sharing decisions, strategy discussions, the
adult's voice, case notes, handovers), kept apart from audit/events/payloads.py for its size; the registry there
(PAYLOADS) imports them and names them as before."""

from typing import NotRequired, TypedDict

Id = str  # a primary key as text
When = str  # a date or a time zone aware datetime, ISO 8601


class ConsentRecorded(TypedDict):
    referral_id: Id
    told: bool
    agreed: bool
    reason: str  # a NotAgreedReason code, "" when they agreed


class SharingDecided(TypedDict):
    referral_id: Id
    kind: str  # a SharingKind code
    lawful_basis: str  # a LawfulBasis code, "" for a decision not to share


class SharingOverridden(TypedDict):
    referral_id: Id
    kind: str


class StrategyDiscussionRecorded(TypedDict):
    referral_id: Id
    held_at: str
    mode: str
    decision: str
    agency_ids: list[Id]  # the agencies that took part
    missing_kinds: list[str]  # the required agency kinds that did not
    s47_started_on: str | None
    shared_contribution_ids: list[Id]
    action_count: int
    # For the returns (reports/figures.py `_strategy`), since issue 19's second part:
    cohort: NotRequired[str]  # child or adult
    agency_kinds: NotRequired[list[str]]  # the kinds of the agencies that took part
    received_at: NotRequired[When]  # the referral's receipt: time from referral to discussion
    red_at: NotRequired[When | None]  # when the referral was first rated Red (None if never)
    due_hours: NotRequired[int]  # the hub's strategy_discussion_hours when it was recorded


class StrategyActionCompleted(TypedDict):
    referral_id: Id
    discussion_id: Id
    owner_id: Id  # the agency that owns the action
    on_time: bool  # done by the end of its due day


class StrategyReasonGiven(TypedDict):
    referral_id: Id
    missing_kinds: list[str]


class AdultVoiceRecorded(TypedDict):
    referral_id: Id
    asked: bool
    outcomes_expressed: bool
    capacity: str  # assumed, has, lacks
    advocacy_needed: bool
    advocacy_offered: bool
    advocacy_provided: bool


class NoteAdded(TypedDict):
    referral_id: Id | None  # the note is on a referral or on a household, never both
    household_id: Id | None
    kind: str  # decisions.models.notes.NoteKind
    occurred_at: When


class NoteCorrected(NoteAdded):
    corrects_id: Id  # the note it corrects, kept as it was


class HandoverFacts(TypedDict):
    referral_id: Id
    decision_id: Id
    agency_id: Id
