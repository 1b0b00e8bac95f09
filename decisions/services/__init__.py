"""Every write of the multi-agency part, one module per aggregate: requests for information (requests.py),
contributions and their release (contributions.py), the joint decision (decisions.py) and agreed actions
(actions.py), strategy discussions (strategy.py). Web pages, the API and tasks call these.

Each is one transaction with its audit events; bad input raises ValidationError with the field's name and changes
nothing. Who may act is checked here, not only in the views.
"""

from decisions.services.actions import action_complete
from decisions.services.common import core_agencies
from decisions.services.contributions import contribution_add, contribution_release, household_contribution_add
from decisions.services.decisions import (
    decision_propose,
    decision_return,
    decision_sign_off,
    gate_override,
    missing_core_agencies,
)
from decisions.services.requests import household_information_request, information_request
from decisions.services.strategy import strategy_discussion_record, strategy_reason_give

__all__ = [
    "action_complete",
    "contribution_add",
    "contribution_release",
    "core_agencies",
    "decision_propose",
    "decision_return",
    "decision_sign_off",
    "gate_override",
    "household_contribution_add",
    "household_information_request",
    "information_request",
    "missing_core_agencies",
    "strategy_discussion_record",
    "strategy_reason_give",
]
