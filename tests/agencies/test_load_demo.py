"""The demo hub: every role has a user, housing shows the agreement gate, and loading twice changes nothing."""

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from agencies import selectors
from agencies.models import (
    Agency,
    FundingContribution,
    Hub,
    MembershipKind,
    Role,
    RoleAssignment,
    Signature,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(monkeypatch, settings, tmp_path):
    monkeypatch.setenv("DEMO_PASSWORD", "demo-password-for-tests")
    settings.VAR_DIR = tmp_path
    call_command("load_demo", force=True, stdout=open("/dev/null", "w"))  # noqa: SIM115
    return Hub.objects.get(slug="demo")


def _counts():
    return [m.objects.count() for m in (Hub, Agency, RoleAssignment, Signature, FundingContribution)] + [
        get_user_model().objects.count()
    ]


def test_demo_has_seven_agencies_and_a_user_for_every_role(demo):
    assert demo.cohorts == "both"
    kinds = set(demo.agencies.values_list("kind", flat=True))
    assert kinds == {
        "police",
        "childrens_social_care",
        "adult_social_care",
        "health",
        "education",
        "probation",
        "housing",
    }
    assert set(demo.roles.values_list("role", flat=True)) == set(Role.values)
    assert demo.memberships.filter(kind=MembershipKind.CORE).count() == 4
    user = get_user_model().objects.get(username="pat.practitioner")
    assert user.check_password("demo-password-for-tests")


def test_every_agency_but_housing_has_a_current_information_sharing_agreement(demo):
    for agency in demo.agencies.all():
        assert selectors.has_current_isa(agency, demo) == (agency.kind != "housing"), agency
    housing = demo.agencies.get(kind="housing")
    assert "has not signed" in selectors.missing_agreement_message(housing, demo)


def test_demo_has_a_year_of_funding_for_every_agency(demo):
    assert FundingContribution.objects.filter(hub=demo).count() == 7
    assert len(set(FundingContribution.objects.values_list("financial_year", flat=True))) == 1


def test_loading_twice_changes_nothing(demo):
    before = _counts()
    call_command("load_demo", force=True, stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert _counts() == before


def test_load_demo_prints_every_login(monkeypatch, settings, tmp_path, capsys):
    monkeypatch.delenv("DEMO_PASSWORD", raising=False)
    settings.VAR_DIR = tmp_path
    call_command("load_demo", force=True)
    out = capsys.readouterr().out
    for username in ("pat.practitioner", "olly.officer", "mary.manager", "dan.deputy", "sam.lead", "alex.admin"):
        assert username in out
    stored = (tmp_path / "demo-passwords.json").read_text()
    assert "mary.manager" in stored and oct((tmp_path / "demo-passwords.json").stat().st_mode)[-3:] == "600"


def test_load_demo_refuses_without_debug_unless_forced(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG"):
        call_command("load_demo")
