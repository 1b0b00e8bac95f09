"""The declared inputs of the multi-agency part (mash/schemas.py): an agency's answer, a webhook, a request for
information, the joint decision with its agreed actions, a return for revision, a release, the gate override, and consent and
sharing decisions.
Each validates the web form and the API body alike and carries the messages people read; the answer and the
webhook are also the API's documented request bodies. Rules that depend on the hub (its member agencies, the
referral's thresholds and cohort) read them from the context the service gives."""

from django.utils import timezone
from django.utils.functional import lazy
from django.utils.text import format_lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_serializer
from rest_framework import serializers
from rest_framework.exceptions import ValidationError

from decisions.addresses import AddressRefused, vet
from decisions.models import (
    OUTCOMES,
    Capacity,
    Disclosure,
    LawfulBasis,
    NotAgreedReason,
    OutcomesMet,
    RiskIndicator,
    SharingKind,
    lawful_basis_for,
)
from mash.schemas import Choice, Choices, Day, Flag, Lenient, Schema, Text
from mash.words import one_of

MAX_ACTIONS = 20
one_of_lazy = lazy(one_of, str)  # the labels in the language active when the message is read


@extend_schema_serializer(component_name="ContributionInput")
class ContributionSchema(Schema):
    """An agency's answer to the hub's request: known (with what) or no trace, under a lawful basis and a disclosure
    level. Context: `agency` (whose default lawful basis applies)."""

    unknown = _(
        "This field is not part of an answer: send known, risk_indicators, summary, detail, lawful_basis and disclosure"
    )

    known = Flag(message=_("Say whether the agency knows the subject, or record no trace"), default=None,
                 help_text=_("true: the agency holds information; false: no trace"))  # fmt: skip
    risk_indicators = Choices(
        RiskIndicator.choices,
        message=format_lazy(_("Choose risk indicators from: {choices}"), choices=one_of_lazy(RiskIndicator.choices, "and")),
        help_text=_("Ignored for no trace"),
    )  # fmt: skip
    summary = Text(limit=2000, too_long=_("Keep the summary to 2,000 characters; put the rest in the detail"),
                   help_text=_("Required when known is true"))  # fmt: skip
    detail = Text(limit=20_000, too_long=_("Keep the detail to 20,000 characters"))
    lawful_basis = Choice(
        LawfulBasis.choices, optional=True,
        message=format_lazy(_("Choose the lawful basis: {choices}"), choices=one_of_lazy(LawfulBasis.choices)),
        help_text=_("The agency's own, and the default: police dpa_part3_sch8_4, every other agency "
                    "gdpr_6_1_e_dpa_sch1_18 (any other is refused)"),
    )  # fmt: skip
    disclosure = Choice(
        Disclosure.choices, optional=True, message=_("Choose shared or restricted"),
        help_text=_("shared (the default): the hub's decision-makers see it; restricted: the accountable manager only, "
                    "until your agency consents to its release"),
    )  # fmt: skip

    def check_together(self, values, failed):
        errors = {}
        if values.get("known") is True and not values.get("summary"):
            errors["summary"] = gettext("Summarise what the agency knows")
        if values.get("known") is False:
            values["risk_indicators"] = []
        values["risk_indicators"] = sorted(set(values.get("risk_indicators") or []))
        agency = self.context["agency"]
        basis = lawful_basis_for(agency)
        if values.get("lawful_basis") and values["lawful_basis"] != basis:
            errors["lawful_basis"] = gettext(
                "%(agency)s shares under %(basis)s: send %(code)s or leave lawful_basis out"
            ) % {
                "agency": agency.name,
                "basis": LawfulBasis(basis).label,
                "code": basis,
            }
        values["lawful_basis"] = values.get("lawful_basis") or basis
        values["disclosure"] = values.get("disclosure") or Disclosure.SHARED
        return errors


@extend_schema_serializer(component_name="WebhookInput")
class WebhookSchema(Schema):
    """Where an agency's system hears the outcomes of its referrals: an https:// address on the public internet
    (decisions/addresses.py says which, and every refusal says why)."""

    unknown = _("This field is not part of a webhook: send url")

    url = Text(limit=500, required=_("Give the full address, starting https://"),
               help_text=_("https:// address on the public internet (port 443 or 8443) that receives the notices"))  # fmt: skip

    def check_together(self, values, failed):
        url = values.get("url", "")
        if "url" in failed or not url:
            return {}
        try:
            vet(url)
        except AddressRefused as refused:
            return {"url": str(refused)}
        return {}


class RequestSchema(Schema):
    """Which contributing agencies to ask besides the core ones, and what to check. Context: `members` (the hub's
    memberships by agency id as text)."""

    agencies = Choices([], loose=True, message=_("Choose agencies that are members of this hub"))
    note = Text(limit=2000)

    def check_together(self, values, failed):
        chosen = values.get("agencies") or []
        if any(agency not in self.context["members"] for agency in chosen):
            return {"agencies": gettext("Choose agencies that are members of this hub")}
        return {}


class ActionSchema(Schema):
    """One agreed action: the member agency that owns it, what will be done, the day it is due (today or later)."""

    owner = Text(limit=40)
    description = Text(limit=2000, required=_("Describe the action"))
    due_on = Day(message=_("Give the date the action is due"))

    def check_together(self, values, failed):
        errors = {}
        if values.get("owner") not in self.context["members"]:
            errors["owner"] = gettext("Choose the agency that owns this action")
        due_on = values.get("due_on")
        if due_on is None and "due_on" not in failed:
            errors["due_on"] = gettext("Give the date the action is due")
        elif due_on is not None and due_on < timezone.localdate():
            errors["due_on"] = gettext("The due date must be today or later")
        return errors


class Actions(Lenient, serializers.ListField):
    """The agreed actions, each checked on its own (errors at actions.<n>.<field>)."""

    def __init__(self, **kwargs):
        super().__init__(child=ActionSchema(), required=False, **kwargs)

    def to_internal_value(self, data):
        if data is None:
            return []
        if not isinstance(data, list) or len(data) > MAX_ACTIONS:
            raise ValidationError(
                gettext("Give the agreed actions as a list of at most %(most)s") % {"most": MAX_ACTIONS}
            )
        self.child.context.update(self.parent.context)
        actions, errors = [], {}
        for i, raw in enumerate(data):
            try:
                actions.append(self.child.run_validation(raw))
            except ValidationError as exc:
                errors[i] = exc.detail
        if errors:
            raise ValidationError(errors)
        return actions


class DecisionSchema(Schema):
    """The joint decision: outcome, threshold level, rationale, the agencies that took part and the agreed actions;
    with the reason when it amends a signed one. Context: `cohort`, `levels` (the referral's threshold level codes),
    `members`, `core` (the core agencies' ids and names), `all_core_needed` (no override, not an amendment),
    `amending`, `outcomes_expressed` (an adult's referral whose desired outcomes were expressed: whether they were met
    is then required)."""

    outcome = Text(limit=40)
    threshold_level = Text(limit=40)
    rationale = Text(limit=10_000, required=_("Give the rationale for the decision"))
    participants = Choices([], loose=True, message=_("Choose the agencies that took part in the decision"))
    actions = Actions()
    amendment_reason = Text(limit=2000)
    outcomes_met = Choice(OutcomesMet.choices, optional=True, message=_("Choose fully, partly or not met"))

    def check_together(self, values, failed):
        errors = {}
        context = self.context
        if not context.get("outcomes_expressed"):
            values["outcomes_met"] = ""  # asked of an adult's referral whose desired outcomes were expressed only
        elif not values.get("outcomes_met") and "outcomes_met" not in failed:
            errors["outcomes_met"] = gettext("Say whether the outcomes the adult wanted were met: fully, partly or not")
        if values.get("outcome") not in OUTCOMES[context["cohort"]].values:
            errors["outcome"] = gettext("Choose the outcome")
        if values.get("threshold_level") not in context["levels"]:
            errors["threshold_level"] = gettext("Choose the threshold level")
        participants = set(values.get("participants") or [])
        if not participants or not participants <= set(context["members"]):
            errors["participants"] = gettext("Choose the agencies that took part in the decision")
        elif context["all_core_needed"]:
            absent = [name for pk, name in context["core"] if pk not in participants]
            if absent:
                errors["participants"] = gettext("Core agencies take part in every decision: add %(agencies)s") % {
                    "agencies": ", ".join(absent)
                }
        if context["amending"] and not values.get("amendment_reason"):
            errors["amendment_reason"] = gettext("The decision is signed off: say why it is being amended")
        return errors


class ReturnSchema(Schema):
    comments = Text(limit=10_000, required=_("Say what needs to change"))


class ReleaseSchema(Schema):
    consent = Text(limit=2000, required=_("Record who at the owning agency consented, and when"))


class OverrideSchema(Schema):
    reason = Text(limit=10_000, required=_("Give the reason for deciding without every core agency"))


class ConsentSchema(Schema):
    """Whether the parent or carer (or the adult) was told of the referral and agreed; the reason when not. Context:
    `cohort` (a child's referral cannot give the adult's lack of capacity as the reason)."""

    told = Flag(message=_("Say whether they were told of the referral"), default=None)
    agreed = Flag(message=_("Say whether they agreed"), default=None)
    reason = Choice(NotAgreedReason.choices, message=_("Choose why they were not told or did not agree"), optional=True)
    reason_detail = Text(limit=2000)

    def check_together(self, values, failed):
        told, agreed, reason = values.get("told"), values.get("agreed"), values.get("reason", "")
        if told is False and agreed is True:
            return {"agreed": gettext("They cannot have agreed to a referral they were not told of: answer no")}
        if told and agreed:
            values["reason"] = ""  # a reason ticked before the answer changed to yes: nothing to give
            return {}
        if "told" in failed or "agreed" in failed:
            return {}
        if not reason:
            return {"reason": gettext("Choose why they were not told or did not agree")}
        if reason == NotAgreedReason.LACKS_CAPACITY and self.context.get("cohort") != "adult":
            return {
                "reason": gettext(
                    "Only an adult's referral can give the adult's lack of capacity: choose another reason"
                )
            }
        if reason == NotAgreedReason.OTHER and not values.get("reason_detail"):
            return {"reason_detail": gettext("Say what the other reason is")}
        return {}


class SharingDecisionSchema(Schema):
    """A decision to share without consent (rationale and lawful basis required) or not to share (rationale)."""

    kind = Choice(
        SharingKind.choices, message=_("Choose whether this is a decision to share without consent or not to share")
    )
    what = Text(limit=2000, required=_("Say what information this decision is about"))
    with_whom = Text(limit=200, required=_("Say with whom it is shared, or would have been"))
    rationale = Text(limit=10_000, required=_("Give the rationale for the decision"))
    lawful_basis = Choice(LawfulBasis.choices, message=_("Choose a lawful basis from the list"), optional=True)

    def check_together(self, values, failed):
        if values.get("kind") == SharingKind.WITHOUT_CONSENT and not values.get("lawful_basis"):
            return {"lawful_basis": gettext("Choose the lawful basis for sharing without consent")}
        if values.get("kind") == SharingKind.NOT_TO_SHARE and values.get("lawful_basis"):
            return {"lawful_basis": gettext("Leave the lawful basis empty: nothing is shared")}
        return {}


class SharingOverrideSchema(Schema):
    reason = Text(limit=10_000, required=_("Give the reason for overriding this decision"))


class AdultVoiceSchema(Schema):
    """The adult's voice (Making Safeguarding Personal): whether they were asked what they want to happen, their
    desired outcomes in their words or why they were not asked; their mental capacity to make decisions about their
    safety (who assessed it and when, and the best-interests decision when they lack it); advocacy."""

    asked = Flag(message=_("Say whether the adult was asked what they want to happen"), default=None)
    desired_outcomes = Text(limit=5000)
    not_asked_reason = Text(limit=2000)
    capacity = Choice(Capacity.choices, message=_("Choose whether capacity was assumed or assessed"))
    assessor_name = Text(limit=120)
    assessor_role = Text(limit=120)
    assessed_on = Day(message=_("Give the date capacity was assessed, like 25 11 2026"))
    best_interests_decision = Text(limit=5000)
    best_interests_reasons = Text(limit=5000)
    advocacy_needed = Flag(message=_("Say whether the adult needs an advocate"), default=None)
    advocacy_offered = Flag(message=_("Say whether an advocate was offered"))
    advocacy_provided = Flag(message=_("Say whether an advocate was provided"))
    advocate = Text(limit=200)

    def check_together(self, values, failed):
        errors = {}
        if values.get("asked") is True and not values.get("desired_outcomes"):
            errors["desired_outcomes"] = gettext("Write what the adult wants to happen, in their words")
        if values.get("asked") is False and not values.get("not_asked_reason"):
            errors["not_asked_reason"] = gettext("Say why the adult was not asked")
        capacity = values.get("capacity")
        if capacity in (Capacity.HAS, Capacity.LACKS):
            if not values.get("assessor_name"):
                errors["assessor_name"] = gettext("Give the name of the person who assessed capacity")
            if not values.get("assessor_role"):
                errors["assessor_role"] = gettext("Give the role of the person who assessed capacity")
            if values.get("assessed_on") is None and "assessed_on" not in failed:
                errors["assessed_on"] = gettext("Give the date capacity was assessed")
        day = values.get("assessed_on")
        if day is not None and day > timezone.localdate():
            errors["assessed_on"] = gettext("The date capacity was assessed must be today or in the past")
        if capacity == Capacity.LACKS:
            if not values.get("best_interests_decision"):
                errors["best_interests_decision"] = gettext("Record the best-interests decision")
            if not values.get("best_interests_reasons"):
                errors["best_interests_reasons"] = gettext("Give the reasons for the best-interests decision")
        if values.get("advocacy_provided") and not values.get("advocate"):
            errors["advocate"] = gettext("Say who provides the advocacy")
        return errors
