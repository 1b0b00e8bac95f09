"""Every action of the service, by name: the policy table (agencies/policy.py) gives each one its rule, and an
action without a rule raises there. Kept in a module of its own so the table stays within its size; import it from
`agencies.policy` as before."""

from django.db import models


class Action(models.TextChoices):
    # The hub and its configuration.
    HUB_VIEW = "hub.view", "See the hub's profile, agencies, agreements, funding, people and thresholds"
    HUB_CONFIGURE = "hub.configure", "Change the hub's profile, member agencies, agreements and funding"
    THRESHOLDS_PUBLISH = "thresholds.publish", "Publish a new version of the hub's thresholds"
    ROLES_MANAGE = "roles.manage", "Give, change or remove a person's role in the hub"
    API_CLIENTS_MANAGE = "api_clients.manage", "Issue or revoke an agency's API credentials"
    # Referrals and triage.
    REFERRAL_LIST = "referral.list", "List, search and queue the hub's referrals"
    REFERRAL_VIEW = "referral.view", "See a whole referral"
    REFERRAL_CREATE = "referral.create", "Record a referral, or send one from an agency's system"
    REFERRAL_SCREEN = "referral.screen", "Screen and rate a referral"
    REFERRAL_AMEND = "referral.amend", "Amend a recorded referral: a new version, with a reason"
    REFERRAL_RE_RATE = "referral.re_rate", "Change a referral's rating, with a reason"
    REFERRAL_CLAIM = "referral.claim", "Claim a referral to work on"
    REFERRAL_ASSIGN = "referral.assign", "Assign a referral to someone else"
    REFERRAL_CLOSE = "referral.close", "Close a Blue referral: no MASH response"
    MATCH_DECIDE = "subject_match.decide", "Say whether an earlier record is the same person"
    CHRONOLOGY_VIEW = "chronology.view", "See the subject's chronology"
    REFERRAL_STATUS_VIEW = "referral.view_status", "See the status, rating and outcome of the agency's own referrals"
    DASHBOARD_VIEW = "dashboard.view", "See the manager's dashboard"
    PERSON_SEARCH = "person.search", "Search the hub's people, by any name, date of birth, age, postcode or address"
    # Information sharing and the joint decision.
    INFORMATION_REQUEST = "information.request", "Ask agencies for their information"
    REQUEST_LIST = "information_request.list", "List the hub's requests to the agency"
    REQUEST_VIEW = "information_request.view", "See a request to the agency and the people to check"
    CONTRIBUTE = "contribution.add", "Answer a request with the agency's information"
    CONTRIBUTION_VIEW = "contribution.view", "See an agency's contribution"
    CONTRIBUTION_RELEASE = "contribution.release", "Release restricted information with the agency's consent"
    CONSENT_RECORD = (
        "consent.record",
        "Record whether the family or the adult was told and agreed, and decisions to share without consent or not",
    )
    SHARING_OVERRIDE = "sharing_decision.override", "Override a decision to share without consent, or not to share"
    GATE_OVERRIDE = "decision.override_gate", "Let a decision be proposed before every core agency answered"
    DECISION_PROPOSE = "decision.propose", "Propose, revise or amend the joint decision"
    ADULT_VOICE_RECORD = "adult_voice.record", "Record an adult's wishes, mental capacity and advocacy"
    STRATEGY_RECORD = "strategy_discussion.record", "Record a strategy discussion on a referral"
    STRATEGY_REASON = "strategy_discussion.give_reason", "Say why a strategy discussion lacked a required agency"
    DECISION_REVIEW = "decision.review", "Sign off or return a proposed decision"
    SIGN_OFF_QUEUE_VIEW = "sign_off_queue.view", "See the decisions awaiting sign-off"
    NOTE_ADD = "note.add", "Add a case note (a phone call, a visit, research) to a referral or a household"
    NOTE_OVERSIGHT = "note.add_oversight", "Add a management oversight note to a referral or a household"
    NOTE_VIEW = "note.view", "See the case notes on a referral or a household"
    NOTE_CORRECT = "note.correct", "Correct a case note with a new note (the original is kept)"
    ATTACHMENT_ADD = "attachment.add", "Attach a document or an image to a referral"
    ATTACHMENT_VIEW = "attachment.view", "Download a file attached to a referral, a contribution or a case note"
    CONTRIBUTION_ATTACH = "contribution.attach", "Attach files to the agency's own contribution, and read them back"
    DOCUMENT_VIEW = "document.view", "Download the file of a version of one of the hub's core documents"
    ACTION_LIST = "action.list", "List the actions agreed for the agency"
    ACTION_COMPLETE = "action.complete", "Mark an agreed action done"
    STRATEGY_ACTION_LIST = "strategy_action.list", "List the actions strategy discussions agreed for the agency"
    STRATEGY_ACTION_COMPLETE = "strategy_action.complete", "Mark an action agreed in a strategy discussion done"
    WEBHOOK_REGISTER = "webhook.register", "Register where the agency's system hears of outcomes"
    WEBHOOK_MANAGE = "webhook.manage", "List, see, test, rotate, redeliver and delete the agency's own webhooks"
    OUTCOME_NOTICE = "outcome.notify", "Be sent the outcome of a referral the agency made"
    HANDOVER_RECEIVE = "handover.receive", "Be sent the handover of a case the hub passed to the agency to work"
    HANDOVER_ACKNOWLEDGE = "handover.acknowledge", "See and acknowledge the cases handed to the agency"
    EVENTS_VIEW = (
        "events.view",
        "Read the agency's own events: its referrals received, rated, decided, amended, requests",
    )
    # Reports.
    AUDIT_TRAIL_VIEW = "audit_trail.view", "See and export the hub's audit trail"
    INSPECTION_LISTS = "inspection_lists.export", "Download Ofsted's inspection lists"
    RETURNS_VIEW = "returns.view", "See, download and compare the hub's monthly returns"
    RETURN_REQUEST = "return.request", "Ask for a monthly return to be built"
    RETURNS_VIEW_EXACT = (
        "returns.view_exact",
        "See a monthly return's exact figures (others see small numbers suppressed)",
    )
