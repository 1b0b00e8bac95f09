"""Celery tasks of the decisions app: they take ids (or nothing) and call one service."""

from celery import shared_task

from decisions import webhooks


@shared_task(name="decisions.tasks.webhooks_send", ignore_result=True)
def webhooks_send() -> int:
    return webhooks.deliveries_send()
