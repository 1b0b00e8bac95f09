"""The service's own settings plus the naive reference endpoint the intake benchmark compares against."""

from mash.settings import *  # noqa: F403 - exactly the real settings, one URL added

ROOT_URLCONF = "bench.intake.urls"
