"""The demo hub: every role has a user, housing shows the agreement gate, and loading twice changes nothing."""

import io

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from agencies.access import agreement_problem
from agencies.models import (
    Agency,
    FundingContribution,
    Hub,
    MembershipKind,
    Role,
    RoleAssignment,
    Signature,
)

# The demo commits each simulated day so the seal can close it on PostgreSQL (beat seals only committed work), and
# builds its past returns from sealed events: no test transaction around it.
pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def small_demo(monkeypatch):
    """60 referrals instead of 300: each load works every older one through to a signed decision."""
    monkeypatch.setenv("DEMO_REFERRALS", "60")


def _load(monkeypatch, settings, tmp_path) -> Hub:
    monkeypatch.setenv("DEMO_PASSWORD", "demo-password-for-tests")
    settings.VAR_DIR = tmp_path
    call_command("load_demo", force=True, stdout=open("/dev/null", "w"))  # noqa: SIM115
    return Hub.objects.get(slug="demo")


@pytest.fixture
def demo(monkeypatch, settings, tmp_path):
    return _load(monkeypatch, settings, tmp_path)


@pytest.fixture
def full_demo(monkeypatch, settings, tmp_path):
    """The demo as `make run` loads it: 300 referrals."""
    monkeypatch.delenv("DEMO_REFERRALS")
    return _load(monkeypatch, settings, tmp_path)


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
        assert (agreement_problem(demo, agency) is None) == (agency.kind != "housing"), agency
    housing = demo.agencies.get(kind="housing")
    assert "has not signed" in agreement_problem(demo, housing)


def test_demo_has_a_year_of_funding_for_every_agency(demo):
    years = set(FundingContribution.objects.values_list("financial_year", flat=True))
    assert len(years) in (1, 2)  # two when the history began in the financial year before this one
    assert FundingContribution.objects.filter(hub=demo).count() == 7 * len(years)


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


def test_demo_has_three_months_of_referrals_with_a_realistic_source_mix(full_demo):
    from collections import Counter

    from django.utils import timezone

    from decisions.demo import HISTORY_DAYS
    from referrals.models import Referral

    referrals = list(Referral.objects.filter(hub=full_demo))
    assert len(referrals) == 300
    assert min(r.received_at for r in referrals) > timezone.now() - timezone.timedelta(days=HISTORY_DAYS)
    children = [r for r in referrals if r.cohort == "child"]
    sources = Counter(r.source_code for r in children)
    police, schools = sources["6"] / len(children), sources["2A"] / len(children)
    health = sum(n for code, n in sources.items() if code.startswith("3")) / len(children)
    assert 0.22 <= police <= 0.38 and 0.13 <= schools <= 0.27 and 0.08 <= health <= 0.22
    assert any(r.cohort == "adult" for r in referrals)


def test_demo_prints_working_api_credentials(monkeypatch, settings, tmp_path, client):
    import base64

    monkeypatch.setenv("DEMO_PASSWORD", "demo-password-for-tests")
    settings.VAR_DIR = tmp_path
    out = io.StringIO()
    call_command("load_demo", force=True, stdout=out)
    line = next(x for x in out.getvalue().splitlines() if x.strip().startswith("police "))
    _, client_id, secret = line.split()
    basic = base64.b64encode(f"{client_id}:{secret}".encode()).decode()
    response = client.post(
        "/api/v1/oauth/token/", {"grant_type": "client_credentials"}, HTTP_AUTHORIZATION=f"Basic {basic}"
    )
    assert response.status_code == 200 and set(response.json()["scope"].split()) == {
        "referrals:read",
        "referrals:write",
        "contributions:write",
        "webhooks:write",
    }
    again = io.StringIO()
    call_command("load_demo", force=True, stdout=again)
    assert f"{client_id} {secret}" in again.getvalue()  # the same credentials, run after run


def _token(client, out: str, slug: str) -> tuple[str, set]:
    import base64

    line = next(x for x in out.splitlines() if x.strip().startswith(f"{slug} "))
    _, client_id, secret = line.split()
    basic = base64.b64encode(f"{client_id}:{secret}".encode()).decode()
    response = client.post(
        "/api/v1/oauth/token/", {"grant_type": "client_credentials"}, HTTP_AUTHORIZATION=f"Basic {basic}"
    )
    assert response.status_code == 200
    return response.json()["access_token"], set(response.json()["scope"].split())


def test_the_demo_childrens_services_client_lists_and_acknowledges_the_cases_handed_to_it(
    monkeypatch, settings, tmp_path, client
):
    monkeypatch.setenv("DEMO_PASSWORD", "demo-password-for-tests")
    settings.VAR_DIR = tmp_path
    out = io.StringIO()
    call_command("load_demo", force=True, stdout=out)
    printed = out.getvalue()
    assert "childrens-services, adult-social-care: also the cases handed to them" in printed
    token, scopes = _token(client, printed, "childrens-services")
    assert "handovers:write" in scopes
    _, police_scopes = _token(client, printed, "police")
    assert "handovers:write" not in police_scopes  # only the services that take cases on
    auth = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    listed = client.get("/api/v1/handovers/", **auth)
    assert listed.status_code == 200, listed.content
    handovers = listed.json()["results"]
    assert handovers, "the demo's signed decisions handed cases to children's services"
    first = handovers[0]["id"]
    done = client.post(f"/api/v1/handovers/{first}/acknowledgement/", content_type="application/json", **auth)
    assert done.status_code == 200 and done.json()["state"] == "acknowledged"


def test_demo_decides_the_older_referrals_and_the_queue_has_work(demo):
    """The history (tests/decisions/test_demo_history.py has more): what the plan put before now has happened."""
    from datetime import timedelta

    from django.utils import timezone

    from decisions.models import Contribution, Decision
    from referrals.models import Deadline, Referral

    older = Referral.objects.filter(hub=demo, received_at__lt=timezone.now() - timedelta(days=10))
    assert older.exists() and not older.exclude(status="closed").exists()  # worked through to a decision
    # Every one checked against the hub's earlier records, as the worker does at once: no page of a fresh demo says
    # they are still being checked while the worker works through the tasks the load queued.
    assert not Referral.objects.filter(hub=demo, matched_at__isnull=True).exists()
    assert Decision.objects.filter(referral__in=older, state="signed").count() == older.count()
    assert Contribution.objects.filter(referral__in=older).values("agency").distinct().count() == 4  # core agencies
    open_rated = Referral.objects.filter(hub=demo).exclude(status="closed").exclude(rating="")
    assert open_rated.count() >= 3  # the household's children at least, screened
    assert len({r.rating for r in open_rated}) >= 2  # a spread of ratings
    assert Deadline.objects.filter(hub=demo, kind="rating", state="open").exists()
    assert open_rated.exclude(assigned_to=None).exists()  # Mohammed's, claimed by the practitioner


def test_demo_has_a_household_and_a_likely_match_with_its_reasons(demo):
    from referrals.models import Household, PersonRole, Referral, SubjectMatch

    household = Household.objects.get(hub=demo)
    children = household.referrals.all()
    assert children.count() == 3 and {r.rating for r in children} == {"red", "amber", "green"}
    eldest = children.get(rating="red")
    named = {(p.role, p.given_name) for p in eldest.persons.all()}
    assert named >= {
        (PersonRole.SUBJECT, "Mohammed"),
        (PersonRole.PARENT_CARER, "Samira"),
        (PersonRole.VISITOR, "Dean"),
    }
    suggestion = SubjectMatch.objects.get(referral=eldest, state="suggested")
    assert suggestion.candidate.given_name == "Muhammad" and suggestion.candidate.referral.household is None
    assert suggestion.reasons and all(" " in reason for reason in suggestion.reasons)  # words, not codes
    assert Referral.objects.filter(hub=demo).count() == 60  # the household and the earlier referral are counted
