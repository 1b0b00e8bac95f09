"""Session rules: an idle limit that only a person's own requests renew, and an absolute lifetime.

Django's own expiry renews the session on every request it saves, so a page that refreshes itself in the background
(the triage queue every 30 s, the returns' progress) kept a session alive for ever. This middleware keeps two times
in the session, when it started and the last request a person made, and ends the session (signing the person out,
which the ledger records) when either limit has passed:

- idle: SESSION_IDLE_SECONDS (default 30 minutes) since the last person-initiated request;
- absolute: SESSION_ABSOLUTE_SECONDS (default 12 hours) since sign-in, whatever the person does.

A background request says so: the page's script sends the `X-Background-Request: 1` header (static/js/refresh.js),
and a refresh URL carries `partial=1`. Such a request is served if the session is still in time but never renews it;
if the session has ended it gets 401, and the page stops refreshing. django-session-timeout was checked: it renews on
every request (or never), with no way to tell a background refresh from a click, and has one limit, not two.
"""

import hashlib
import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

STARTED = "mash.session.started"
ACTIVE = "mash.session.active"
# A person's activity is written to the session at most this often (or a twentieth of the idle limit, if shorter):
# the idle limit then counts from up to that long before their last page (it ends a little early, never late), and
# pages in between write nothing.
ACTIVE_RESOLUTION_SECONDS = 15
SHOWN = "mash.session.shown"
SHOWN_KEPT = 20  # views (a page with its filters) whose last shown content a session remembers
BACKGROUND_HEADER = "X-Background-Request"


def is_background(request: HttpRequest) -> bool:
    """A request the page made by itself (a refresh or a poll), not one a person made by clicking or typing."""
    return request.headers.get(BACKGROUND_HEADER) == "1" or request.GET.get("partial") == "1"


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def worth_logging(request: HttpRequest, view: str, ids) -> bool:
    """Whether showing `ids` on `view` (a page with its filters) should write a ledger read event: always when the
    person asked for the page; for a background refresh only when what it shows differs from what this session was
    last shown there, so a page left open writes an event when its content changes, not every 30 seconds."""
    key, digest = _digest(view), _digest(",".join(str(i) for i in ids))
    shown = request.session.get(SHOWN, {})
    if shown.get(key) == digest and is_background(request):
        return False
    if shown.get(key) != digest:
        shown.pop(key, None)
        shown[key] = digest  # the latest last; the oldest forgotten past SHOWN_KEPT
        request.session[SHOWN] = dict(list(shown.items())[-SHOWN_KEPT:])
    return True


def in_words(seconds: int) -> str:
    """'30 minutes', '12 hours', '1 hour 30 minutes', '45 seconds' (in the active language: '30 munud')."""
    hours, rest = divmod(int(seconds), 3600)
    minutes, secs = divmod(rest, 60)
    parts = [
        ngettext("%(n)s hour", "%(n)s hours", hours) % {"n": hours} if hours else "",
        ngettext("%(n)s minute", "%(n)s minutes", minutes) % {"n": minutes} if minutes else "",
    ]
    if not (hours or minutes):
        parts = [ngettext("%(n)s second", "%(n)s seconds", secs) % {"n": secs}]
    return " ".join(part for part in parts if part)


def seconds_left(request: HttpRequest, now: float | None = None) -> int:
    """Seconds until this session ends if the person does nothing more: the nearer of the two limits."""
    now = time.time() if now is None else now
    idle_end = request.session.get(ACTIVE, now) + settings.SESSION_IDLE_SECONDS
    absolute_end = request.session.get(STARTED, now) + settings.SESSION_ABSOLUTE_SECONDS
    return max(0, int(min(idle_end, absolute_end) - now))


def _ended(request: HttpRequest, now: float) -> str:
    """The message telling the person why their session has ended, or '' if it has not."""
    session = request.session
    if now - session[STARTED] > settings.SESSION_ABSOLUTE_SECONDS:
        return _("You were signed out because you had been signed in for %(time)s. Sign in again to carry on.") % {
            "time": in_words(settings.SESSION_ABSOLUTE_SECONDS)
        }
    if now - session[ACTIVE] > settings.SESSION_IDLE_SECONDS:
        return _(
            "You were signed out because you had not used the service for %(time)s. Sign in again to carry on."
        ) % {"time": in_words(settings.SESSION_IDLE_SECONDS)}
    return ""


def _resolution() -> float:
    return min(ACTIVE_RESOLUTION_SECONDS, settings.SESSION_IDLE_SECONDS / 20)


class SessionTimeoutMiddleware:
    """After AuthenticationMiddleware and MessageMiddleware (it signs out and leaves a message for the sign-in
    page); before any view, so LoginRequiredMiddleware then sends a person whose session ended to sign in."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not request.user.is_authenticated:
            return self.get_response(request)
        now, session, background = time.time(), request.session, is_background(request)
        if STARTED not in session:  # the first request after signing in
            session[STARTED] = session[ACTIVE] = now
        elif reason := _ended(request, now):
            logout(request)
            messages.info(request, reason)
            if background:
                return HttpResponse("Signed out", status=401, content_type="text/plain")
        elif not background and now - session[ACTIVE] >= _resolution():
            session[ACTIVE] = now  # a write of the session: not on every page of a busy minute
        return self.get_response(request)


@require_POST
def keep_alive(request: HttpRequest) -> HttpResponse:
    """POST from the timeout warning's "Stay signed in": renews the idle time from now, however recently the
    middleware last wrote it (ACTIVE_RESOLUTION_SECONDS); says how many seconds are left."""
    request.session[ACTIVE] = time.time()
    return JsonResponse({"seconds_left": seconds_left(request)})
