"""The declared input of a strategy discussion (mash/schemas.py). Context from the service: `cohort`, `members` (the
hub's memberships by agency id as text), `contributions` (the ids, as text, of the referral's contributions the
recorder may see) and `received_at` (when the referral was received)."""

from datetime import datetime, time

from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers
from rest_framework.exceptions import ValidationError

from decisions.models.strategy import REASON_NEEDED, S47_DECISIONS, STRATEGY_DECISIONS, StrategyMode
from decisions.schemas import Actions
from mash.schemas import Choice, Choices, Day, Lenient, Schema, Text

MAX_PARTICIPANTS = 30


class ParticipantSchema(Schema):
    """One person who took part: their agency (a member of the hub) and their role or name."""

    agency = Text(limit=40)
    role = Text(limit=200, required=_("Give the role or name of the person from this agency"))

    def check_together(self, values, failed):
        if values.get("agency") not in self.context["members"]:
            return {"agency": gettext("Choose the agency of the person who took part")}
        return {}


class Participants(Lenient, serializers.ListField):
    """Who took part, each checked on its own (errors at participants.<n>.<field>)."""

    def __init__(self, **kwargs):
        super().__init__(child=ParticipantSchema(), required=False, **kwargs)

    def to_internal_value(self, data):
        if data in (None, []):
            raise ValidationError(gettext("Say who took part: at least one agency"))
        if not isinstance(data, list) or len(data) > MAX_PARTICIPANTS:
            raise ValidationError(
                gettext("Give who took part as a list of at most %(most)s") % {"most": MAX_PARTICIPANTS}
            )
        self.child.context.update(self.parent.context)
        rows, errors = [], {}
        for i, raw in enumerate(data):
            try:
                rows.append(self.child.run_validation(raw))
            except ValidationError as exc:
                errors[i] = exc.detail
        if errors:
            raise ValidationError(errors)
        return rows


def _clock(text: str) -> time | None:
    try:
        return time.fromisoformat(text) if len(text) == 5 else None
    except ValueError:
        return None


class StrategyDiscussionSchema(Schema):
    """When and how it was held, who took part, what was shared, the decision (with its reason, and the day a
    section 47 enquiry started) and the actions agreed."""

    held_on = Day(message=_("Enter the date of the discussion as a real date"))
    held_time = Text(limit=5, required=_("Enter the time of the discussion, like 14:30"))
    mode = Choice(StrategyMode.choices, message=_("Choose how the discussion was held"))
    participants = Participants()
    shared = Choices([], loose=True, message=_("Choose from the information the agencies shared on this referral"))
    decision = Text(limit=30)
    reason = Text(limit=10_000)
    s47_started_on = Day(message=_("Enter the date the section 47 enquiry started as a real date"))
    actions = Actions()

    def check_together(self, values, failed):
        errors = {}
        context = self.context
        received_at = context["received_at"]
        held_on, clock = values.get("held_on"), _clock(values.get("held_time") or "")
        values["held_at"] = None
        if held_on is None and "held_on" not in failed:
            errors["held_on"] = gettext("Enter the date of the discussion")
        if clock is None and values.get("held_time"):
            errors["held_time"] = gettext("Enter the time of the discussion, like 14:30")
        if held_on is not None and clock is not None:
            held_at = timezone.make_aware(datetime.combine(held_on, clock))
            if held_at > timezone.now():
                errors["held_on"] = gettext("The discussion cannot be in the future: record it once it has been held")
            elif held_at < received_at:
                errors["held_on"] = gettext("The discussion cannot be before the referral was received")
            values["held_at"] = held_at
        decision = values.get("decision")
        if decision not in STRATEGY_DECISIONS[context["cohort"]]:
            errors["decision"] = gettext("Choose what the discussion decided")
        if decision in REASON_NEEDED and not values.get("reason"):
            errors["reason"] = gettext("Give the reason no enquiry will be made")
        started = values.get("s47_started_on")
        if decision in S47_DECISIONS:
            if started is None and "s47_started_on" not in failed:
                errors["s47_started_on"] = gettext("Enter the date the section 47 enquiry started")
            elif started is not None and started < timezone.localdate(received_at):
                errors["s47_started_on"] = gettext(
                    "The section 47 enquiry cannot start before the referral was received"
                )
            elif started is not None and started > timezone.localdate():
                errors["s47_started_on"] = gettext("The section 47 enquiry's start cannot be in the future")
        else:
            values["s47_started_on"] = None
        if any(pk not in context["contributions"] for pk in values.get("shared") or []):
            errors["shared"] = gettext("Choose from the information the agencies shared on this referral")
        return errors


class StrategyReasonSchema(Schema):
    reason = Text(limit=10_000, required=_("Give the reason the discussion went ahead without every required agency"))
