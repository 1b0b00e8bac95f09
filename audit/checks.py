"""System checks: with DEBUG off the ledger's heads must be signed with a key held outside the database."""

from django.conf import settings
from django.core import checks

from audit import anchor


@checks.register(checks.Tags.security, deploy=True)
def signing_key_configured(app_configs=None, **kwargs):
    try:
        key = anchor.signing_key(required=False)
    except anchor.SigningKeyError as exc:
        return [checks.Error(str(exc), id="audit.E002")]
    if key is None and not settings.DEBUG:
        return [
            checks.Error(
                "No audit signing key: sealed ledger heads would not be signed or logged outside the database.",
                hint="Set AUDIT_SIGNING_KEY_FILE (a secret mount) or AUDIT_SIGNING_KEY; "
                "python manage.py audit_key --create PATH makes a key.",
                id="audit.E001",
            )
        ]
    return []
