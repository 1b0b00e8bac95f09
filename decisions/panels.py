"""The multi-agency section of the referral page. referrals/ sits below decisions/ and cannot import it, so the
referral page asks each dotted path in settings.REFERRAL_PAGE_PANELS for a panel (see docs/adr/0003)."""

from agencies.permissions import acts_as_manager
from audit.services import log_read
from decisions import selectors
from decisions.forms import ConsentForm
from referrals.models import Rating


def referral_panel(request, hub, referral) -> dict:
    sharing = selectors.referral_sharing(request.user, hub, referral)
    if sharing["contributions"]:
        log_read("contribution.viewed", hub=hub, object_type="decisions.contribution",
                 ids=[c.id for c in sharing["contributions"]])  # fmt: skip
    manages = acts_as_manager(request.user, hub)
    return {
        "template": "decisions/referral_panel.html",
        "manages": manages,
        "may_request": referral.is_open and referral.rating in (Rating.RED, Rating.AMBER, Rating.GREEN),
        "may_propose": sharing["proposed"] is None and (referral.is_open or sharing["signed"] is not None),
        "consent_form": ConsentForm(),
        **sharing,
    }
