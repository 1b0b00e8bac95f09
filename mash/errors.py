"""The service's error taxonomy: what went wrong decides the answer, never the words of a message.

- Bad input: Django's `ValidationError` with a message per field (dotted paths for nested input). API 422 with
  `errors`; web pages show the form's error summary.
- Refused: `Refused` — the person may see the object but not do this to it, with the reason. API and web 403.
- Out of scope: Django's `Http404` — the same answer as for something that does not exist.
- State conflict: `Conflict` — the object's state does not allow this now (a closed referral, an answered
  request). API 409; web pages show the sentence.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.template.loader import render_to_string


class Refused(PermissionDenied):
    """Refused by the policy (agencies/policy.py), with the reason a person reads."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason

    def __str__(self) -> str:
        return str(self.reason)  # a lazy text (gettext_lazy) in the active language


class NoAgreement(Refused):
    """Refused because the person's agency has no current information sharing agreement with the hub: the page
    says which agreement is missing and where to see the hub's agreements."""


class Conflict(Exception):
    """The object's state does not allow the action now; the message says why (and what to do instead)."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field

    def __str__(self) -> str:
        return str(self.message)  # a lazy text (gettext_lazy) in the active language


# What a page shows back to the person on its form or as a message: bad input, or a state that changed meanwhile.
SERVICE_ERRORS = (ValidationError, Conflict)


def said(error: Exception) -> str:
    """The sentences a person reads for a service error."""
    if isinstance(error, ValidationError):
        return " ".join(error.messages)
    return str(error)


class ConflictMiddleware:
    """A state conflict that no page turned into a form error answers 409 with the sentence and a way back, for
    people; the API's handler (mash/api_errors.py) answers problem+json."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, Conflict) and not request.path.startswith("/api/"):
            body = render_to_string("409.html", {"message": str(exception)}, request=request)
            return HttpResponse(body, status=409)
        return None
