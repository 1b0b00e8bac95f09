"""factory_boy factories, one per interesting state."""

import copy
from contextlib import nullcontext
from datetime import timedelta
from decimal import Decimal
from unittest import mock

import factory
from django.contrib.auth import get_user_model
from django.utils import timezone

from agencies import services
from agencies.models import (
    Agency,
    AgencyKind,
    CoreDocument,
    DocumentKind,
    FundingContribution,
    Hub,
    HubMembership,
    MembershipKind,
    Role,
    WorkingPattern,
)
from decisions.models import Decision
from referrals.models import Referral
from referrals.serializers import EXAMPLE_REFERRAL


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.org")
    password = factory.PostGenerationMethodCall("set_password", "correct horse battery staple")

    @factory.post_generation
    def saved(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class HubFactory(factory.django.DjangoModelFactory):
    """A hub made through the service, so its role groups and their permissions exist."""

    class Meta:
        model = Hub

    name = factory.Sequence(lambda n: f"Hub {n}")
    slug = factory.Sequence(lambda n: f"hub-{n}")
    working_days = factory.LazyFunction(lambda: [0, 1, 2, 3, 4])

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        return services.hub_create(**kwargs)


class AgencyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Agency

    name = factory.Sequence(lambda n: f"Agency {n}")
    slug = factory.Sequence(lambda n: f"agency-{n}")
    kind = AgencyKind.POLICE
    source_codes = factory.LazyFunction(lambda: ["6"])


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = HubMembership

    hub = factory.SubFactory(HubFactory)
    agency = factory.SubFactory(AgencyFactory)
    kind = MembershipKind.CORE

    @classmethod
    def _create(cls, model_class, *args, hub, agency, kind, **kwargs):
        return services.membership_set(hub=hub, agency=agency, kind=kind)


def member(hub, role: Role, agency=None, **kwargs):
    """A new person holding `role` in `hub` (an agency officer of `agency`, made a member if need be)."""
    user = UserFactory()
    if role == Role.AGENCY_OFFICER and agency is None:
        agency = MembershipFactory(hub=hub).agency
    if role == Role.DEPUTY and "delegation_starts" not in kwargs:
        now = timezone.now()
        kwargs.update(delegation_starts=now - timedelta(hours=1), delegation_ends=now + timedelta(days=7))
    services.role_grant(hub=hub, user=user, role=role, agency=agency, **kwargs)
    return user


class IsaFactory(factory.django.DjangoModelFactory):
    """A hub's information sharing agreement document (no versions yet)."""

    class Meta:
        model = CoreDocument

    hub = factory.SubFactory(HubFactory)
    kind = DocumentKind.INFORMATION_SHARING_AGREEMENT
    title = "Information sharing agreement"


class FundingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = FundingContribution

    hub = factory.SubFactory(HubFactory)
    agency = factory.SubFactory(AgencyFactory)
    financial_year = 2026
    amount_gbp = Decimal("1000.00")
    staff_fte = Decimal("1.50")
    working_pattern = WorkingPattern.HYBRID


def referral_data(**changes) -> dict:
    """A complete, valid referral about a child: the API's published example (the one integrators copy), with
    the postcode in lower case so that normalising it is exercised too."""
    data = copy.deepcopy(EXAMPLE_REFERRAL)
    data["subject"]["postcode"] = "nt1 1aa"
    data.update(changes)
    return data


def sign_isa(hub, *agencies):
    """The hub's information sharing agreement in force (from a month ago, review in eleven months), signed by each
    agency as the hub administrator records it: the gate for everything an agency reads back."""
    from agencies.models import CoreDocument

    today = timezone.localdate()
    isa = CoreDocument.objects.filter(hub=hub, kind=DocumentKind.INFORMATION_SHARING_AGREEMENT).first()
    isa = isa or services.document_create(
        hub=hub, kind=DocumentKind.INFORMATION_SHARING_AGREEMENT, title="Information sharing agreement"
    )
    version = isa.versions.order_by("-number").first() or services.document_version_publish(
        document=isa, effective_from=today - timedelta(days=30), review_due=today + timedelta(days=335), text="ISA"
    )
    admin = hub.roles.filter(role=Role.HUB_ADMIN).select_related("user").first()
    admin = admin.user if admin else member(hub, Role.HUB_ADMIN)
    for agency in agencies:
        services.agreement_sign(
            version=version, agency=agency, signatory_name="A Signatory", signatory_role="Director",
            signed_on=today - timedelta(days=20), by=admin,
        )  # fmt: skip
    return version


# One factory per interesting state of a referral and its decision, each built through the services as people
# would build it, in a hub of tests.people (`mash`): the referral from the police, screened by the practitioner,
# the agencies asked and answering, a decision proposed and signed off by the manager.

NO_TRACE = {"known": False}


class _ThroughServices(factory.Factory):
    """Built by the services (so audited, with deadlines and lifecycle), never by writing rows."""

    class Meta:
        abstract = True

    @classmethod
    def _build(cls, model_class, *args, **kwargs):
        raise NotImplementedError("built through the services only: use create()")


CONSISTENT_LEVEL = {"red": "specialist", "amber": "targeted", "green": "early_help", "blue": "universal"}


class ScreenedReferralFactory(_ThroughServices):
    """A police referral to `mash`'s hub, screened and rated (Red unless `rating`) by its practitioner."""

    class Meta:
        model = Referral

    mash = None
    rating = "red"
    changes = factory.Dict({})

    @classmethod
    def _create(cls, model_class, *, mash, rating, changes):
        from referrals import triage
        from referrals.services import referral_create

        # Sent by the agency whose code it carries (police unless another's; none for an individual's code), and
        # recorded as history: a test's referral may be older than the hub's late-referral window (the window's
        # own tests send theirs as agencies do).
        code = changes.get("source_code") or "6"
        sender = next(
            (a for a in (mash.police, mash.health, mash.school, mash.housing, mash.social_care)
             if code in a.referral_sources()),
            None,
        )  # fmt: skip
        referral = referral_create(
            hub=mash.hub, data=referral_data(**changes), channel="api", referring_agency=sender, history=True
        )
        level = CONSISTENT_LEVEL[rating]  # a screening that does not contradict itself
        triage.referral_screen(
            referral=referral, by=mash.practitioner, level=level, criteria=[f"{level}.1"], rating=rating,
            rationale="Bruising reported by school.",
        )  # fmt: skip
        referral.refresh_from_db()
        return referral


def requests_of(referral) -> dict:
    """The referral's live requests by agency id."""
    return {r.agency_id: r for r in referral.information_requests.exclude(state="cancelled")}


def ask(mash, referral, extra=()) -> dict:
    """The practitioner asks every core agency (and the contributing ones in `extra`): the requests by agency id.
    An agency in `extra` without an agreement (housing) is asked as it was while its agreement was current, so that
    tests can show what an agency whose agreement has since lapsed may and may not do with its request."""
    from decisions import services

    lapsed = any(agency == mash.housing for agency in extra)
    with asked_while_agreed() if lapsed else nullcontext():
        made = services.information_request(referral=referral, by=mash.practitioner, agencies=list(extra))
    return {r.agency_id: r for r in made}


def asked_while_agreed():
    """Requests made inside this block go to agencies as if every agreement were current: the state of a request
    made before the agency's agreement lapsed (the service asks only agencies with a current one)."""
    return mock.patch(
        "decisions.services.requests.agreement_problems",
        lambda hub, agencies, at: dict.fromkeys((a.pk for a in agencies), None),
    )


class AskedReferralFactory(ScreenedReferralFactory):
    """Screened, and every core agency asked (with the contributing agencies in `extra`)."""

    extra = factory.List([])

    @classmethod
    def _create(cls, model_class, *, extra, **kwargs):
        referral = super()._create(model_class, **kwargs)
        ask(kwargs["mash"], referral, extra)
        referral.refresh_from_db()
        return referral


class AnsweredReferralFactory(AskedReferralFactory):
    """Asked, and every core agency answered (`answer`: no trace unless given): ready for a decision."""

    answer = factory.Dict(NO_TRACE)

    @classmethod
    def _create(cls, model_class, *, answer, **kwargs):
        referral = super()._create(model_class, **kwargs)
        answer_core(kwargs["mash"], requests_of(referral), answer)
        referral.refresh_from_db()
        return referral


def answer_core(mash, requests: dict, answer=None) -> None:
    """Each core agency's officer answers its request (no trace unless `answer`)."""
    from decisions import services

    for key in ("police", "social_care", "health"):
        agency = getattr(mash, key)
        services.contribution_add(request=requests[agency.pk], by=mash.officers[key], data=answer or NO_TRACE)


class ProposedDecisionFactory(_ThroughServices):
    """A joint decision proposed on an answered referral (early help, every core agency taking part)."""

    class Meta:
        model = Decision

    mash = None
    referral = None
    by = None
    changes = factory.Dict({})

    @classmethod
    def _create(cls, model_class, *, mash, referral, by, changes):
        from decisions import services

        referral = referral or AnsweredReferralFactory(mash=mash)
        args = {
            "outcome": "early_help", "threshold_level": "specialist", "rationale": "Agreed with every agency.",
            "participants": [mash.police, mash.social_care, mash.health], "actions": [], **changes,
        }  # fmt: skip
        return services.decision_propose(referral=referral, by=by or mash.practitioner, **args)


class SignedOffDecisionFactory(ProposedDecisionFactory):
    """Proposed by the practitioner and signed off by the accountable manager: the referral is closed."""

    @classmethod
    def _create(cls, model_class, **kwargs):
        from decisions import services

        decision = super()._create(model_class, **kwargs)
        return services.decision_sign_off(decision=decision, by=kwargs["mash"].manager)
