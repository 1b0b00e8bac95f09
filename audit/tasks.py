from celery import shared_task

from audit.services import seal


@shared_task(name="audit.tasks.seal_ledger")
def seal_ledger() -> int:
    """Beat runs this every minute: seal every event whose transaction has certainly committed."""
    return sum(block.event_count for block in seal())


@shared_task(name="audit.tasks.verify_ledger")
def verify_ledger(full: bool = False) -> bool:
    """Beat runs this nightly (the blocks sealed since each chain's last verified head) and weekly with `full` (every
    block): audit/ledger_checks.py records each chain's outcome; a chain NOT intact is logged as an error."""
    from audit import ledger_checks

    return ledger_checks.check(full=full).intact
