"""The Celery app. Configuration lives in mash/settings.py under CELERY_*.

Reliability choices: a task is acknowledged only after it finishes (acks_late) and given back to the queue if its
worker dies (reject_on_worker_lost); each worker process holds one message at a time (prefetch 1); JSON only; hard
and soft time limits. Tasks take ids, never model instances, and are queued with `delay_on_commit` so a task never
runs against a transaction that rolled back. One beat leads at a time (mash/beat.py: a lock).
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mash.settings")

app = Celery("mash")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks(["mash", "audit", "agencies", "referrals", "decisions", "reports"])
