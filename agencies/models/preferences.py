"""What a person chose for themselves: the language the service speaks to them in (docs/adr/0027)."""

from django.conf import settings
from django.db import models


class LanguagePreference(models.Model):
    """The language a person chose with the header's switch, kept so that it follows them to another browser: read
    once at sign-in into their session (agencies/language.py), written when they choose again."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, primary_key=True, related_name="language_preference"
    )
    language = models.CharField(max_length=8, choices=settings.LANGUAGES)
    chosen_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.user_id}: {self.language}"
