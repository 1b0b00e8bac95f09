"""`{% session_timeout_warning %}`: GOV.UK's timeout warning on a long form (templates/session_timeout.html with
static/js/timeout.js): a modal dialog two minutes before the session would end, to stay signed in or sign out."""

from django import template
from django.conf import settings

from mash.sessions import seconds_left

register = template.Library()


@register.inclusion_tag("session_timeout.html", takes_context=True)
def session_timeout_warning(context) -> dict:
    request = context["request"]
    return {
        "request": request,
        "csrf_token": context.get("csrf_token"),
        "seconds_left": seconds_left(request),
        "warning_seconds": settings.SESSION_WARNING_SECONDS,
    }
