"""The outcomes a joint decision may reach, per cohort, and each in words."""

from django.db import models

from referrals.models import NO_MASH_RESPONSE


class ChildOutcome(models.TextChoices):
    NFA = "nfa", "No further action"
    INFORMATION_ADVICE = "information_advice", "Information and advice"
    EARLY_HELP = "early_help", "Early help"
    S17 = "s17_assessment", "Child in need assessment (s17)"
    S47 = "s47_strategy", "Strategy discussion (s47)"
    POLICE = "police_investigation", "Police investigation"


class AdultOutcome(models.TextChoices):
    NFA = "nfa", "No further action"
    SIGNPOSTING = "information_signposting", "Information and signposting"
    CARE_NEEDS = "care_needs_assessment", "Care needs assessment"
    S42 = "s42_enquiry", "Safeguarding enquiry (s42)"
    OTHER_ENQUIRY = "other_enquiry", "Other safeguarding enquiry"


OUTCOMES = {"child": ChildOutcome, "adult": AdultOutcome}
_LABELS = {cohort: dict(kind.choices) for cohort, kind in OUTCOMES.items()}  # read on every row of the sign-off queue


def outcome_label(cohort: str, code: str) -> str:
    if code == NO_MASH_RESPONSE:
        return "No MASH response (Blue)"
    return _LABELS.get(cohort, {}).get(code, code)
