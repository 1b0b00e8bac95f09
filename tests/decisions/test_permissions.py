"""The decisions policy table, person by person: generated from decisions.permissions.POLICY."""

from datetime import timedelta

import pytest
from django.utils import timezone

from agencies.models import Role
from decisions.permissions import MANAGING, POLICY, DecisionAction, may
from tests.factories import UserFactory, member

pytestmark = pytest.mark.django_db

PEOPLE = {
    "practitioner": lambda mash: mash.practitioner,
    "manager": lambda mash: mash.manager,
    "deputy inside the delegation": lambda mash: member(mash.hub, Role.DEPUTY),
    "deputy outside the delegation": lambda mash: _deputy_off_duty(mash),
    "officer of the agency": lambda mash: mash.officers["police"],
    "officer of another agency": lambda mash: mash.officers["health"],
    "strategic lead": lambda mash: member(mash.hub, Role.STRATEGIC_LEAD),
    "hub administrator": lambda mash: mash.admin,
    "outsider": lambda mash: UserFactory(),
}


def _deputy_off_duty(mash):
    now = timezone.now()
    return member(
        mash.hub, Role.DEPUTY, delegation_starts=now + timedelta(days=1), delegation_ends=now + timedelta(days=2)
    )


def _expected(action: DecisionAction, person: str) -> bool:
    allowed = POLICY[action]
    if MANAGING in allowed:
        return person in ("manager", "deputy inside the delegation")
    roles = {
        "practitioner": Role.PRACTITIONER, "manager": Role.MANAGER, "deputy inside the delegation": Role.DEPUTY,
        "deputy outside the delegation": Role.DEPUTY, "officer of the agency": Role.AGENCY_OFFICER,
        "strategic lead": Role.STRATEGIC_LEAD, "hub administrator": Role.HUB_ADMIN,
    }  # fmt: skip
    return roles.get(person) in allowed


@pytest.mark.parametrize("action", list(DecisionAction))
@pytest.mark.parametrize("person", list(PEOPLE))
def test_the_policy_table_decides_who_may_act_for_the_police(mash, action, person):
    user = PEOPLE[person](mash)
    assert may(user, action, mash.hub, mash.police) is _expected(action, person)
