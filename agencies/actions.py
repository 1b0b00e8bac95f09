"""Every action of the service, by name: the policy table (agencies/policy.py) gives each one its rule, and an
action without a rule raises there. Kept in a module of its own so the table stays within its size; import it from
`agencies.policy` as before."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Action(models.TextChoices):
    # The hub and its configuration.
    HUB_VIEW = "hub.view", _("See the hub's profile, agencies, agreements, funding, people and thresholds")
    HUB_CONFIGURE = "hub.configure", _("Change the hub's profile, member agencies, agreements and funding")
    THRESHOLDS_PUBLISH = "thresholds.publish", _("Publish a new version of the hub's thresholds")
    ROLES_MANAGE = "roles.manage", _("Give, change or remove a person's role in the hub")
    API_CLIENTS_MANAGE = "api_clients.manage", _("Issue or revoke an agency's API credentials")
    # Referrals and triage.
    REFERRAL_LIST = "referral.list", _("List, search and queue the hub's referrals")
    REFERRAL_VIEW = "referral.view", _("See a whole referral")
    REFERRAL_CREATE = "referral.create", _("Record a referral, or send one from an agency's system")
    REFERRAL_SCREEN = "referral.screen", _("Screen and rate a referral")
    REFERRAL_AMEND = "referral.amend", _("Amend a recorded referral: a new version, with a reason")
    REFERRAL_RE_RATE = "referral.re_rate", _("Change a referral's rating, with a reason")
    REFERRAL_CLAIM = "referral.claim", _("Claim a referral to work on")
    REFERRAL_ASSIGN = "referral.assign", _("Assign a referral to someone else")
    REFERRAL_CLOSE = "referral.close", _("Close a Blue referral: no MASH response")
    MATCH_DECIDE = "subject_match.decide", _("Say whether an earlier record is the same person")
    CHRONOLOGY_VIEW = "chronology.view", _("See the subject's chronology")
    REFERRAL_STATUS_VIEW = "referral.view_status", _("See the status, rating and outcome of the agency's own referrals")
    DASHBOARD_VIEW = "dashboard.view", _("See the manager's dashboard")
    PERSON_SEARCH = "person.search", _("Search the hub's people, by any name, date of birth, age, postcode or address")
    # Information sharing and the joint decision.
    INFORMATION_REQUEST = "information.request", _("Ask agencies for their information")
    REQUEST_LIST = "information_request.list", _("List the hub's requests to the agency")
    REQUEST_VIEW = "information_request.view", _("See a request to the agency and the people to check")
    CONTRIBUTE = "contribution.add", _("Answer a request with the agency's information")
    CONTRIBUTION_VIEW = "contribution.view", _("See an agency's contribution")
    CONTRIBUTION_RELEASE = "contribution.release", _("Release restricted information with the agency's consent")
    CONSENT_RECORD = (
        "consent.record",
        _("Record whether the family or the adult was told and agreed, and decisions to share without consent or not"),
    )
    SHARING_OVERRIDE = "sharing_decision.override", _("Override a decision to share without consent, or not to share")
    GATE_OVERRIDE = "decision.override_gate", _("Let a decision be proposed before every core agency answered")
    DECISION_PROPOSE = "decision.propose", _("Propose, revise or amend the joint decision")
    ADULT_VOICE_RECORD = "adult_voice.record", _("Record an adult's wishes, mental capacity and advocacy")
    STRATEGY_RECORD = "strategy_discussion.record", _("Record a strategy discussion on a referral")
    STRATEGY_REASON = "strategy_discussion.give_reason", _("Say why a strategy discussion lacked a required agency")
    DECISION_REVIEW = "decision.review", _("Sign off or return a proposed decision")
    SIGN_OFF_QUEUE_VIEW = "sign_off_queue.view", _("See the decisions awaiting sign-off")
    NOTE_ADD = "note.add", _("Add a case note (a phone call, a visit, research) to a referral or a household")
    NOTE_OVERSIGHT = "note.add_oversight", _("Add a management oversight note to a referral or a household")
    NOTE_VIEW = "note.view", _("See the case notes on a referral or a household")
    NOTE_CORRECT = "note.correct", _("Correct a case note with a new note (the original is kept)")
    ATTACHMENT_ADD = "attachment.add", _("Attach a document or an image to a referral")
    ATTACHMENT_VIEW = "attachment.view", _("Download a file attached to a referral, a contribution or a case note")
    CONTRIBUTION_ATTACH = "contribution.attach", _("Attach files to the agency's own contribution, and read them back")
    DOCUMENT_VIEW = "document.view", _("Download the file of a version of one of the hub's core documents")
    ACTION_LIST = "action.list", _("List the actions agreed for the agency")
    ACTION_COMPLETE = "action.complete", _("Mark an agreed action done")
    STRATEGY_ACTION_LIST = "strategy_action.list", _("List the actions strategy discussions agreed for the agency")
    STRATEGY_ACTION_COMPLETE = "strategy_action.complete", _("Mark an action agreed in a strategy discussion done")
    WEBHOOK_REGISTER = "webhook.register", _("Register where the agency's system hears of outcomes")
    WEBHOOK_MANAGE = "webhook.manage", _("List, see, test, rotate, redeliver and delete the agency's own webhooks")
    OUTCOME_NOTICE = "outcome.notify", _("Be sent the outcome of a referral the agency made")
    HANDOVER_RECEIVE = "handover.receive", _("Be sent the handover of a case the hub passed to the agency to work")
    HANDOVER_ACKNOWLEDGE = "handover.acknowledge", _("See and acknowledge the cases handed to the agency")
    EVENTS_VIEW = (
        "events.view",
        _("Read the agency's own events: its referrals received, rated, decided, amended, requests"),
    )
    # Reports.
    AUDIT_TRAIL_VIEW = "audit_trail.view", _("See and export the hub's audit trail")
    INSPECTION_LISTS = "inspection_lists.export", _("Download Ofsted's inspection lists")
    RETURNS_VIEW = "returns.view", _("See, download and compare the hub's monthly returns")
    RETURN_REQUEST = "return.request", _("Ask for a monthly return to be built")
    RETURNS_VIEW_EXACT = (
        "returns.view_exact",
        _("See a monthly return's exact figures (others see small numbers suppressed)"),
    )
