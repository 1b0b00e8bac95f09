"""Tasks that belong to the service as a whole."""

from celery import shared_task
from django.core.cache import cache
from django.utils import timezone

HEARTBEAT_KEY = "mash:heartbeat:{name}"


@shared_task(name="mash.tasks.heartbeat")
def heartbeat(name: str = "beat") -> str:
    """Record that the worker ran a task sent by `name` (beat sends one a minute); the home page shows its age."""
    stamp = timezone.now().isoformat()
    cache.set(HEARTBEAT_KEY.format(name=name), stamp, timeout=None)
    return stamp


def last_heartbeat(name: str = "beat"):
    from datetime import datetime

    stamp = cache.get(HEARTBEAT_KEY.format(name=name))
    return datetime.fromisoformat(stamp) if stamp else None
