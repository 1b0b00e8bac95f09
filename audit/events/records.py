"""What an event is about and who did it, in words for people: the record types (`AuditEvent.object_type`, a model's
`app_label.modelname`) and the actors that are not a person (`AuditEvent.actor_type`).

The codes are stored in the ledger and stay as they are (links to the audit trail carry them); the words are what the
trail's filter offers and what its rows and CSV show. A record type missing here reads as its model's verbose name.
"""

from django.apps import apps
from django.utils.translation import gettext_lazy as _

RECORD_TYPES: dict = {  # code: words (lazy: in the language of the page, or of the CSV, that shows them)
    "referrals.referral": _("Referral"),
    "referrals.thresholdversion": _("Thresholds"),
    "referrals.notification": _("Notifications"),
    "referrals.indexperson": _("Person (the hub's index of people)"),
    "decisions.informationrequest": _("Agency request for information"),
    "decisions.contribution": _("Agency's information"),
    "decisions.decision": _("Decision"),
    "decisions.agreedaction": _("Agreed action"),
    "decisions.webhook": _("Webhook"),
    "agencies.hub": _("Hub settings"),
    "agencies.agency": _("Agency"),
    "agencies.roleassignment": _("Person's role"),
    "agencies.coredocument": _("Core document"),
    "agencies.documentversion": _("Core document version"),
    "agencies.signature": _("Agency's signature"),
    "agencies.fundingcontribution": _("Funding"),
    "agencies.apiclient": _("API client"),
    "auth.user": _("Person's account"),
    "audit.auditevent": _("Audit trail"),
    "reports.monthlyreturn": _("Monthly return"),
}

ACTORS: dict = {
    "system": _("The service (automatic)"),
    "client": _("Agency system (API)"),
    "anonymous": _("Someone not signed in"),
}


def record_type_label(code: str) -> str:
    """The words for a record type, in the active language; an unknown model's verbose name, else the code itself (an
    old or odd row)."""
    if code in RECORD_TYPES:
        return str(RECORD_TYPES[code])
    try:
        name = str(apps.get_model(code)._meta.verbose_name)
    except (LookupError, ValueError):
        return code
    return name[:1].upper() + name[1:]


def record_type_choices() -> list[tuple[str, str]]:
    """Every record type in words (lazy, for a form's choices), alphabetically in the active language."""
    return sorted(RECORD_TYPES.items(), key=lambda item: str(item[1]))


def actor_label(actor_type: str) -> str:
    """Who acted, where it was not a person: the service itself, an agency's system, someone not signed in."""
    return str(ACTORS.get(actor_type, actor_type))
