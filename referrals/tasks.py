"""Celery tasks of the referral app: they take ids (or nothing) and call one service."""

from celery import shared_task

from referrals import deadlines


@shared_task(name="referrals.tasks.deadlines_sweep", ignore_result=True)
def deadlines_sweep() -> int:
    return deadlines.deadlines_sweep()


@shared_task(name="referrals.tasks.notices_deliver", ignore_result=True)
def notices_deliver() -> int:
    return deadlines.notices_deliver()
