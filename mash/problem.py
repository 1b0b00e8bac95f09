"""RFC 9457 problem details for the API: every error is application/problem+json, with one entry per field.

This module only builds problem documents; which error becomes which status is mash/api_errors.py's."""

import json
from http import HTTPStatus

from django.conf import settings
from django.http import JsonResponse
from rest_framework.response import Response

PROBLEM = "application/problem+json"
# RFC 9110's names where Python's HTTPStatus still has the older ones.
TITLES = {413: "Content Too Large", 422: "Unprocessable Content"}


def document(status_code: int, detail: str, errors: list[dict] | None = None) -> dict:
    title = TITLES.get(status_code) or HTTPStatus(status_code).phrase
    body = {"type": "about:blank", "title": title, "status": status_code, "detail": detail}
    if errors:
        body["errors"] = errors
    return body


def problem_body(status_code: int, detail: str) -> str:
    """The JSON text of a problem, for answers made outside DRF (mash/outage.py)."""
    return json.dumps(document(status_code, detail))


def problem(status_code: int, detail: str, *, errors: list[dict] | None = None, headers=None) -> Response:
    return Response(document(status_code, detail, errors), status=status_code, headers=headers, content_type=PROBLEM)


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
                detail = f"Request bodies are limited to {settings.API_MAX_BODY_BYTES} bytes; nothing was stored"
                return JsonResponse(document(413, detail), status=413, content_type=PROBLEM)
        return self.get_response(request)
