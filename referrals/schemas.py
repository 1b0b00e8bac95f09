"""The declared inputs of the referral app (mash/schemas.py): the standard referral dataset, a screening, a re-rating
and a Blue closure. Each validates the web form's fields and the API's JSON alike, carries the messages people read,
and documents the API's request body.

The referral's rules across fields live in `ReferralSchema.check_together`: the cohort follows the subject's age
unless given; a child needs a Children in Need source code and a child's categories of concern; an adult the
Safeguarding Adults Collection's types, location and source of risk; a reason when consent was not obtained.
"""

import re
from datetime import timedelta

from django.utils import timezone
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_serializer
from rest_framework import serializers
from rest_framework.exceptions import ValidationError

from agencies.codes import ReferralSource
from agencies.models import Cohort
from mash.api_paging import MAX_PAGE_SIZE
from mash.schemas import Choice, Choices, Day, Flag, Lenient, Moment, Schema, Text, Whole, validated
from mash.words import filled, one_of, one_of_lazy
from referrals.dataset import ADULT_AGE, age_on, nhs_number_problem, normal_postcode
from referrals.models import (
    AdultRiskLocation,
    AdultRiskSource,
    AdultRiskType,
    ChildConcern,
    Consent,
    PersonRole,
    ReferralCohort,
)

NOT_IN_DATASET = _("This field is not part of the referral dataset")
SOURCE = _("Choose the referral source: one of the 22 Children in Need codes, such as 6 for police")
OTHER_ROLES = [r for r in PersonRole.values if r != PersonRole.SUBJECT]
MAX_OTHERS = 20
CHILD_AGE_LIMIT = 25  # children's services reach care leavers up to 25 (Children and Social Work Act 2017, s3)
# Adults' services take referrals from 16, when preparing for adulthood begins (Care Act 2014 ss58-59); s42 is from 18.
ADULT_MIN_AGE = 16


@extend_schema_serializer(component_name="Referrer")
class ReferrerSchema(Schema):
    """Who made the referral, and how to reach them."""

    unknown = NOT_IN_DATASET
    not_an_object = _("Enter who made the referral")

    name = Text(limit=120, required=_("Enter the referrer's name"))
    role = Text(limit=120)
    contact = Text(limit=200, required=_("Enter a phone number or email address for the referrer"),
                   help_text=_("Phone number or email address"))  # fmt: skip


@extend_schema_serializer(component_name="Person")
class PersonSchema(Schema):
    """A person named in the referral: the subject (family name and a date of birth or an age needed)."""

    unknown = NOT_IN_DATASET
    not_an_object = _("Enter the person's details")

    given_name = Text(limit=100)
    family_name = Text(limit=100, required=_("Enter the family name, or 'Unknown'"))
    date_of_birth = Day(message=_("Enter the date of birth as YYYY-MM-DD"), help_text=_("YYYY-MM-DD; or estimated_age"))
    estimated_age = Whole(low=0, high=120, message=_("Enter an estimated age in whole years, from 0 to 120"))
    gender = Text(limit=40)
    ethnicity = Text(limit=80)
    nhs_number = Text(limit=12, help_text=_("10 digits, Modulus 11 check digit; spaces and dashes are ignored"))
    address = Text(limit=300)
    postcode = Text(limit=10, help_text=_("A UK postcode"))

    def check_together(self, values, failed):
        errors = {}
        today = timezone.localdate()
        born = values.get("date_of_birth")
        if born and born > today:
            errors["date_of_birth"] = gettext("The date of birth must be in the past")
        elif born and born.year < today.year - 120:
            errors["date_of_birth"] = gettext("Enter a date of birth within the last 120 years")
        unknown_age = born is None and values.get("estimated_age") is None
        if self.needs_age and unknown_age and not failed & {"date_of_birth", "estimated_age"}:
            errors["date_of_birth"] = gettext("Enter the date of birth, or an estimated age")
        nhs = values.get("nhs_number", "")
        if nhs and (problem := nhs_number_problem(nhs)):
            errors["nhs_number"] = problem
        values["nhs_number"] = nhs.replace(" ", "").replace("-", "")
        postcode = values.get("postcode", "")
        if postcode and normal_postcode(postcode) is None:
            errors["postcode"] = gettext("Enter a real UK postcode, like SW1A 1AA")
        values["postcode"] = normal_postcode(postcode) if postcode else ""
        return errors

    needs_age = True


@extend_schema_serializer(component_name="OtherPerson")
class OtherPersonSchema(PersonSchema):
    """Someone else named in the referral, with how they are involved (no age needed)."""

    role = Choice(
        [(r, PersonRole(r).label) for r in OTHER_ROLES],
        message=filled(
            _("Choose how this person is involved: %(roles)s"),
            roles=one_of_lazy([(r, PersonRole(r).label) for r in OTHER_ROLES]),
        ),
    )
    family_name = Text(limit=100)
    needs_age = False


class Listed(Lenient, serializers.ListField):
    """A list of one schema's entries, each checked on its own (errors at <field>.<n>.<key>): from `fewest` (then
    required; `too_few` says so) to `most` (`too_many` says so), published as minItems and maxItems. When some entries
    fail, the parts that passed (each entry's, in order) still count in the rules across fields."""

    def __init__(self, child, *, most: int, too_many: str, not_a_list: str, fewest: int = 0, too_few: str = "",
                 **kwargs):  # fmt: skip
        self.fewest, self.most, self.too_few, self.too_many = fewest, most, too_few, too_many
        self.not_a_list = not_a_list
        super().__init__(child=child, required=fewest > 0, min_length=fewest or None, max_length=most, **kwargs)

    def to_internal_value(self, data):
        if data is None and not self.fewest:
            return []
        if data is not None and not isinstance(data, list):
            raise ValidationError(self.not_a_list)
        data = data or []
        entries, errors = [], {}
        for i, raw in enumerate(data[: self.most]):
            try:
                entries.append(self.child.run_validation(raw))
            except ValidationError as exc:
                errors[i] = exc.detail
                entries.append(getattr(exc, "partial", None) or {})
        if len(data) > self.most:
            errors[""] = [self.too_many]
        elif len(data) < self.fewest:
            errors[""] = [self.too_few]
        if errors:
            refused = ValidationError(errors)
            refused.partial = entries
            raise refused
        return entries


class OtherPeople(Listed):
    """Up to 20 other people, each checked on its own (errors at others.<n>.<field>)."""

    def __init__(self, **kwargs):
        super().__init__(
            OtherPersonSchema(), most=MAX_OTHERS,
            too_many=filled(_("Name no more than %(most)s other people"), most=MAX_OTHERS),
            not_a_list=_("Send the other people as a list"), **kwargs,
        )  # fmt: skip


@extend_schema_serializer(component_name="Referral")
class ReferralSchema(Schema):
    """The standard record of a referral about a child or an adult at risk."""

    unknown = NOT_IN_DATASET
    not_an_object = _("Send the referral as a JSON object")

    referrer = ReferrerSchema()
    cohort = Choice(ReferralCohort.choices, message=_("Choose child or adult"), optional=True,
                    help_text=_("Derived from the subject's age (18 and over: adult) unless given"))  # fmt: skip
    received_at = Moment(message=_("Enter the time received with its offset, like 2026-11-25T09:30:00+00:00"),
                         help_text=_("With its offset; now unless given"))  # fmt: skip
    source_code = Choice(ReferralSource.choices, optional=True, message=SOURCE,
                         help_text=_("Children in Need referral-source code: required for a child (the cohort, when "
                         "not sent, follows the age); an agency's system sends one of its own agency's codes"))  # fmt: skip
    concerns = Choices(
        ChildConcern.choices + AdultRiskType.choices, message=_("Choose at least one concern"), loose=True,
        help_text=_("A child: categories of abuse; an adult: the Safeguarding Adults Collection's types of risk"),
    )  # fmt: skip
    adult_risk_location = Choice(AdultRiskLocation.choices, optional=True, message=_("Choose where the risk is"),
                                 help_text=_("Adults only (SAC location of risk)"))  # fmt: skip
    adult_risk_source = Choice(AdultRiskSource.choices, optional=True, message=_("Choose who the risk is from"),
                               help_text=_("Adults only (SAC source of risk)"))  # fmt: skip
    narrative = Text(limit=20_000, required=_("Describe the concern in your own words"))
    # Required, never assumed: a referral that leaves it out could bury someone at immediate risk in the queue.
    immediate_risk = Flag(
        message=_("Say whether anyone is at immediate risk of harm"), default=None,
        help_text=_("true puts the referral first in the hub's triage queue, with its decision due within the hub's "
        "immediate-risk hours, and tells the manager and practitioners at once"),
    )  # fmt: skip
    consent = Choice(Consent.choices, message=_("Choose whether consent was obtained, not obtained, or dispensed with"))
    consent_reason = Text(limit=2000, help_text=_("Required unless consent was obtained"))
    subject = PersonSchema()
    others = OtherPeople()

    def check_together(self, values, failed):
        errors: dict = {}
        hub, now = self.context["hub"], self.context.get("now") or timezone.now()
        self._received(values, failed, errors, hub, now)
        cohort = self._cohort(values, failed, errors, hub)
        child = cohort == ReferralCohort.CHILD
        self._child_age(values, failed, child, errors)
        self._source(values, child, errors, self.context.get("agency"))
        self._concerns(values, failed, child, errors)
        self._adult_only(values, child, errors)
        self._consent(values, errors)
        values.setdefault("others", [])
        return errors

    @staticmethod
    def _consent(values, errors) -> None:
        if values.get("consent") in (Consent.NOT_OBTAINED, Consent.DISPENSED_WITH) and not values.get("consent_reason"):
            errors["consent_reason"] = gettext("Say why consent was not obtained or was dispensed with")

    def _received(self, values, failed, errors, hub, now) -> None:
        """Now unless given; never in the future, nor longer ago than the hub takes late referrals (its
        `late_referral_days`), unless the context says `history` (a trusted import, or an amendment keeping the
        time the referral was received)."""
        received = values.get("received_at")
        if received is None and "received_at" not in failed:
            values["received_at"] = now
        elif received is not None and received > now:
            errors["received_at"] = gettext("The time received cannot be in the future")
        elif received is not None and not self.context.get("history"):
            days = hub.late_referral_days
            if received < now - timedelta(days=days):
                errors["received_at"] = ngettext(
                    "The time received must be within the last %(days)s day: %(hub)s takes referrals received up to "
                    "%(days)s day ago",
                    "The time received must be within the last %(days)s days: %(hub)s takes referrals received up to "
                    "%(days)s days ago",
                    days,
                ) % {"days": days, "hub": hub.name}

    @staticmethod
    def _child_age(values, failed, child: bool, errors) -> None:
        """The subject's age is plausible for the cohort: a child for children's services (care leavers to 25), an
        adult for adults' services (from 16, preparing for adulthood)."""
        subject = values.get("subject") or {}
        age = age_on(subject, timezone.localdate())
        if age is None or "cohort" in failed or (age <= CHILD_AGE_LIMIT if child else age >= ADULT_MIN_AGE):
            return
        field = "subject.date_of_birth" if subject.get("date_of_birth") else "subject.estimated_age"
        by_birth = field.endswith("birth")
        if child and by_birth:
            message = gettext("A referral about a child is about someone aged %(age)s or under: check the date of "
                              "birth, or choose adult")  # fmt: skip
        elif child:
            message = gettext("A referral about a child is about someone aged %(age)s or under: check the age, or "
                              "choose adult")  # fmt: skip
        elif by_birth:
            message = gettext("A referral about an adult at risk is about someone aged %(age)s or over: check the "
                              "date of birth, or choose child")  # fmt: skip
        else:
            message = gettext("A referral about an adult at risk is about someone aged %(age)s or over: check the "
                              "age, or choose child")  # fmt: skip
        errors[field] = message % {"age": CHILD_AGE_LIMIT if child else ADULT_MIN_AGE}

    @staticmethod
    def _cohort(values, failed, errors, hub) -> str:
        given = values.get("cohort") or None
        age = age_on(values.get("subject") or {}, timezone.localdate())
        values["cohort_overridden"] = given is not None
        values["cohort"] = cohort = given or (
            ReferralCohort.ADULT if age is not None and age >= ADULT_AGE else ReferralCohort.CHILD
        )
        served = {Cohort.CHILDREN: {ReferralCohort.CHILD}, Cohort.ADULTS: {ReferralCohort.ADULT}}.get(
            hub.cohorts, {ReferralCohort.CHILD, ReferralCohort.ADULT}
        )
        if cohort not in served and "cohort" not in failed:
            if cohort == ReferralCohort.CHILD:
                errors["cohort"] = gettext("%(hub)s does not take referrals about children") % {"hub": hub.name}
            else:
                errors["cohort"] = gettext("%(hub)s does not take referrals about adults") % {"hub": hub.name}
        return cohort

    @staticmethod
    def _source(values, child: bool, errors, agency) -> None:
        """A child's referral needs its source code; an agency's own referral carries one of that agency's codes."""
        code = values.get("source_code")
        allowed = agency.referral_sources() if agency is not None else None
        if child and not code:
            errors["source_code"] = SOURCE
        elif code and allowed is not None and code not in allowed:
            codes = one_of([(c, f"{c} ({ReferralSource(c).label})") for c in allowed], gettext("or"))
            errors["source_code"] = gettext("%(agency)s refers under its own source code: %(codes)s") % {
                "agency": agency.name,
                "codes": codes,
            }
        values.setdefault("source_code", "")

    @staticmethod
    def _concerns(values, failed, child: bool, errors) -> None:
        allowed = ChildConcern.values if child else AdultRiskType.values
        concerns = values.get("concerns") or []
        if not concerns:
            errors["concerns"] = gettext("Choose at least one concern")
        elif any(c not in allowed for c in concerns):
            kinds = ChildConcern.choices if child else AdultRiskType.choices
            errors["concerns"] = gettext("Choose concerns from: %(kinds)s") % {"kinds": one_of(kinds, gettext("and"))}
        values["concerns"] = sorted({c for c in concerns if c in allowed})

    @staticmethod
    def _adult_only(values, child: bool, errors) -> None:
        rules = {
            "adult_risk_location": (
                gettext("Choose where the risk is: %(places)s")
                % {"places": one_of(AdultRiskLocation.choices, gettext("or"))},
                gettext("Location of risk is recorded for adults only"),
            ),
            "adult_risk_source": (
                gettext("Choose who the risk is from: %(sources)s")
                % {"sources": one_of(AdultRiskSource.choices, gettext("or"))},
                gettext("Source of risk is recorded for adults only"),
            ),
        }
        for field, (needed, adults_only) in rules.items():
            value = values.get(field, "")
            if not child and not value:
                errors[field] = needed
            elif child and value:
                errors[field] = adults_only
            values[field] = value if not child else ""


def referral_clean(raw, *, hub, now=None, agency=None, history: bool = False) -> dict:
    """The referral, cleaned by its schema; or ValidationError with a message per dotted path. `agency`: the
    sending agency, whose source codes the referral must carry; `history`: a trusted caller recording a referral
    received earlier than the hub's late-referral window (an import, an amendment)."""
    return validated(ReferralSchema, raw, hub=hub, now=now, agency=agency, history=history)


# The agencies' change feed (README, "The change feed"): the query strings of the referral list and the events.
# A feed's cursor is "<txid>.<id>": every text of this shape is a position (beyond the end, a page is empty), and 18
# digits stay inside the database's 64-bit integers.
CURSOR_PATTERN = r"^[0-9]{1,18}\.[0-9]{1,18}$"
SINCE = _("Enter the instant as ISO 8601 with its offset, such as 2026-11-25T09:30:00Z")
SINCE_PATTERN = r"^2[0-9]{3}-"  # from the year 2000 to 2999, as given: nothing happened before, nothing overflows


class Digits(Lenient, serializers.CharField):
    """A whole number written in a query string, from `low` to `high`, or nothing."""

    def __init__(self, *, low: int, high: int, message: str, **kwargs):
        self.low, self.high, self.message = low, high, message
        super().__init__(required=False, allow_null=True, **kwargs)

    def to_internal_value(self, data):
        if data is None:
            return None
        if not isinstance(data, str) or not data.isascii() or not data.isdigit() or len(data) > 19:
            raise ValidationError(self.message)
        if not self.low <= int(data) <= self.high:
            raise ValidationError(self.message)
        return int(data)


class Instant(Moment):
    """A query string's instant: absent is nothing, but present and empty is refused, as the schema says."""

    def to_internal_value(self, data):
        if data == "":
            raise ValidationError(self.message)
        if isinstance(data, str) and not re.match(SINCE_PATTERN, data):
            # The year as written (the published pattern), not in UTC: 2000-01-01T00:00:00+08:00 is allowed.
            raise ValidationError(gettext("Enter an instant from the year 2000 on"))
        return super().to_internal_value(data)


class ReferralListQuerySchema(Schema):
    """`GET /api/v1/referrals/?updated_since=`: only referrals whose rating, status or outcome changed at or after."""

    updated_since = Instant(message=SINCE)


class Cursor(Lenient, serializers.CharField):
    """A cursor as a page gave it (`pattern`), or nothing; present and empty is refused."""

    def __init__(self, *, pattern: str, **kwargs):
        self.pattern = re.compile(pattern)
        super().__init__(required=False, allow_null=True, **kwargs)

    def to_internal_value(self, data):
        if data is None:
            return None
        if not isinstance(data, str) or not self.pattern.fullmatch(data):
            raise ValidationError(gettext("This cursor is not one the feed gave: resume with the last one you kept"))
        return data


class EventsQuerySchema(Schema):
    """`GET /api/v1/events/`: resume after a `cursor` (from the previous page) or after an event's `id` (the cursor
    wins when both are sent)."""

    cursor = Cursor(pattern=CURSOR_PATTERN)
    after = Digits(low=0, high=10**18 - 1, message=_("Enter the id of an event you have read (a whole number)"))
    page_size = Digits(
        low=1,
        high=MAX_PAGE_SIZE,
        message=filled(_("Enter a page size from 1 to %(most)s"), most=MAX_PAGE_SIZE),
    )
