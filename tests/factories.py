"""factory_boy factories, one per interesting state."""

import copy
from datetime import timedelta
from decimal import Decimal

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
