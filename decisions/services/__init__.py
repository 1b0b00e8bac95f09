"""Every write of the multi-agency part, one module per aggregate: requests for information (requests.py),
contributions and their release (contributions.py), the joint decision (decisions.py), agreed actions
(actions.py), strategy discussions (strategy.py), consent and sharing decisions (sharing.py) and case notes
(notes.py). Web pages, the API and tasks call these.

Each is one transaction with its audit events; bad input raises ValidationError with the field's name and changes
nothing. Who may act is checked here, not only in the views.
"""

from decisions.services.actions import action_complete
from decisions.services.adult_voice import adult_voice_record
from decisions.services.attachments import (
    attachment_add,
    attachment_check,
    attachment_download,
    attachment_store,
    upload_check,
)
from decisions.services.common import childrens_services_by_default, core_agencies, core_agencies_for
from decisions.services.contributions import contribution_add, contribution_release, household_contribution_add
from decisions.services.decisions import (
    decision_propose,
    decision_return,
    decision_sign_off,
    gate_override,
    missing_core_agencies,
    outcomes_expressed,
)
from decisions.services.notes import note_add, note_clean, note_correct
from decisions.services.requests import household_information_request, information_request
from decisions.services.sharing import consent_record, sharing_decision_override, sharing_decision_record
from decisions.services.strategy import (
    household_strategy_record,
    strategy_action_complete,
    strategy_discussion_record,
    strategy_reason_give,
)

__all__ = [
    "attachment_add",
    "attachment_check",
    "attachment_download",
    "attachment_store",
    "upload_check",
    "action_complete",
    "consent_record",
    "adult_voice_record",
    "childrens_services_by_default",
    "contribution_add",
    "contribution_release",
    "core_agencies",
    "core_agencies_for",
    "decision_propose",
    "decision_return",
    "decision_sign_off",
    "gate_override",
    "household_contribution_add",
    "household_information_request",
    "information_request",
    "missing_core_agencies",
    "sharing_decision_override",
    "sharing_decision_record",
    "note_add",
    "note_clean",
    "note_correct",
    "outcomes_expressed",
    "strategy_discussion_record",
    "household_strategy_record",
    "strategy_action_complete",
    "strategy_reason_give",
]
