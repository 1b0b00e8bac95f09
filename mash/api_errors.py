"""The API's one exception handler: every error answers problem+json (mash/problem.py), by its kind (mash/errors.py):

- bad input (a service's ValidationError, DRF's parse errors): 422, with an entry per field;
- refused by the policy (Refused): 403 with the reason; out of scope (Http404): 404;
- a state that does not allow it (Conflict): 409 with the reason;
- a part that is down: 503 with Retry-After; DRF's own errors (401, 405, 413, 429) keep their status;
- anything else: 500, which says nothing was stored."""

import logging

from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import exceptions, status
from rest_framework.views import exception_handler as drf_exception_handler

from mash.errors import Conflict
from mash.outage import API_DETAIL, RETRY_AFTER_SECONDS, is_outage
from mash.problem import field_errors, problem

logger = logging.getLogger("mash.api")


def exception_handler(exc, context):
    if isinstance(exc, DjangoValidationError):
        messages = exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        messages = {("non_field_errors" if k == "__all__" else k): v for k, v in messages.items()}
        return problem(422, "The request is not valid: see errors", errors=field_errors(messages))
    if isinstance(exc, Conflict):
        errors = [{"field": exc.field, "detail": str(exc)}] if exc.field else None
        return problem(409, str(exc), errors=errors)
    if is_outage(exc):
        logger.warning("API outage: answered 503 (%s)", type(exc).__name__)
        return problem(503, API_DETAIL, headers={"Retry-After": str(RETRY_AFTER_SECONDS)})
    response = drf_exception_handler(exc, context)
    if response is None:
        logger.exception("API error", exc_info=exc)
        return problem(500, "The service could not complete the request; nothing was stored. Try again later.")
    if isinstance(exc, exceptions.ValidationError):
        return problem(422, "The request is not valid: see errors", errors=field_errors(exc.detail))
    detail = exc.detail if isinstance(getattr(exc, "detail", None), str) else str(getattr(exc, "detail", exc))
    headers = {k: v for k, v in response.items() if k in ("WWW-Authenticate", "Retry-After")}
    if response.status_code == status.HTTP_401_UNAUTHORIZED and "WWW-Authenticate" not in headers:
        headers["WWW-Authenticate"] = 'Bearer realm="api"'
    return problem(response.status_code, detail, headers=headers)
