"""The multi-agency section of the referral page. referrals/ sits below decisions/ and cannot import it, so the
referral page asks each dotted path in settings.REFERRAL_PAGE_PANELS for a panel (see docs/adr/0003)."""

from agencies.access import hub_access
from audit.events.actions import AuditAction
from audit.services import log_read
from decisions import selectors
from decisions.forms import ConsentForm
from decisions.models import proposal_conflict
from referrals.models import ReferralCohort


def referral_panel(request, hub, referral) -> dict:
    access = hub_access(request, hub.pk)
    sharing = selectors.referral_sharing(access, referral)
    if sharing["contributions"]:
        log_read(AuditAction.CONTRIBUTION_VIEWED, hub=hub, object_type="decisions.contribution",
                 ids=[c.id for c in sharing["contributions"]])  # fmt: skip
    return {
        "template": "decisions/referral_panel.html",
        "may_request": referral.can_request_information(),
        "may_propose": proposal_conflict(referral, sharing["decisions"]) is None,
        "consent_form": ConsentForm(),
        **sharing,
    }


def adult_voice_panel(request, hub, referral) -> dict:
    """The adult's voice (wishes, capacity, advocacy): on an adult's referral only; nothing on a child's."""
    if referral.cohort != ReferralCohort.ADULT:
        return {"template": None}
    return {"template": "decisions/adult_voice_panel.html", "voice": selectors.adult_voice_of(referral)}
