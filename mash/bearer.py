"""RFC 6750 bearer token errors: what the API's authentication and scope check raise, and the WWW-Authenticate
challenges that name them (mash/api_errors.py answers them as problem+json). Apart from mash/api_errors.py, so the
authentication class can import it without importing DRF's views (which load the authentication classes)."""

from django.utils.translation import gettext, gettext_lazy, gettext_noop
from rest_framework import exceptions

REALM = 'Bearer realm="api"'
# The problem's `detail` is in the active language; the challenge header's error_description stays English (RFC 6750
# allows only ASCII there).
REFUSED_CREDENTIAL_HEADER = gettext_noop("The access token is invalid, expired or revoked: get a new one")
REFUSED_CREDENTIAL = gettext_lazy(REFUSED_CREDENTIAL_HEADER)


class InsufficientScope(exceptions.PermissionDenied):
    """The token is valid but lacks the scope the request needs (RFC 6750 insufficient_scope)."""

    def __init__(self, scope: str):
        super().__init__(gettext("The token does not carry the scope this request needs: %(scope)s") % {"scope": scope})
        self.scope = scope

    def challenge(self) -> str:
        return f'{REALM}, error="insufficient_scope", scope="{self.scope}"'


class InvalidToken(exceptions.AuthenticationFailed):
    """A bearer token was sent but is unknown, expired or revoked (RFC 6750 invalid_token)."""

    def __init__(self, detail: str = REFUSED_CREDENTIAL):
        super().__init__(detail)


def invalid_token_challenge() -> str:
    return f'{REALM}, error="invalid_token", error_description="{REFUSED_CREDENTIAL_HEADER}"'
