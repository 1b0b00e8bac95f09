"""The Celery app. Configuration lives in mash/settings.py under CELERY_*.

Reliability choices: a task is acknowledged only after it finishes (acks_late) and given back to the queue if its
worker dies (reject_on_worker_lost); each worker process holds one message at a time (prefetch 1); JSON only; hard
and soft time limits. A worker process keeps its database connection across tasks (CELERY_DB_REUSE_MAX) and
closes it around a task only when it is broken or older than CONN_MAX_AGE, as Django does around a request. Tasks
take ids, never model instances, and are queued with `delay_on_commit` so a task never runs against a transaction
that rolled back. One beat leads at a time (mash/beat.py: a lock).
"""

import os

from celery import Celery
from celery.signals import task_postrun, task_prerun

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mash.settings")

app = Celery("mash")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks(["mash", "audit", "agencies", "referrals", "decisions", "reports"])


@task_prerun.connect
@task_postrun.connect
def _connections_tidy(sender=None, **kwargs) -> None:
    """A broken or too old connection is closed before and after each task; a live one is kept for the next. A task
    run eagerly (in the caller's process, inside its transaction) leaves the caller's connection alone."""
    from django.db import close_old_connections

    if not getattr(getattr(sender, "request", None), "is_eager", False):
        close_old_connections()
