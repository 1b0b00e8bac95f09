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
from drf_spectacular.utils import extend_schema_serializer
from rest_framework import serializers
from rest_framework.exceptions import ValidationError

from agencies.codes import ReferralSource
from agencies.models import Cohort
from mash.api_paging import MAX_PAGE_SIZE
from mash.schemas import Choice, Choices, Day, Flag, Lenient, Moment, Schema, Text, Whole, validated
from mash.words import one_of
from referrals.dataset import ADULT_AGE, age_on, nhs_number_problem, normal_postcode
from referrals.models import (
    AdultRiskLocation,
    AdultRiskSource,
    AdultRiskType,
    ChildConcern,
    Consent,
    PersonRole,
    Rating,
    ReferralCohort,
)
from referrals.screening_rules import contradictions, lowered, lowerings

NOT_IN_DATASET = "This field is not part of the referral dataset"
SOURCE = "Choose the referral source: one of the 22 Children in Need codes, such as 6 for police"
OTHER_ROLES = [r for r in PersonRole.values if r != PersonRole.SUBJECT]
MAX_OTHERS = 20
CHILD_AGE_LIMIT = 25  # children's services reach care leavers up to 25 (Children and Social Work Act 2017, s3)
# Adults' services take referrals from 16, when preparing for adulthood begins (Care Act 2014 ss58-59); s42 is from 18.
ADULT_MIN_AGE = 16


@extend_schema_serializer(component_name="Referrer")
class ReferrerSchema(Schema):
    """Who made the referral, and how to reach them."""

    unknown = NOT_IN_DATASET
    not_an_object = "Enter who made the referral"

    name = Text(limit=120, required="Enter the referrer's name")
    role = Text(limit=120)
    contact = Text(limit=200, required="Enter a phone number or email address for the referrer",
                   help_text="Phone number or email address")  # fmt: skip


@extend_schema_serializer(component_name="Person")
class PersonSchema(Schema):
    """A person named in the referral: the subject (family name and a date of birth or an age needed)."""

    unknown = NOT_IN_DATASET
    not_an_object = "Enter the person's details"

    given_name = Text(limit=100)
    family_name = Text(limit=100, required="Enter the family name, or 'Unknown'")
    date_of_birth = Day(message="Enter the date of birth as YYYY-MM-DD", help_text="YYYY-MM-DD; or estimated_age")
    estimated_age = Whole(low=0, high=120, message="Enter an estimated age in whole years, from 0 to 120")
    gender = Text(limit=40)
    ethnicity = Text(limit=80)
    nhs_number = Text(limit=12, help_text="10 digits, Modulus 11 check digit; spaces and dashes are ignored")
    address = Text(limit=300)
    postcode = Text(limit=10, help_text="A UK postcode")

    def check_together(self, values, failed):
        errors = {}
        today = timezone.localdate()
        born = values.get("date_of_birth")
        if born and born > today:
            errors["date_of_birth"] = "The date of birth must be in the past"
        elif born and born.year < today.year - 120:
            errors["date_of_birth"] = "Enter a date of birth within the last 120 years"
        unknown_age = born is None and values.get("estimated_age") is None
        if self.needs_age and unknown_age and not failed & {"date_of_birth", "estimated_age"}:
            errors["date_of_birth"] = "Enter the date of birth, or an estimated age"
        nhs = values.get("nhs_number", "")
        if nhs and (problem := nhs_number_problem(nhs)):
            errors["nhs_number"] = problem
        values["nhs_number"] = nhs.replace(" ", "").replace("-", "")
        postcode = values.get("postcode", "")
        if postcode and normal_postcode(postcode) is None:
            errors["postcode"] = "Enter a real UK postcode, like SW1A 1AA"
        values["postcode"] = normal_postcode(postcode) if postcode else ""
        return errors

    needs_age = True


@extend_schema_serializer(component_name="OtherPerson")
class OtherPersonSchema(PersonSchema):
    """Someone else named in the referral, with how they are involved (no age needed)."""

    role = Choice(
        [(r, PersonRole(r).label) for r in OTHER_ROLES],
        message="Choose how this person is involved: " + one_of([(r, PersonRole(r).label) for r in OTHER_ROLES]),
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
            OtherPersonSchema(), most=MAX_OTHERS, too_many=f"Name no more than {MAX_OTHERS} other people",
            not_a_list="Send the other people as a list", **kwargs,
        )  # fmt: skip


@extend_schema_serializer(component_name="Referral")
class ReferralSchema(Schema):
    """The standard record of a referral about a child or an adult at risk."""

    unknown = NOT_IN_DATASET
    not_an_object = "Send the referral as a JSON object"

    referrer = ReferrerSchema()
    cohort = Choice(ReferralCohort.choices, message="Choose child or adult", optional=True,
                    help_text="Derived from the subject's age (18 and over: adult) unless given")  # fmt: skip
    received_at = Moment(message="Enter the time received with its offset, like 2026-11-25T09:30:00+00:00",
                         help_text="With its offset; now unless given")  # fmt: skip
    source_code = Choice(ReferralSource.choices, optional=True, message=SOURCE,
                         help_text="Children in Need referral-source code: required for a child (the cohort, when not "
                         "sent, follows the age); an agency's system sends one of its own agency's codes")  # fmt: skip
    concerns = Choices(
        ChildConcern.choices + AdultRiskType.choices, message="Choose at least one concern", loose=True,
        help_text="A child: categories of abuse; an adult: the Safeguarding Adults Collection's types of risk",
    )  # fmt: skip
    adult_risk_location = Choice(AdultRiskLocation.choices, optional=True, message="Choose where the risk is",
                                 help_text="Adults only (SAC location of risk)")  # fmt: skip
    adult_risk_source = Choice(AdultRiskSource.choices, optional=True, message="Choose who the risk is from",
                               help_text="Adults only (SAC source of risk)")  # fmt: skip
    narrative = Text(limit=20_000, required="Describe the concern in your own words")
    # Required, never assumed: a referral that leaves it out could bury someone at immediate risk in the queue.
    immediate_risk = Flag(
        message="Say whether anyone is at immediate risk of harm", default=None,
        help_text="true puts the referral first in the hub's triage queue, with its decision due within the hub's "
        "immediate-risk hours, and tells the manager and practitioners at once",
    )  # fmt: skip
    consent = Choice(Consent.choices, message="Choose whether consent was obtained, not obtained, or dispensed with")
    consent_reason = Text(limit=2000, help_text="Required unless consent was obtained")
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
            errors["consent_reason"] = "Say why consent was not obtained or was dispensed with"

    def _received(self, values, failed, errors, hub, now) -> None:
        """Now unless given; never in the future, nor longer ago than the hub takes late referrals (its
        `late_referral_days`), unless the context says `history` (a trusted import, or an amendment keeping the
        time the referral was received)."""
        received = values.get("received_at")
        if received is None and "received_at" not in failed:
            values["received_at"] = now
        elif received is not None and received > now:
            errors["received_at"] = "The time received cannot be in the future"
        elif received is not None and not self.context.get("history"):
            days = hub.late_referral_days
            if received < now - timedelta(days=days):
                errors["received_at"] = (
                    f"The time received must be within the last {days} day{'s' if days != 1 else ''}: "
                    f"{hub.name} takes referrals received up to {days} day{'s' if days != 1 else ''} ago"
                )

    @staticmethod
    def _child_age(values, failed, child: bool, errors) -> None:
        """The subject's age is plausible for the cohort: a child for children's services (care leavers to 25), an
        adult for adults' services (from 16, preparing for adulthood)."""
        subject = values.get("subject") or {}
        age = age_on(subject, timezone.localdate())
        if age is None or "cohort" in failed or (age <= CHILD_AGE_LIMIT if child else age >= ADULT_MIN_AGE):
            return
        field = "subject.date_of_birth" if subject.get("date_of_birth") else "subject.estimated_age"
        who, limit, other = ("a child", f"{CHILD_AGE_LIMIT} or under", "adult") if child else ("an adult at risk", f"{ADULT_MIN_AGE} or over", "child")  # fmt: skip
        what = "date of birth" if field.endswith("birth") else "age"
        errors[field] = f"A referral about {who} is about someone aged {limit}: check the {what}, or choose {other}"

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
            noun = "children" if cohort == ReferralCohort.CHILD else "adults"
            errors["cohort"] = f"{hub.name} does not take referrals about {noun}"
        return cohort

    @staticmethod
    def _source(values, child: bool, errors, agency) -> None:
        """A child's referral needs its source code; an agency's own referral carries one of that agency's codes."""
        code = values.get("source_code")
        allowed = agency.referral_sources() if agency is not None else None
        if child and not code:
            errors["source_code"] = SOURCE
        elif code and allowed is not None and code not in allowed:
            codes = one_of([(c, f"{c} ({ReferralSource(c).label})") for c in allowed])
            errors["source_code"] = f"{agency.name} refers under its own source code: {codes}"
        values.setdefault("source_code", "")

    @staticmethod
    def _concerns(values, failed, child: bool, errors) -> None:
        allowed = ChildConcern.values if child else AdultRiskType.values
        concerns = values.get("concerns") or []
        if not concerns:
            errors["concerns"] = "Choose at least one concern"
        elif any(c not in allowed for c in concerns):
            kinds = ChildConcern.choices if child else AdultRiskType.choices
            errors["concerns"] = f"Choose concerns from: {one_of(kinds, 'and')}"
        values["concerns"] = sorted({c for c in concerns if c in allowed})

    @staticmethod
    def _adult_only(values, child: bool, errors) -> None:
        rules = {
            "adult_risk_location": (
                f"Choose where the risk is: {one_of(AdultRiskLocation.choices)}",
                "Location of risk",
            ),
            "adult_risk_source": (f"Choose who the risk is from: {one_of(AdultRiskSource.choices)}", "Source of risk"),
        }
        for field, (needed, name) in rules.items():
            value = values.get(field, "")
            if not child and not value:
                errors[field] = needed
            elif child and value:
                errors[field] = f"{name} is recorded for adults only"
            values[field] = value if not child else ""


class ScreeningSchema(Schema):
    """A screening against the hub's thresholds in force: the criteria met, the level, the RAG rating, whether anyone
    is at immediate risk, and why. Context: `version` (the thresholds), the referral's current `rating`, `level` and
    `immediate_risk`, and `may_lower` (the acting manager). The rules across fields are referrals/screening_rules.py:
    anyone may raise concern; lowering it, or a screening that contradicts itself, needs the acting manager and a
    reason."""

    level = Text(limit=40)
    criteria = Choices([], loose=True, message="Choose criteria from the hub's current thresholds")
    rating = Choice(Rating.choices, message="Choose a RAG rating")
    immediate_risk = Flag(message="Say whether anyone is at immediate risk of harm")
    rationale = Text(limit=10_000, required="Give the rationale for the level and rating")
    confirm_reason = Text(
        limit=10_000,
        help_text="The acting manager's reason, required when the screening lowers the rating or the level, says no one "
        "is now at immediate risk, or looks contradictory",
    )

    def check_together(self, values, failed):
        errors: dict = {}
        version, context = self.context["version"], self.context
        if version.level(values.get("level", "")) is None:
            errors["level"] = "Choose the threshold level that applies"
        if any(c not in version.criteria_codes() for c in values.get("criteria") or []):
            errors["criteria"] = "Choose criteria from the hub's current thresholds"
        if errors or failed & {"level", "criteria", "rating", "immediate_risk"}:
            return errors
        manager = context["may_lower"]
        level, rating, immediate = values["level"], values["rating"], values["immediate_risk"]
        lowering = []  # what the screening lowers, in words: "lowering the rating from Red to Amber", ...
        if lower := lowerings(
            version, current_rating=context["rating"], current_level=context["level"], rating=rating, level=level,
        ):  # fmt: skip
            lowering.append("lowering " + one_of([(None, what) for what in lower.values()], "and"))
        if context["immediate_risk"] and not immediate:
            lowering.append("saying no one is now at immediate risk of harm")
        if not manager:
            errors.update(lowered(
                version, current_rating=context["rating"], current_level=context["level"], rating=rating, level=level,
            ))  # fmt: skip
            if context["immediate_risk"] and not immediate:
                errors["immediate_risk"] = (
                    "Someone was found at immediate risk of harm: only the accountable manager may say no one is now"
                )
        reason = values.get("confirm_reason")
        found = contradictions(
            version, level=level, criteria=values["criteria"], rating=rating, immediate_risk=immediate
        )
        values["contradictions_confirmed"] = bool(found) and manager and bool(reason)
        values["concern_lowered"] = bool(lowering) and manager
        if found and not values["contradictions_confirmed"]:
            ask = (
                "If it is right, confirm it with your reason below" if manager
                else "If it is right, ask the accountable manager to confirm it"
            )  # fmt: skip
            # What to do is said once, after the last contradiction as the form shows them (level above rating).
            last = max(found, key=["level", "rating"].index)
            for field, messages in found.items():
                errors.setdefault(field, [*messages, ask] if field == last else messages)
        if manager and lowering and not reason:
            errors.setdefault("confirm_reason", "Give your reason for " + " and for ".join(lowering))
        if not found and not values["concern_lowered"]:
            values["confirm_reason"] = ""
        return errors


class ReRatingSchema(Schema):
    """The acting manager's change of rating and, with it if they choose, the level, with the reason. Context:
    `rating` and `level` (the current ones) and `version` (the thresholds of the last screening)."""

    rating = Choice(Rating.choices, message="Choose a RAG rating")
    level = Text(limit=40, help_text="A level of the thresholds of the last screening; empty keeps the level")
    reason = Text(limit=10_000, required="Give the reason for the change")

    def check_together(self, values, failed):
        level = values.get("level") or self.context["level"]
        values["level"] = level
        if values.get("level") and self.context["version"].level(level) is None:
            return {"level": "Choose the threshold level that applies"}
        if values.get("rating") == self.context["rating"] and level == self.context["level"]:
            return {"rating": "Choose a rating or a level different from the current ones"}
        return {}


class AmendingSchema(Schema):
    """Why a recorded referral is amended (the new version itself is a ReferralSchema)."""

    reason = Text(limit=2000, required="Say why the referral is amended")


class ClosingSchema(Schema):
    reason = Text(limit=2000, required="Say why the hub gives no MASH response")


class Levels(Lenient, serializers.ListField):
    """A version's levels, lowest first: each a code, a name and at least one criterion in words, every code its
    own (levels keep their codes from version to version, so that returns can count them)."""

    def __init__(self, **kwargs):
        super().__init__(child=serializers.DictField(), **kwargs)

    def to_internal_value(self, levels):
        if not isinstance(levels, list) or not levels:
            raise ValidationError("Give at least one level")
        codes = set()
        for i, level in enumerate(levels, 1):
            if not isinstance(level, dict) or not str(level.get("name", "")).strip():
                raise ValidationError(f"Level {i}: give it a name")
            criteria = level.get("criteria")
            if (
                not isinstance(criteria, list)
                or not criteria
                or not all(isinstance(c, dict) and str(c.get("text", "")).strip() for c in criteria)
            ):
                raise ValidationError(f"Level {i} ({level['name']}): give at least one criterion, in words")
            for code in [level.get("code"), *(c.get("code") for c in criteria)]:
                if not code or code in codes:
                    raise ValidationError(f"Level {i}: each level and criterion needs its own code")
                codes.add(code)
        return levels


class ThresholdsSchema(Schema):
    """A new version of a cohort's thresholds (the web form writes them as lines; referrals/forms.py)."""

    cohort = Choice(ReferralCohort.choices, message="Choose child or adult")
    levels = Levels()
    note = Text(limit=300, required="Say what changed")


def referral_clean(raw, *, hub, now=None, agency=None, history: bool = False) -> dict:
    """The referral, cleaned by its schema; or ValidationError with a message per dotted path. `agency`: the
    sending agency, whose source codes the referral must carry; `history`: a trusted caller recording a referral
    received earlier than the hub's late-referral window (an import, an amendment)."""
    return validated(ReferralSchema, raw, hub=hub, now=now, agency=agency, history=history)


# The agencies' change feed (README, "The change feed"): the query strings of the referral list and the events.
# A feed's cursor is "<txid>.<id>": every text of this shape is a position (beyond the end, a page is empty), and 18
# digits stay inside the database's 64-bit integers.
CURSOR_PATTERN = r"^[0-9]{1,18}\.[0-9]{1,18}$"
SINCE = "Enter the instant as ISO 8601 with its offset, such as 2026-11-25T09:30:00Z"
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
            raise ValidationError("Enter an instant from the year 2000 on")
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
            raise ValidationError("This cursor is not one the feed gave: resume with the last one you kept")
        return data


class EventsQuerySchema(Schema):
    """`GET /api/v1/events/`: resume after a `cursor` (from the previous page) or after an event's `id` (the cursor
    wins when both are sent)."""

    cursor = Cursor(pattern=CURSOR_PATTERN)
    after = Digits(low=0, high=10**18 - 1, message="Enter the id of an event you have read (a whole number)")
    page_size = Digits(low=1, high=MAX_PAGE_SIZE, message=f"Enter a page size from 1 to {MAX_PAGE_SIZE}")
