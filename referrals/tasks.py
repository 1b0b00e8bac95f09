"""Celery tasks of the referral app: they take ids (or nothing) and call one service."""

from celery import shared_task

from referrals import acknowledgement, deadlines, idempotency, matching


@shared_task(name="referrals.tasks.deadlines_sweep", ignore_result=True)
def deadlines_sweep() -> int:
    return deadlines.deadlines_sweep()


@shared_task(name="referrals.tasks.notices_deliver", ignore_result=True)
def notices_deliver() -> int:
    return deadlines.notices_deliver() + acknowledgement.referrer_emails_send()


@shared_task(name="referrals.tasks.idempotency_prune", ignore_result=True)
def idempotency_prune() -> int:
    return idempotency.idempotency_prune()


@shared_task(name="referrals.tasks.subject_matches_find", ignore_result=True)
def subject_matches_find(referral_id: str) -> int:
    return len(matching.subject_matches_find(referral_id=referral_id))


@shared_task(name="referrals.tasks.matching_sweep", ignore_result=True)
def matching_sweep() -> int:
    return matching.matching_sweep()
