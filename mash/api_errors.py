"""The API's one exception handler: every error answers problem+json (mash/problem.py).

A part that is down is 503 with Retry-After; a Django ValidationError from a service is 422 with its fields; DRF's
own errors keep their status; anything else is a 500 that says nothing was stored."""

import logging

from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import exceptions, status
from rest_framework.views import exception_handler as drf_exception_handler

from mash.outage import API_DETAIL, RETRY_AFTER_SECONDS, is_outage
from mash.problem import field_errors, problem

logger = logging.getLogger("mash.api")


def exception_handler(exc, context):
    if isinstance(exc, DjangoValidationError):
        errors = field_errors(exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages})
        return problem(422, "The referral does not meet the standard dataset: see errors", errors=errors)
    if is_outage(exc):
        logger.warning("API outage: answered 503 (%s)", type(exc).__name__)
        return problem(503, API_DETAIL, headers={"Retry-After": str(RETRY_AFTER_SECONDS)})
    response = drf_exception_handler(exc, context)
    if response is None:
        logger.exception("API error", exc_info=exc)
        return problem(500, "The service could not complete the request; nothing was stored. Try again later.")
    if isinstance(exc, exceptions.ValidationError):
        return problem(response.status_code, "The request is not valid: see errors", errors=field_errors(exc.detail))
    detail = exc.detail if isinstance(getattr(exc, "detail", None), str) else str(getattr(exc, "detail", exc))
    headers = {k: v for k, v in response.items() if k in ("WWW-Authenticate", "Retry-After")}
    if response.status_code == status.HTTP_401_UNAUTHORIZED and "WWW-Authenticate" not in headers:
        headers["WWW-Authenticate"] = 'Bearer realm="api"'
    return problem(response.status_code, detail, headers=headers)
