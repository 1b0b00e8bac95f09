"""The API's one exception handler: every error answers problem+json (mash/problem.py), by its kind (mash/errors.py):

- bad input (a service's ValidationError, DRF's validation errors): 422 `validation`, with an entry per field;
- a body that cannot be read (DRF's ParseError): 400 `malformed`;
- no token: 401 `unauthenticated`; a token that is unknown, expired or revoked: 401 `invalid-token`, with RFC 6750's
  `error="invalid_token"` in WWW-Authenticate; a token without the scope (InsufficientScope): 403
  `insufficient-scope` with `error="insufficient_scope", scope="…"`;
- refused by the policy (Refused): 403 `refused`, or `no-agreement` (NoAgreement); out of scope (Http404): 404;
- a state that does not allow it (Conflict): 409 `conflict` with the reason;
- a part that is down: 503 `unavailable` with Retry-After; DRF's own errors (405, 406, 415, 429) keep their status;
- anything else: 500 `server-error`, which says nothing was stored."""

import logging

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions
from rest_framework.views import exception_handler as drf_exception_handler

from mash.bearer import REALM, REFUSED_CREDENTIAL, InsufficientScope, InvalidToken, invalid_token_challenge
from mash.errors import Conflict, NoAgreement
from mash.outage import API_DETAIL, RETRY_AFTER_SECONDS, is_outage
from mash.problem import field_errors, problem

logger = logging.getLogger("mash.api")
INVALID = _("The request is not valid: see errors")
SERVER_ERROR = _("The service could not complete the request; nothing was stored. Try again later.")
NO_TOKEN = _("Send an access token: Authorization: Bearer <token> (from /api/v1/oauth/token/)")


def exception_handler(exc, context):
    if isinstance(exc, DjangoValidationError):
        messages = exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}
        return problem(422, INVALID, errors=field_errors(messages), kind="validation")
    if isinstance(exc, Conflict):
        errors = [{"field": exc.field, "detail": str(exc)}] if exc.field else None
        return problem(409, str(exc), errors=errors, kind="conflict")
    if isinstance(exc, DjangoPermissionDenied):
        return problem(403, str(exc), kind="no-agreement" if isinstance(exc, NoAgreement) else "refused")
    if is_outage(exc):
        logger.warning("API outage: answered 503 (%s)", type(exc).__name__)
        return problem(503, API_DETAIL, headers={"Retry-After": str(RETRY_AFTER_SECONDS)}, kind="unavailable")
    response = drf_exception_handler(exc, context)
    if response is None:
        logger.exception("API error", exc_info=exc)
        return problem(500, SERVER_ERROR, kind="server-error")
    if isinstance(exc, exceptions.ValidationError):
        return problem(422, INVALID, errors=field_errors(exc.detail), kind="validation")
    detail = exc.detail if isinstance(getattr(exc, "detail", None), str) else str(getattr(exc, "detail", exc))
    headers = {k: v for k, v in response.items() if k in ("WWW-Authenticate", "Retry-After", "Allow")}
    kind = None
    if isinstance(exc, InsufficientScope):
        kind = "insufficient-scope"
        headers["WWW-Authenticate"] = exc.challenge()
    elif isinstance(exc, exceptions.AuthenticationFailed):
        kind, detail = "invalid-token", REFUSED_CREDENTIAL if isinstance(exc, InvalidToken) else detail
        headers["WWW-Authenticate"] = invalid_token_challenge()
    elif response.status_code == 401:
        kind = "unauthenticated"
        headers["WWW-Authenticate"] = REALM
        detail = NO_TOKEN
    return problem(response.status_code, detail, headers=headers, kind=kind)
