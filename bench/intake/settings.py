"""The service's own settings plus the naive reference endpoint the intake benchmark compares against."""

from mash.settings import *  # noqa: F403 - exactly the real settings, one URL added

ROOT_URLCONF = "bench.intake.urls"
# The naive reference grants with django-guardian's generic object permissions (a dev dependency: the service
# itself no longer uses it, docs/adr/0006).
INSTALLED_APPS = [*INSTALLED_APPS, "guardian"]  # noqa: F405
AUTHENTICATION_BACKENDS = [*AUTHENTICATION_BACKENDS, "guardian.backends.ObjectPermissionBackend"]  # noqa: F405
ANONYMOUS_USER_NAME = None
