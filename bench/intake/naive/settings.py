"""A standalone naive DRF project: the reference for what plain DRF costs to take a referral. No middleware, token
authentication, a ModelSerializer with nested persons, one audit row and three guardian permission rows per referral.
It imports nothing of the service. Benchmark only (bench/intake/wrk.py)."""

import os

SECRET_KEY = os.environ.get("SECRET_KEY", "bench-only")
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1"]
ROOT_URLCONF = "bench.intake.naive.urls"
WSGI_APPLICATION = "bench.intake.naive.wsgi.application"
USE_TZ = True
TIME_ZONE = "UTC"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

INSTALLED_APPS = [
    "django.contrib.contenttypes",
    "django.contrib.auth",
    "rest_framework",
    "rest_framework.authtoken",
    "guardian",
    "bench.intake.naive.app",
]
MIDDLEWARE: list = []
AUTHENTICATION_BACKENDS = ["django.contrib.auth.backends.ModelBackend", "guardian.backends.ObjectPermissionBackend"]
ANONYMOUS_USER_NAME = None  # guardian: no anonymous user row

DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": os.environ.get("NAIVE_DB", "mash_bench_naive"),
        "USER": "postgres",
        "HOST": "127.0.0.1",
        "PORT": os.environ.get("NAIVE_PG_PORT", os.environ.get("BENCH_PG_PORT", "5432")),
        "CONN_MAX_AGE": 600,  # as the service's default (DATABASE_CONN_MAX_AGE)
        "CONN_HEALTH_CHECKS": True,
    }
}

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["rest_framework.authentication.TokenAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "UNAUTHENTICATED_USER": None,
}
