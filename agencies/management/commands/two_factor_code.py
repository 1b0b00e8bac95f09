"""Development only: print the current two-factor code of a demo account, for trying the demo without an
authenticator app. Refuses to run with DEBUG off."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django_otp.plugins.otp_totp.models import TOTPDevice

from agencies.twofactor import current_code


class Command(BaseCommand):
    help = "Print a demo account's current two-factor code (DEBUG only)."

    def add_arguments(self, parser):
        parser.add_argument("username")

    def handle(self, *args, username, **options):
        if not settings.DEBUG:
            raise CommandError("two_factor_code is for the demo: it runs only with DEBUG=true")
        device = TOTPDevice.objects.filter(user__username=username).order_by("-confirmed", "-id").first()
        if device is None:
            raise CommandError(f"{username} has not started setting up two-factor sign-in: sign in first")
        self.stdout.write(current_code(device))
