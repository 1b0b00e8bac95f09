"""Celery tasks of the returns: they take ids (or nothing) and call one service."""

from celery import shared_task

from reports import services


@shared_task(name="reports.tasks.return_build", bind=True, ignore_result=True, acks_late=True, max_retries=40)
def return_build(self, return_id: str) -> str | None:
    try:
        row = services.return_build(return_id=return_id)
    except services.NotSealedYet as waiting:
        raise self.retry(countdown=15) from waiting  # the return stays queued; beat's resume job is the backstop
    return row.state if row else None


@shared_task(name="reports.tasks.returns_schedule", ignore_result=True)
def returns_schedule() -> int:
    """Beat, on the 1st of each month: last month's return of every hub."""
    return len(services.returns_schedule())


@shared_task(name="reports.tasks.returns_resume", ignore_result=True)
def returns_resume() -> int:
    return services.returns_resume()
