"""The one way a service hands work to Celery: by the task's registered name, once the transaction commits.

Services never import tasks (tasks import services), so there is no cycle between them. If the broker cannot be
reached the failure is logged and nothing else happens: whatever must be done is already in the database, and a
beat job that reads the tables (the deadline sweep, notice delivery, webhook sends, returns resume) picks it up.
"""

import logging

from django.db import transaction

logger = logging.getLogger("mash.queue")


def send(task: str, *args) -> bool:
    """Queue the task named `task` with `args` now; False (and a warning) if the broker is down."""
    from mash.celery import app

    try:
        app.send_task(task, args=list(args), retry=False)
    except Exception:  # noqa: BLE001 - the broker is down: the beat's catch-up does it later; nothing is lost
        logger.warning("Could not queue %s now; a beat job will pick the work up", task, exc_info=True)
        return False
    return True


def after_commit(task: str, *args) -> None:
    """Queue the task named `task` once the current transaction commits (at once outside a transaction); never for
    one that rolls back."""
    transaction.on_commit(lambda: send(task, *args))
