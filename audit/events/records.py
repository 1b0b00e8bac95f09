"""What an event is about and who did it, in words for people: the record types (`AuditEvent.object_type`, a model's
`app_label.modelname`) and the actors that are not a person (`AuditEvent.actor_type`).

The codes are stored in the ledger and stay as they are (links to the audit trail carry them); the words are what the
trail's filter offers and what its rows and CSV show. A record type missing here reads as its model's verbose name.
"""

from django.apps import apps

RECORD_TYPES: dict[str, str] = {
    "referrals.referral": "Referral",
    "referrals.thresholdversion": "Thresholds",
    "referrals.notification": "Notifications",
    "referrals.indexperson": "Person (the hub's index of people)",
    "decisions.informationrequest": "Agency request for information",
    "decisions.contribution": "Agency's information",
    "decisions.decision": "Decision",
    "decisions.agreedaction": "Agreed action",
    "decisions.webhook": "Webhook",
    "agencies.hub": "Hub settings",
    "agencies.agency": "Agency",
    "agencies.roleassignment": "Person's role",
    "agencies.coredocument": "Core document",
    "agencies.documentversion": "Core document version",
    "agencies.signature": "Agency's signature",
    "agencies.fundingcontribution": "Funding",
    "agencies.apiclient": "API client",
    "auth.user": "Person's account",
    "audit.auditevent": "Audit trail",
    "reports.monthlyreturn": "Monthly return",
}

ACTORS: dict[str, str] = {
    "system": "The service (automatic)",
    "client": "Agency system (API)",
    "anonymous": "Someone not signed in",
}


def record_type_label(code: str) -> str:
    """The words for a record type; an unknown model's verbose name, else the code itself (an old or odd row)."""
    if code in RECORD_TYPES:
        return RECORD_TYPES[code]
    try:
        name = str(apps.get_model(code)._meta.verbose_name)
    except (LookupError, ValueError):
        return code
    return name[:1].upper() + name[1:]


def record_type_choices() -> list[tuple[str, str]]:
    """Every record type in words, alphabetically, for a filter."""
    return sorted(RECORD_TYPES.items(), key=lambda item: item[1])


def actor_label(actor_type: str) -> str:
    """Who acted, where it was not a person: the service itself, an agency's system, someone not signed in."""
    return ACTORS.get(actor_type, actor_type)
