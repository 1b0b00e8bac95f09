"""The declared inputs of triage (mash/schemas.py): a screening, a manager's re-rating, an amendment's reason, a Blue
closure and a new version of the thresholds. Split from referrals/schemas.py, which holds the referral dataset's."""

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers
from rest_framework.exceptions import ValidationError

from mash.schemas import Choice, Choices, Flag, Lenient, Schema, Text
from mash.words import one_of
from referrals.models import Rating, ReferralCohort
from referrals.screening_rules import contradictions, lowered, lowerings


class ScreeningSchema(Schema):
    """A screening against the hub's thresholds in force: the criteria met, the level, the RAG rating, whether anyone
    is at immediate risk, and why. Context: `version` (the thresholds), the referral's current `rating`, `level` and
    `immediate_risk`, and `may_lower` (the acting manager). The rules across fields are referrals/screening_rules.py:
    anyone may raise concern; lowering it, or a screening that contradicts itself, needs the acting manager and a
    reason."""

    level = Text(limit=40)
    criteria = Choices([], loose=True, message=_("Choose criteria from the hub's current thresholds"))
    rating = Choice(Rating.choices, message=_("Choose a RAG rating"))
    immediate_risk = Flag(message=_("Say whether anyone is at immediate risk of harm"))
    rationale = Text(limit=10_000, required=_("Give the rationale for the level and rating"))
    confirm_reason = Text(
        limit=10_000,
        help_text=_(
            "The acting manager's reason, required when the screening lowers the rating or the level, says no one "
            "is now at immediate risk, or looks contradictory"
        ),
    )

    def check_together(self, values, failed):
        errors: dict = {}
        version, context = self.context["version"], self.context
        if version.level(values.get("level", "")) is None:
            errors["level"] = gettext("Choose the threshold level that applies")
        if any(c not in version.criteria_codes() for c in values.get("criteria") or []):
            errors["criteria"] = gettext("Choose criteria from the hub's current thresholds")
        if errors or failed & {"level", "criteria", "rating", "immediate_risk"}:
            return errors
        manager = context["may_lower"]
        level, rating, immediate = values["level"], values["rating"], values["immediate_risk"]
        lowering = []  # what the screening lowers, in words: "lowering the rating from Red to Amber", ...
        if lower := lowerings(
            version, current_rating=context["rating"], current_level=context["level"], rating=rating, level=level,
        ):  # fmt: skip
            both = one_of([(None, what) for what in lower.values()], gettext("and"))
            lowering.append(gettext("lowering %(what)s") % {"what": both})
        if context["immediate_risk"] and not immediate:
            lowering.append(gettext("saying no one is now at immediate risk of harm"))
        if not manager:
            errors.update(lowered(
                version, current_rating=context["rating"], current_level=context["level"], rating=rating, level=level,
            ))  # fmt: skip
            if context["immediate_risk"] and not immediate:
                errors["immediate_risk"] = gettext(
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
                gettext("If it is right, confirm it with your reason below") if manager
                else gettext("If it is right, ask the accountable manager to confirm it")
            )  # fmt: skip
            # What to do is said once, after the last contradiction as the form shows them (level above rating).
            last = max(found, key=["level", "rating"].index)
            for field, messages in found.items():
                errors.setdefault(field, [*messages, ask] if field == last else messages)
        if manager and lowering and not reason:
            if len(lowering) == 1:
                needed = gettext("Give your reason for %(what)s") % {"what": lowering[0]}
            else:
                needed = gettext("Give your reason for %(first)s and for %(then)s") % {
                    "first": lowering[0],
                    "then": lowering[1],
                }
            errors.setdefault("confirm_reason", needed)
        if not found and not values["concern_lowered"]:
            values["confirm_reason"] = ""
        return errors


class ReRatingSchema(Schema):
    """The acting manager's change of rating and, with it if they choose, the level, with the reason. Context:
    `rating` and `level` (the current ones) and `version` (the thresholds of the last screening)."""

    rating = Choice(Rating.choices, message=_("Choose a RAG rating"))
    level = Text(limit=40, help_text=_("A level of the thresholds of the last screening; empty keeps the level"))
    reason = Text(limit=10_000, required=_("Give the reason for the change"))

    def check_together(self, values, failed):
        level = values.get("level") or self.context["level"]
        values["level"] = level
        if values.get("level") and self.context["version"].level(level) is None:
            return {"level": gettext("Choose the threshold level that applies")}
        if values.get("rating") == self.context["rating"] and level == self.context["level"]:
            return {"rating": gettext("Choose a rating or a level different from the current ones")}
        return {}


class AmendingSchema(Schema):
    """Why a recorded referral is amended (the new version itself is a ReferralSchema)."""

    reason = Text(limit=2000, required=_("Say why the referral is amended"))


class ClosingSchema(Schema):
    reason = Text(limit=2000, required=_("Say why the hub gives no MASH response"))


class Levels(Lenient, serializers.ListField):
    """A version's levels, lowest first: each a code, a name and at least one criterion in words, every code its
    own (levels keep their codes from version to version, so that returns can count them)."""

    def __init__(self, **kwargs):
        super().__init__(child=serializers.DictField(), **kwargs)

    def to_internal_value(self, levels):
        if not isinstance(levels, list) or not levels:
            raise ValidationError(gettext("Give at least one level"))
        codes = set()
        for i, level in enumerate(levels, 1):
            if not isinstance(level, dict) or not str(level.get("name", "")).strip():
                raise ValidationError(gettext("Level %(number)s: give it a name") % {"number": i})
            criteria = level.get("criteria")
            if (
                not isinstance(criteria, list)
                or not criteria
                or not all(isinstance(c, dict) and str(c.get("text", "")).strip() for c in criteria)
            ):
                raise ValidationError(
                    gettext("Level %(number)s (%(name)s): give at least one criterion, in words")
                    % {"number": i, "name": level["name"]}
                )
            for code in [level.get("code"), *(c.get("code") for c in criteria)]:
                if not code or code in codes:
                    raise ValidationError(
                        gettext("Level %(number)s: each level and criterion needs its own code") % {"number": i}
                    )
                codes.add(code)
        return levels


class ThresholdsSchema(Schema):
    """A new version of a cohort's thresholds (the web form writes them as lines; referrals/forms.py)."""

    cohort = Choice(ReferralCohort.choices, message=_("Choose child or adult"))
    levels = Levels()
    note = Text(limit=300, required=_("Say what changed"))
