"""Who is acting, from where, in which request: set once per request (or task) and read by `audit.record`."""

import contextvars
import uuid
from contextlib import contextmanager
from dataclasses import dataclass

from audit.canonical import IDENTIFIER


@dataclass(frozen=True)
class Actor:
    type: str  # "user", "client" (an agency's API client), "system"
    id: str
    request_id: str = ""
    client_ip: str | None = None


SYSTEM = Actor("system", "system")
_current: contextvars.ContextVar[Actor] = contextvars.ContextVar("audit_actor", default=SYSTEM)


def current() -> Actor:
    return _current.get()


def replace(actor: Actor) -> None:
    """Change the actor for the rest of the request (an API client known only once its token is checked); the
    middleware's `acting` block restores what was there before when the request ends."""
    _current.set(actor)


@contextmanager
def acting(actor: Actor):
    token = _current.set(actor)
    try:
        yield actor
    finally:
        _current.reset(token)


def _client_ip(request) -> str | None:
    return request.META.get("REMOTE_ADDR") or None


def actor_for(request, user=None) -> Actor:
    """The request's actor: `user` if given (a sign-in or password reset, before request.user is that person),
    else the request's signed-in user, else anonymous."""
    user = user or getattr(request, "user", None)
    request_id = getattr(request, "request_id", "")
    if user is not None and user.is_authenticated:
        return Actor("user", str(user.pk), request_id, _client_ip(request))
    return Actor("anonymous", "", request_id, _client_ip(request))


class AuditContextMiddleware:
    """Gives each request an id (X-Request-ID from a trusted proxy, else a new one) and sets the acting user."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        supplied = request.headers.get("X-Request-ID", "")[:64]
        request.request_id = supplied if supplied and IDENTIFIER.fullmatch(supplied) else uuid.uuid4().hex
        with acting(actor_for(request)):
            response = self.get_response(request)
        response["X-Request-ID"] = request.request_id
        return response
