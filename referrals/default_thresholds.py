"""The thresholds a hub screens against until it publishes its own: four levels for children (universal, early
help, targeted / child in need, specialist / child protection) and the adults' equivalent, in plain wording."""

from referrals.models import ReferralCohort


def _level(code, name, *criteria):
    return {
        "code": code,
        "name": name,
        "criteria": [{"code": f"{code}.{i}", "text": t} for i, t in enumerate(criteria, 1)],
    }


DEFAULT_LEVELS = {
    ReferralCohort.CHILD: [
        _level("universal", "Universal", "Needs met by universal services", "No additional needs identified"),
        _level("early_help", "Early help", "Additional needs one agency can meet", "Family agrees to support"),
        _level(
            "targeted", "Targeted: child in need (s17)",
            "Complex needs requiring a multi-agency response", "Child's health or development likely to be impaired",
        ),
        _level(
            "specialist", "Specialist: child protection (s47)",
            "Reasonable cause to suspect significant harm", "Immediate risk to the child's safety",
        ),
    ],
    ReferralCohort.ADULT: [
        _level("information", "Information and advice", "No care and support needs affecting safety"),
        _level("prevention", "Prevention and support", "Needs that support from one agency can reduce"),
        _level("assessment", "Care needs assessment", "Care and support needs not being met"),
        _level(
            "enquiry", "Safeguarding enquiry (s42)",
            "Care and support needs, experiencing or at risk of abuse or neglect, unable to protect themselves",
        ),
    ],
}  # fmt: skip
