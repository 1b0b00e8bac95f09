"""Migrate the naive project's database (already created empty) and print a token for a new user.

DJANGO_SETTINGS_MODULE=bench.intake.naive.settings .venv/bin/python -m bench.intake.naive.prepare
"""

import django

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.core.management import call_command  # noqa: E402
from rest_framework.authtoken.models import Token  # noqa: E402

call_command("migrate", verbosity=0)
user = get_user_model().objects.create_user("bench-agency")  # token only
print(Token.objects.create(user=user).key)
