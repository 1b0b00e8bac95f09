"""The language the service speaks to each person: English or Welsh (docs/adr/0027).

- `PersonLanguageMiddleware`: Django's LocaleMiddleware, but the language kept in the person's session comes first (the
  one they chose, or the one they had chosen before, read once when they sign in); otherwise Django's order: the
  language cookie, then the browser's Accept-Language, then LANGUAGE_CODE.
- `choose_language`: the header's switch ("English | Cymraeg"). It works signed in or not (the sign-in page has it):
  it sets the cookie and the session, and for a signed-in person keeps the choice for them, so it follows them to
  another browser.
"""

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.middleware.locale import LocaleMiddleware
from django.shortcuts import render
from django.utils import translation
from django.views.decorators.http import require_POST

from agencies.models import LanguagePreference
from mash.paths import safe_next

SESSION_KEY = "language"
CODES = frozenset(code for code, _ in settings.LANGUAGES)


def session_language(request: HttpRequest) -> str | None:
    session = getattr(request, "session", None)
    chosen = session.get(SESSION_KEY) if session is not None else None
    return chosen if chosen in CODES else None


class PersonLanguageMiddleware(LocaleMiddleware):
    def process_request(self, request):
        if chosen := session_language(request):
            translation.activate(chosen)
            request.LANGUAGE_CODE = chosen
        else:
            super().process_request(request)


@receiver(user_logged_in, dispatch_uid="agencies.language.signed_in")
def signed_in(sender, request, user, **kwargs):
    """The language the person chose before, into the new session (one read, at sign-in only). A person who has
    never chosen keeps the language they signed in with."""
    if request is None:
        return
    kept = LanguagePreference.objects.filter(user=user).values_list("language", flat=True).first()
    if kept in CODES:
        request.session[SESSION_KEY] = kept
        translation.activate(kept)
        request.LANGUAGE_CODE = kept


@login_not_required
@require_POST
def choose_language(request: HttpRequest) -> HttpResponse:
    language = request.POST.get("language", "")
    if language not in CODES:
        return render(request, "language_invalid.html", status=400)
    translation.activate(language)
    request.LANGUAGE_CODE = language
    request.session[SESSION_KEY] = language
    if request.user.is_authenticated:
        LanguagePreference.objects.update_or_create(user=request.user, defaults={"language": language})
    response = HttpResponseRedirect(safe_next(request, "/"))
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        path=settings.LANGUAGE_COOKIE_PATH,
        domain=settings.LANGUAGE_COOKIE_DOMAIN,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
    )
    return response
