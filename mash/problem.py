"""RFC 9457 problem details for the API: every error is application/problem+json, with one entry per field."""

import json
import logging
from http import HTTPStatus

from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import JsonResponse
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from mash.outage import API_DETAIL, RETRY_AFTER_SECONDS, is_outage

logger = logging.getLogger("mash.api")
PROBLEM = "application/problem+json"
# RFC 9110's names where Python's HTTPStatus still has the older ones.
TITLES = {413: "Content Too Large", 422: "Unprocessable Content"}


def _body(status_code: int, detail: str, errors: list[dict] | None = None) -> dict:
    title = TITLES.get(status_code) or HTTPStatus(status_code).phrase
    body = {"type": "about:blank", "title": title, "status": status_code, "detail": detail}
    if errors:
        body["errors"] = errors
    return body


def problem_body(status_code: int, detail: str) -> str:
    """The JSON text of a problem, for answers made outside DRF (mash/outage.py)."""
    return json.dumps(_body(status_code, detail))


def problem(status_code: int, detail: str, *, errors: list[dict] | None = None, headers=None) -> Response:
    return Response(_body(status_code, detail, errors), status=status_code, headers=headers, content_type=PROBLEM)


def field_errors(detail, prefix: str = "") -> list[dict]:
    """Flatten DRF's or Django's nested error structure into [{"field": "subject.nhs_number", "detail": …}]."""
    if isinstance(detail, dict):
        return [e for key, value in detail.items() for e in field_errors(value, f"{prefix}{key}.")]
    if isinstance(detail, list):
        if all(isinstance(item, str) for item in detail):
            field = prefix.rstrip(".") or "non_field_errors"
            return [{"field": field, "detail": str(item)} for item in detail]
        return [e for i, item in enumerate(detail) for e in field_errors(item, f"{prefix}{i}.")]
    return [{"field": prefix.rstrip(".") or "non_field_errors", "detail": str(detail)}]


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


class ApiBodyLimitMiddleware:
    """Refuse an API request body over API_MAX_BODY_BYTES with 413 before anything reads it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path.startswith("/api/"):
            try:
                length = int(request.META.get("CONTENT_LENGTH") or 0)
            except ValueError:
                length = 0
            if length > settings.API_MAX_BODY_BYTES:
                body = {
                    "type": "about:blank",
                    "title": TITLES[413],
                    "status": 413,
                    "detail": f"Request bodies are limited to {settings.API_MAX_BODY_BYTES} bytes; nothing was stored",
                }
                return JsonResponse(body, status=413, content_type=PROBLEM)
        return self.get_response(request)
