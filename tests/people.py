"""The people the tests share (as healthchecks' alice, bob and charlie): a hub with its core agencies (police,
children's social care, health) and two contributing ones (a school, and housing, which has not signed the
information sharing agreement), an officer of each, a practitioner, the accountable manager and a hub
administrator; a deputy inside the delegation and a strategic lead when a test asks for them; and a referral from
the police screened Red on demand. tests/conftest.py makes them fixtures (`mash`, `hub`, `practitioner`, …)."""

from dataclasses import dataclass
from datetime import timedelta
from functools import cached_property

from django.utils import timezone

from agencies import services as hub_services
from agencies.models import AgencyKind, DocumentKind, MembershipKind, Role
from tests.factories import HubFactory, member


@dataclass(eq=False)
class Mash:
    hub: object
    police: object
    social_care: object
    health: object
    school: object
    housing: object
    practitioner: object
    manager: object
    officers: dict
    admin: object

    @cached_property
    def deputy(self):
        """The deputy manager, delegated from an hour ago for a week."""
        return member(self.hub, Role.DEPUTY)

    @cached_property
    def lead(self):
        return member(self.hub, Role.STRATEGIC_LEAD)

    def referral(self, rating="red", **changes):
        """A police referral screened and rated by the practitioner (tests.factories.ScreenedReferralFactory)."""
        from tests.factories import ScreenedReferralFactory

        return ScreenedReferralFactory(mash=self, rating=rating, changes=changes)


def build_mash(slug="north") -> Mash:
    hub = HubFactory(name=f"{slug.title()} MASH", slug=slug)
    agencies = {}
    for key, name, kind, membership in [
        ("police", "Northshire Police", AgencyKind.POLICE, MembershipKind.CORE),
        ("social_care", "Northshire Children's Services", AgencyKind.CHILDRENS_SOCIAL_CARE, MembershipKind.CORE),
        ("health", "Northshire Health", AgencyKind.HEALTH, MembershipKind.CORE),
        ("school", "Northshire Academy", AgencyKind.EDUCATION, MembershipKind.CONTRIBUTING),
        ("housing", "Northshire Homes", AgencyKind.HOUSING, MembershipKind.CONTRIBUTING),
    ]:
        agency = hub_services.agency_create(name=f"{name} ({slug})", slug=f"{slug}-{key}", kind=kind)
        hub_services.membership_set(hub=hub, agency=agency, kind=membership)
        agencies[key] = agency
    admin = member(hub, Role.HUB_ADMIN)
    isa = hub_services.document_create(
        hub=hub, kind=DocumentKind.INFORMATION_SHARING_AGREEMENT, title="Information sharing agreement"
    )
    today = timezone.localdate()
    version = hub_services.document_version_publish(
        document=isa, effective_from=today - timedelta(days=30), review_due=today + timedelta(days=335), text="ISA"
    )
    for key in ("police", "social_care", "health", "school"):  # housing has not signed
        hub_services.agreement_sign(
            version=version, agency=agencies[key], signatory_name="A Signatory", signatory_role="Director",
            signed_on=today - timedelta(days=20), by=admin,
        )  # fmt: skip
    officers = {key: member(hub, Role.AGENCY_OFFICER, agency=agency) for key, agency in agencies.items()}
    return Mash(
        hub=hub, practitioner=member(hub, Role.PRACTITIONER), manager=member(hub, Role.MANAGER), officers=officers,
        admin=admin, **agencies,
    )  # fmt: skip
