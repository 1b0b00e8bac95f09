"""RFC 9457 problem details for the API: every error is application/problem+json, with one entry per field.

Each kind of problem has a stable `type`, a path on this service (`/api/v1/problems/validation`) that answers a short
description of the kind: clients branch on `type`, people read `detail`. This module only builds problem documents;
which error becomes which kind is mash/api_errors.py's (errors raised in DRF views) and mash/api_http.py's (answers
made outside DRF: unknown paths, the token endpoint's 405, a 500 page)."""

import json
from dataclasses import dataclass
from http import HTTPStatus

from django.conf import settings
from django.http import JsonResponse
from django.utils.translation import gettext
from rest_framework.response import Response

PROBLEM = "application/problem+json"
TYPE_ROOT = "/api/v1/problems/"
# RFC 9110's names where Python's HTTPStatus still has the older ones.
TITLES = {413: "Content Too Large", 422: "Unprocessable Content"}
# The field of an error about the body as a whole (a list where an object was expected, a rule across fields): the
# empty path, as `subject.nhs_number` is the path to a nested field.
BODY = ""


@dataclass(frozen=True)
class Kind:
    """A kind of problem: its `type` (a path here), status, title (HTTP's phrase for the kinds a status names alone)
    and when it happens."""

    slug: str
    status: int
    title: str
    when: str

    @property
    def type(self) -> str:
        return f"{TYPE_ROOT}{self.slug}"


KINDS = {
    kind.slug: kind
    for kind in (
        Kind("validation", 422, "Unprocessable Content", "A field, a query parameter or the body breaks a rule: "
             "`errors` names each one (`field` is a dotted path; \"\" is the body as a whole). Nothing was stored."),
        Kind("malformed", 400, "Bad Request", "The body is not JSON, or not JSON this service "
             "reads (too deeply nested, not UTF-8). Nothing was stored."),
        Kind("idempotency-key-missing", 400, "An Idempotency-Key is required", "A write was sent without an "
             "Idempotency-Key header of 1 to 255 printable characters. Nothing was stored."),
        Kind("idempotency-key-reused", 422, "The Idempotency-Key was used with another body", "The key was already "
             "used with a different request body on this endpoint. Nothing was stored; use a new key."),
        Kind("unauthenticated", 401, "Unauthorized", "No bearer token was sent. Get one from "
             "/api/v1/oauth/token/ with the client credentials grant."),
        Kind("invalid-token", 401, "The access token is invalid or expired", "The bearer token is unknown, expired "
             "or revoked, or its client was revoked. Get a new token."),
        Kind("insufficient-scope", 403, "The token lacks the scope", "The token does not carry the scope this "
             "request needs; WWW-Authenticate names it (scope=\"…\")."),
        Kind("no-agreement", 403, "No current information sharing agreement", "Your agency has no current signed "
             "information sharing agreement with the hub; `detail` names it."),
        Kind("refused", 403, "Forbidden", "The hub's policy does not let your agency do this; `detail` says why."),
        Kind("not-found", 404, "Not Found", "No such path, or no such object that your agency may see (the same "
             "answer for both)."),
        Kind("method-not-allowed", 405, "Method Not Allowed", "The path does not take this method; Allow lists "
             "the ones it takes."),
        Kind("not-acceptable", 406, "Not Acceptable", "The Accept header asks for a format other than JSON."),
        Kind("conflict", 409, "Conflict", "The object's state does not allow this now (a request already answered, "
             "a referral already decided); `detail` says why."),
        Kind("too-large", 413, "Content Too Large", "The body is over the size limit. Nothing was stored."),
        Kind("unsupported-media-type", 415, "Unsupported Media Type", "The body is not sent as application/json."),
        Kind("rate-limited", 429, "Too Many Requests", "The client sent more requests than its allowance; wait "
             "the seconds in Retry-After (RateLimit says the allowance)."),
        Kind("server-error", 500, "Internal Server Error", "The service failed; nothing was stored. Try again later."),
        Kind("unavailable", 503, "Service Unavailable", "A part of the service is down for a moment; nothing was "
             "stored. Retry after the seconds in Retry-After."),
    )
}  # fmt: skip
# The kind of an answer that names only its status.
BY_STATUS = {
    400: "malformed",
    401: "unauthenticated",
    403: "refused",
    404: "not-found",
    405: "method-not-allowed",
    406: "not-acceptable",
    409: "conflict",
    413: "too-large",
    415: "unsupported-media-type",
    422: "validation",
    429: "rate-limited",
    500: "server-error",
    503: "unavailable",
}


def document(status_code: int, detail: str, errors: list[dict] | None = None, kind: str | None = None) -> dict:
    known = KINDS.get(kind or BY_STATUS.get(status_code, ""))
    detail = str(detail)  # a lazy text, in the active language: the document goes to JSON
    if known is None:
        title = TITLES.get(status_code) or HTTPStatus(status_code).phrase
        body = {"type": "about:blank", "title": title, "status": status_code, "detail": detail}
    else:
        body = {"type": known.type, "title": known.title, "status": status_code, "detail": detail}
    if errors:
        body["errors"] = errors
    return body


def problem_body(status_code: int, detail: str, kind: str | None = None) -> str:
    """The JSON text of a problem, for answers made outside DRF (mash/outage.py)."""
    return json.dumps(document(status_code, detail, kind=kind))


def problem(
    status_code: int, detail: str, *, errors: list[dict] | None = None, headers=None, kind: str | None = None
) -> Response:
    body = document(status_code, detail, errors, kind)
    return Response(body, status=status_code, headers=headers, content_type=PROBLEM)


def field_errors(detail, prefix: str = "") -> list[dict]:
    """Flatten DRF's or Django's nested error structure into [{"field": "subject.nhs_number", "detail": …}]; an
    error about the body as a whole has the field "" (BODY)."""
    if isinstance(detail, dict):
        return [
            e
            for key, value in detail.items()
            for e in field_errors(value, prefix if key in ("non_field_errors", "__all__") else f"{prefix}{key}.")
        ]
    if isinstance(detail, list):
        if all(isinstance(item, str) for item in detail):
            field = prefix.rstrip(".") or BODY
            return [{"field": field, "detail": str(item)} for item in detail]
        return [e for i, item in enumerate(detail) for e in field_errors(item, f"{prefix}{i}.")]
    return [{"field": prefix.rstrip(".") or BODY, "detail": str(detail)}]


# A file sent to an attachments endpoint: the file's own limit, with room for the multipart envelope.
MULTIPART_ENVELOPE_BYTES = 64 * 1024


def body_limit(request) -> int:
    """API_MAX_BODY_BYTES for JSON; a multipart upload to an attachments endpoint may carry a file up to
    ATTACHMENT_MAX_BYTES (mash/uploads.py then checks the file itself)."""
    multipart = request.META.get("CONTENT_TYPE", "").lower().startswith("multipart/form-data")
    if multipart and request.path.endswith("/attachments/"):
        return settings.ATTACHMENT_MAX_BYTES + MULTIPART_ENVELOPE_BYTES
    return settings.API_MAX_BODY_BYTES


class ApiBodyLimitMiddleware:
    """Refuse an API request body over its limit (`body_limit`) with 413 before anything reads it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path.startswith("/api/"):
            try:
                length = int(request.META.get("CONTENT_LENGTH") or 0)
            except ValueError:
                length = 0
            limit = body_limit(request)
            if length > limit:
                detail = gettext("Request bodies are limited to %(limit)s bytes; nothing was stored") % {"limit": limit}
                return JsonResponse(document(413, detail), status=413, content_type=PROBLEM)
        return self.get_response(request)
