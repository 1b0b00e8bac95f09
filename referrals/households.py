"""The household contact: one contact about a family records every child and adult once, with each adult's
relationship to each child, and becomes one referral per child (each with its own rating, deadlines, decision and
outcome, as the Children in Need census and Ofsted count them), grouped as one `Household`.

The input is `HouseholdSchema`: the referral's shared fields (the same fields, rules and messages as
`ReferralSchema`), the `children` (1 to 10, each a `PersonSchema`) and the `adults` (0 to 10, each someone else named
with a `role`, their relationship to every child, and `relationships` overriding it for a given child by the child's
place in the list, from 0). Its messages are at dotted paths: `children.1.date_of_birth`,
`adults.0.relationships.0.child`, `narrative` (once, whatever the number of children).

`household_create` checks everything before it stores anything, then, in one transaction, makes each child's referral
through `referral_create` (the child the subject, the other children named as siblings and the adults with their
relationship to that child), joins the records standing for the same member across the referrals into one index
person (same-person links: typed once, one person), links the children as siblings and each adult to each child,
and records one `household.received` (each referral still records its own `referral.received`).
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_serializer

from agencies.access import access_for
from agencies.models import Agency, Cohort, Hub
from agencies.policy import Action, require
from audit.events.actions import AuditAction
from audit.events.payloads import HouseholdReceived
from audit.services import record
from mash.schemas import Choice, Schema, Whole, validated
from mash.words import filled, one_of_lazy
from referrals import people_index
from referrals.models import Household, LinkKind, PersonLink, PersonRole, Referral, ReferralCohort
from referrals.schemas import NOT_IN_DATASET, Listed, OtherPersonSchema, PersonSchema, ReferralSchema
from referrals.services import referral_create

MAX_CHILDREN = 10
MAX_ADULTS = 10
ADULT_ROLES = [
    (r, PersonRole(r).label)
    for r in (PersonRole.PARENT_CARER, PersonRole.HOUSEHOLD, PersonRole.VISITOR, PersonRole.ALLEGED_SOURCE,
              PersonRole.OTHER)
]  # fmt: skip
ADULT_ROLE_MESSAGE = filled(
    _("Choose how this adult is related to the children: %(roles)s"), roles=one_of_lazy(ADULT_ROLES)
)
# The link between an adult's record and a child's: a parent or carer, or (a regular visitor, someone alleged to cause
# harm, anyone else) someone of the household.
LINK_OF_ROLE = {PersonRole.PARENT_CARER: LinkKind.PARENT_CARER}
SHARED = ("referrer", "received_at", "source_code", "concerns", "narrative", "immediate_risk", "consent",
          "consent_reason")  # fmt: skip
CHILD_NUMBER = filled(
    _("Name the child by their place in the list of children, from 0 to %(last)s"), last=MAX_CHILDREN - 1
)


class ChildNumber(Whole):
    """A child of this contact by their place in `children` (from 0): always given."""

    def __init__(self, **kwargs):
        super().__init__(low=0, high=MAX_CHILDREN - 1, message=CHILD_NUMBER, **kwargs)
        self.required, self.allow_null = True, False

    def to_internal_value(self, data):
        if data is None:
            raise ValidationError(self.message)
        return super().to_internal_value(data)


@extend_schema_serializer(component_name="HouseholdRelationship")
class RelationshipSchema(Schema):
    """An adult's relationship to one child, where it differs from their `role` (a parent of one child is a household
    member for their partner's child)."""

    unknown = NOT_IN_DATASET
    not_an_object = _("Give each relationship as the child's number and the role")

    child = ChildNumber(help_text=_("The child's place in `children`, from 0"))
    role = Choice(ADULT_ROLES, message=ADULT_ROLE_MESSAGE)


@extend_schema_serializer(component_name="HouseholdAdult")
class AdultSchema(OtherPersonSchema):
    """An adult of the household or a regular visitor: their relationship to every child (`role`), and to a given child
    where it differs (`relationships`)."""

    not_an_object = _("Enter the adult's details")

    role = Choice(ADULT_ROLES, message=ADULT_ROLE_MESSAGE, help_text=_("Their relationship to every child, unless "
                  "`relationships` says otherwise for a child"))  # fmt: skip
    relationships = Listed(
        RelationshipSchema(), most=MAX_CHILDREN, not_a_list=_("Send the relationships as a list"),
        too_many=filled(_("Give no more than %(most)s relationships, one per child"), most=MAX_CHILDREN),
        help_text=_("Optional: the relationship to a given child where it differs from `role`"),
    )  # fmt: skip


@extend_schema_serializer(component_name="Household")
class HouseholdSchema(ReferralSchema):
    """One contact about a household: the referral's shared fields, the children (each gets their own referral) and
    the adults and regular visitors, with their relationship to each child."""

    not_an_object = _("Send the household contact as a JSON object")

    # A household contact is about children: no cohort, no adult's fields, and the people are the two lists.
    cohort = adult_risk_location = adult_risk_source = subject = others = None
    children = Listed(
        PersonSchema(), fewest=1, most=MAX_CHILDREN, not_a_list=_("Send the children as a list"),
        too_few=_("Name at least one child"), help_text=_("Each child gets their own referral, in this order"),
        too_many=filled(_("Name no more than %(most)s children: record the others in another contact"),
                        most=MAX_CHILDREN),
    )  # fmt: skip
    adults = Listed(
        AdultSchema(), most=MAX_ADULTS, not_a_list=_("Send the adults as a list"),
        too_many=filled(_("Name no more than %(most)s adults: put anyone else in the concern, in your own words"),
                        most=MAX_ADULTS),
        help_text=_("Parents, carers, other adults of the household and regular visitors: each named once"),
    )  # fmt: skip

    def check_together(self, values, failed):
        errors: dict = {}
        hub, now = self.context["hub"], self.context.get("now") or timezone.now()
        self._received(values, failed, errors, hub, now)
        if hub.cohorts == Cohort.ADULTS:
            errors["children"] = gettext("%(hub)s does not take referrals about children") % {"hub": hub.name}
        self._source(values, True, errors, self.context.get("agency"))
        self._concerns(values, failed, True, errors)
        self._consent(values, errors)
        children = values.get("children") or []
        for i, child in enumerate(children):
            found: dict = {}
            self._child_age({"subject": child}, failed, True, found)
            errors.update({f"children.{i}.{path.removeprefix('subject.')}": m for path, m in found.items()})
        for a, adult in enumerate(values.get("adults") or []):
            seen: set = set()
            for r, relationship in enumerate(adult.get("relationships") or []):
                child = relationship.get("child")
                if child is None or "children" in failed:  # the children's own message comes first
                    continue
                if child >= len(children):
                    errors[f"adults.{a}.relationships.{r}.child"] = ngettext(
                        "There is %(count)s child: name one from 0 to %(last)s",
                        "There are %(count)s children: name one from 0 to %(last)s",
                        len(children),
                    ) % {"count": len(children), "last": len(children) - 1}
                elif child in seen:
                    errors[f"adults.{a}.relationships.{r}.child"] = gettext("Give one relationship per child")
                seen.add(child)
        return errors


def household_clean(raw, *, hub, agency=None, history: bool = False) -> dict:
    """The household contact, cleaned by its schema; or ValidationError with a message per dotted path."""
    return validated(HouseholdSchema, raw, hub=hub, agency=agency, history=history)


def role_for(adult: dict, child: int) -> str:
    """An adult's relationship to the child at `child`: their own for that child, or their `role`."""
    given = {r["child"]: r["role"] for r in adult.get("relationships") or []}
    return given.get(child, adult["role"])


def child_referral(clean: dict, child: int) -> dict:
    """The referral about one child of the contact: the shared fields, the child the subject, the other children
    named as siblings and the adults with their relationship to this child (siblings first, then adults, in order)."""
    person_keys = PersonSchema().fields.keys()
    siblings = [{**c, "role": PersonRole.SIBLING} for i, c in enumerate(clean["children"]) if i != child]
    adults = [{**{k: a[k] for k in person_keys}, "role": role_for(a, child)} for a in clean["adults"]]
    return {
        **{k: clean[k] for k in SHARED},
        "cohort": ReferralCohort.CHILD,
        "subject": clean["children"][child],
        "others": siblings + adults,
    }


def _household_paths(error: ValidationError, child: int, children: int) -> ValidationError:
    """A child's referral's message at the contact's path (a safety net: the contact's schema checks first)."""
    if not hasattr(error, "error_dict"):
        return error
    paths: dict = {}
    for path, messages in error.message_dict.items():
        head, _, rest = path.partition(".")
        if head == "subject":
            path = f"children.{child}" + (f".{rest}" if rest else "")
        elif head == "others" and rest.split(".")[0].isdigit():
            n, _, key = rest.partition(".")
            n = int(n)
            siblings = [i for i in range(children) if i != child]
            path = f"children.{siblings[n]}" if n < len(siblings) else f"adults.{n - len(siblings)}"
            path += f".{key}" if key else ""
        elif head == "cohort":
            path = "children"
        paths.setdefault(path, []).extend(messages)
    return ValidationError(paths)


@transaction.atomic
def household_create(
    *,
    hub: Hub,
    data: dict,
    channel: str,
    recorded_by=None,
    referring_agency: Agency | None = None,
    history: bool = False,
) -> Household:
    """Check the whole contact (ValidationError with every message; nothing stored), then store the household, one
    referral per child, the links between its members' records and `household.received`, in one transaction."""
    if recorded_by is not None:
        require(access_for(recorded_by, hub.pk), Action.REFERRAL_CREATE)
    clean = household_clean(data, hub=hub, agency=referring_agency, history=history)
    now = timezone.now()
    household = Household.objects.create(hub=hub, reference=f"new-{now.timestamp()}", created_at=now,
                                         recorded_by=recorded_by)  # fmt: skip
    count = len(clean["children"])
    referrals = []
    for i in range(count):
        try:
            referral = referral_create(
                hub=hub, data=child_referral(clean, i), channel=channel, recorded_by=recorded_by,
                referring_agency=referring_agency, history=history, household=household,
            )  # fmt: skip
        except ValidationError as error:
            raise _household_paths(error, i, count) from None
        referrals.append(referral)
    # HUB-2026-H000123: the number of its first child's referral, unique per hub as referral references are.
    head, _, number = referrals[0].reference.rpartition("-")
    household.reference = f"{head}-H{number}"
    household.save(update_fields=["reference"])
    _members_link(household, referrals, clean, by=recorded_by)
    record(
        AuditAction.HOUSEHOLD_RECEIVED,
        hub=hub,
        obj=household,
        actor_agency=referring_agency,
        payload=HouseholdReceived(
            reference=household.reference, referral_ids=[str(r.pk) for r in referrals], adults=len(clean["adults"])
        ),
    )
    household.created = referrals  # in the order of the children given (the API answers each child's referral)
    return household


def _members_link(household: Household, referrals: list[Referral], clean: dict, *, by) -> None:
    """Each member typed once is one person: their records across the children's referrals joined to the first; the
    children linked as siblings, and each adult to each child as parent or carer or household member. The household's
    event records them all (no event per link)."""
    count = len(referrals)
    # Each referral's records in the order given: the subject, the other children (in order), then the adults.
    named = [r.named_people for r in referrals]
    # Kept with each link and, if a link is undone, in its audit payload: in the service's source language, as a
    # reason a person typed is kept as typed.
    with translation.override(settings.LANGUAGE_CODE):
        reason = gettext("Named once in household contact %(reference)s") % {"reference": household.reference}
    links = []

    def link(person, other, kind):
        links.append(people_index.link_create(person=person, other=other, kind=kind, by=None, reason=reason,
                                              audit=False, at=household.created_at))  # fmt: skip

    def record_of(child: int, in_referral: int):
        """Child `child`'s record in referral `in_referral`."""
        if child == in_referral:
            return named[in_referral][0]
        return named[in_referral][1 + (child if child < in_referral else child - 1)]

    for child in range(count):
        first = record_of(child, child)
        for j in range(count):
            if j != child:
                link(first, record_of(child, j), LinkKind.SAME_PERSON)
    for a in range(len(clean["adults"])):
        records = [named[j][count + a] for j in range(count)]
        for other in records[1:]:
            link(records[0], other, LinkKind.SAME_PERSON)
    for child in range(count):
        for other in range(child + 1, count):
            link(named[child][0], named[other][0], LinkKind.SIBLING)
    for j in range(count):
        for a, adult in enumerate(clean["adults"]):
            kind = LINK_OF_ROLE.get(role_for(adult, j), LinkKind.HOUSEHOLD)
            link(named[j][0], named[j][count + a], kind)  # the adult is the child's <kind>, as a link reads
    if by is not None:  # the practitioner who typed the contact decided these links
        PersonLink.objects.filter(pk__in=[x.pk for x in links]).update(decided_by=by)
