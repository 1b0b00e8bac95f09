"""HTTP around the API's views, for every path under /api/ (DRF's handler, mash/api_errors.py, covers only errors
raised inside DRF views):

- an error answered outside DRF — an unknown path, the token endpoint's 405, Django's 400 or 500 page — becomes
  problem+json of its status's kind (mash/problem.py), keeping Allow and Retry-After; the HTML site's own pages are
  untouched, and the token endpoint's RFC 6749 JSON errors are left as they are;
- a path without its trailing slash that exists with one answers 308 Permanent Redirect to it: clients repeat the
  method and body (a 301 turns a POST into a GET, and APPEND_SLASH raises in DEBUG);
- the throttle's count (referrals.api_auth.ClientRateThrottle) goes out as RateLimit headers, on every answer
  including the 429: the IETF draft's `RateLimit-Policy`/`RateLimit` fields and the common `RateLimit-Limit`,
  `RateLimit-Remaining` and `RateLimit-Reset`.

It also serves the problem types' descriptions at /api/v1/problems/<kind>, the `type` of every problem."""

from django.contrib.auth.decorators import login_not_required
from django.http import Http404, HttpResponse, JsonResponse
from django.urls import Resolver404, get_resolver
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_safe

from mash.problem import KINDS, PROBLEM, problem_body

KEPT_HEADERS = ("Allow", "Retry-After", "WWW-Authenticate")
DETAILS = {
    400: _("The request could not be read"),
    403: _("Refused"),
    404: _("No such path or object in this API: see /api/v1/docs/"),
    500: _("The service could not complete the request; nothing was stored. Try again later."),
}


def _is_api(request) -> bool:
    return request.path_info.startswith("/api/")


def _resolves(path: str, urlconf) -> bool:
    try:
        get_resolver(urlconf).resolve(path)
    except Resolver404:
        return False
    return True


def _as_problem(request, response) -> HttpResponse:
    status = response.status_code
    detail = DETAILS.get(status, response.reason_phrase)
    if status == 405:
        allowed = response.get("Allow") or gettext("another method")
        detail = gettext("%(method)s is not allowed here; use %(allowed)s") % {
            "method": request.method,
            "allowed": allowed,
        }
    problem = HttpResponse(problem_body(status, detail), status=status, content_type=PROBLEM)
    for header in KEPT_HEADERS:
        if response.has_header(header):
            problem[header] = response[header]
    return problem


def _rate_limit_headers(response, limit) -> None:
    policy, quota, window, remaining, reset = limit
    response["RateLimit-Policy"] = f'"{policy}";q={quota};w={window}'
    response["RateLimit"] = f'"{policy}";r={remaining};t={reset}'
    response["RateLimit-Limit"] = str(quota)
    response["RateLimit-Remaining"] = str(remaining)
    response["RateLimit-Reset"] = str(reset)


class ApiHttpMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not _is_api(request):
            return self.get_response(request)
        path, urlconf = request.path_info, getattr(request, "urlconf", None)
        if not path.endswith("/") and not _resolves(path, urlconf) and _resolves(f"{path}/", urlconf):
            query = request.META.get("QUERY_STRING", "")
            response = HttpResponse(status=308)
            response["Location"] = f"{request.path}/" + (f"?{query}" if query else "")
            return response
        response = self.get_response(request)
        content_type = response.get("Content-Type", "")
        if response.status_code >= 400 and not content_type.startswith((PROBLEM, "application/json")):
            response = _as_problem(request, response)
        if limit := getattr(request, "rate_limit", None):
            _rate_limit_headers(response, limit)
        return response


def _described(kind) -> dict:
    return {"type": kind.type, "status": kind.status, "title": kind.title, "description": kind.when}


@login_not_required
@require_safe
def problem_type(request, kind: str):
    """What a problem `type` means: its status, title and when it happens."""
    known = KINDS.get(kind)
    if known is None:
        raise Http404(kind)
    return JsonResponse(_described(known))


@login_not_required
@require_safe
def problem_types(request):
    """Every problem type this API answers."""
    return JsonResponse({"types": [_described(kind) for kind in KINDS.values()]})
