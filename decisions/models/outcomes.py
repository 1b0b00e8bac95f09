"""The outcomes a joint decision may reach, per cohort, and each in words: England's (Working Together 2023, the Care
Act 2014) or, for a hub in Wales (`Hub.procedures`), the Wales Safeguarding Procedures' (the Social Services and
Well-being (Wales) Act 2014). The codes are the same in both, so returns count them alike."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from referrals.models import NO_MASH_RESPONSE


class ChildOutcome(models.TextChoices):
    NFA = "nfa", _("No further action")
    INFORMATION_ADVICE = "information_advice", _("Information and advice")
    EARLY_HELP = "early_help", _("Early help")
    S17 = "s17_assessment", _("Child in need assessment (s17)")
    S47 = "s47_strategy", _("Strategy discussion (s47)")
    POLICE = "police_investigation", _("Police investigation")


class AdultOutcome(models.TextChoices):
    NFA = "nfa", _("No further action")
    SIGNPOSTING = "information_signposting", _("Information and signposting")
    CARE_NEEDS = "care_needs_assessment", _("Care needs assessment")
    S42 = "s42_enquiry", _("Safeguarding enquiry (s42)")
    OTHER_ENQUIRY = "other_enquiry", _("Other safeguarding enquiry")


OUTCOMES = {"child": ChildOutcome, "adult": AdultOutcome}

# Where the Wales Safeguarding Procedures name an outcome otherwise: care and support assessments under Part 3 of the
# 2014 Act (s.21 for a child, s.19 for an adult), an adult at risk's enquiry under s.126 (reported under the duty in
# s.128), information, advice and assistance (Part 2), and Families First for early help.
WALES = {
    "child": {
        "early_help": _("Early help (Families First)"),
        "s17_assessment": _("Care and support assessment (s.21)"),
        "s47_strategy": _("Strategy discussion: child at risk (s.47)"),
    },
    "adult": {
        "information_signposting": _("Information, advice and assistance"),
        "care_needs_assessment": _("Care and support assessment (s.19)"),
        "s42_enquiry": _("Adult at risk enquiry (s.126)"),
    },
}
PROCEDURES_WORDS = {"wales": WALES}


def outcome_choices(cohort: str, procedures: str = "england") -> list[tuple[str, str]]:
    """The cohort's outcomes as a form offers them, in the words of the procedures the hub follows."""
    words = PROCEDURES_WORDS.get(procedures, {}).get(cohort, {})
    return [(code, words.get(code, label)) for code, label in OUTCOMES[cohort].choices]


def outcome_label(cohort: str, code: str, procedures: str = "england") -> str:
    if code == NO_MASH_RESPONSE:
        return _("No MASH response (Blue)")
    words = PROCEDURES_WORDS.get(procedures, {}).get(cohort, {})
    kind = OUTCOMES.get(cohort)
    if code in words:
        return words[code]
    return kind(code).label if kind and code in kind.values else code
