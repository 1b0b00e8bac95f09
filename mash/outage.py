"""When a part the service depends on is down for a moment (PostgreSQL restarting, Redis unreachable), requests fail
cleanly: 503 with Retry-After, a plain page for people and problem+json for the API, never a stack trace. Anything
else that goes wrong is still the ordinary 500 page."""

import logging
import sys

import redis
from django.db import InterfaceError, OperationalError
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.utils.translation import gettext_lazy as _
from kombu.exceptions import OperationalError as BrokerError

from mash.problem import PROBLEM, problem_body

log = logging.getLogger("mash.outage")
RETRY_AFTER_SECONDS = 30
OUTAGES = (
    OperationalError,
    InterfaceError,
    redis.exceptions.ConnectionError,
    redis.exceptions.TimeoutError,
    BrokerError,
)
API_DETAIL = _("A part of the service is unavailable for a moment; the request was not completed. Try again shortly.")


def is_outage(exc) -> bool:
    return isinstance(exc, OUTAGES)


def unavailable(request) -> HttpResponse:
    if request.path.startswith("/api/"):
        response = HttpResponse(problem_body(503, API_DETAIL), status=503, content_type=PROBLEM)
    else:
        response = HttpResponse(render_to_string("503.html"), status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


def server_error(request):
    """handler500: an outage answers 503; any other error the plain 500 page (no details either way)."""
    exc = sys.exc_info()[1]
    if is_outage(exc):
        log.warning("outage: %s %s answered 503 (%s)", request.method, request.path, type(exc).__name__)
        return unavailable(request)
    return HttpResponse(render_to_string("500.html"), status=500)
