"""The thresholds a hub screens against until it publishes its own: four levels for children (universal, early
help, targeted / child in need, specialist / child protection) and the adults' equivalent, in plain wording.

A hub in Wales (`Hub.procedures`) starts from the Wales Safeguarding Procedures' wording instead: the Social Services
and Well-being (Wales) Act 2014's care and support (Part 3), a child at risk (s.130) and an adult at risk (s.126), and
the duty to report them (s.130 and s.128). The codes are the same in both, so screenings, decisions and returns count
them alike; the words are the hub's to change, as any published thresholds are.
"""

from django.utils.translation import gettext_lazy as _

from mash.words import plain
from referrals.models import ReferralCohort


def _level(code, name, *criteria):
    return {
        "code": code,
        "name": name,
        "criteria": [{"code": f"{code}.{i}", "text": t} for i, t in enumerate(criteria, 1)],
    }


DEFAULT_LEVELS = {
    ReferralCohort.CHILD: [
        _level("universal", _("Universal"), _("Needs met by universal services"), _("No additional needs identified")),
        _level("early_help", _("Early help"), _("Additional needs one agency can meet"), _("Family agrees to support")),
        _level(
            "targeted", _("Targeted: child in need (s17)"),
            _("Complex needs requiring a multi-agency response"), _("Child's health or development likely to be impaired"),
        ),
        _level(
            "specialist", _("Specialist: child protection (s47)"),
            _("Reasonable cause to suspect significant harm"), _("Immediate risk to the child's safety"),
        ),
    ],
    ReferralCohort.ADULT: [
        _level("information", _("Information and advice"), _("No care and support needs affecting safety")),
        _level("prevention", _("Prevention and support"), _("Needs that support from one agency can reduce")),
        _level("assessment", _("Care needs assessment"), _("Care and support needs not being met")),
        _level(
            "enquiry", _("Safeguarding enquiry (s42)"),
            _("Care and support needs, experiencing or at risk of abuse or neglect, unable to protect themselves"),
        ),
    ],
}  # fmt: skip

WALES_LEVELS = {
    ReferralCohort.CHILD: [
        DEFAULT_LEVELS[ReferralCohort.CHILD][0],  # universal: the same words in both
        _level(
            "early_help", _("Early help (Families First)"),
            _("Additional needs one agency can meet"), _("Family agrees to support"),
        ),
        _level(
            "targeted", _("Care and support needs: assessment (Part 3, s.21)"),
            _("Needs for care and support that the family cannot meet alone"),
            _("Child's well-being or development likely to be impaired without care and support"),
        ),
        _level(
            "specialist", _("Child at risk: duty to report (s.130), enquiry (s.47)"),
            _("Experiencing or at risk of abuse, neglect or other kinds of harm, with needs for care and support"),
            _("Immediate risk to the child's safety"),
        ),
    ],
    ReferralCohort.ADULT: [
        _level("information", _("Information, advice and assistance"), _("No care and support needs affecting safety")),
        _level("prevention", _("Preventative services"), _("Needs that support from one agency can reduce")),
        _level("assessment", _("Care and support needs: assessment (s.19)"), _("Care and support needs not being met")),
        _level(
            "enquiry", _("Adult at risk: duty to report (s.128), enquiry (s.126)"),
            _(
                "Experiencing or at risk of abuse or neglect, with needs for care and support, and because of "
                "those needs unable to protect themselves"
            ),
        ),
    ],
}  # fmt: skip


def default_levels(procedures: str, cohort: str) -> list[dict]:
    """The levels a hub following `procedures` ("england" or "wales") screens against before publishing its own, in
    the active language (a version published keeps the words it was published with)."""
    return plain((WALES_LEVELS if procedures == "wales" else DEFAULT_LEVELS)[cohort])
