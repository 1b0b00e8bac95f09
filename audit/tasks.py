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


@shared_task(name="audit.tasks.partitions_ensure")
def partitions_ensure(months_ahead: int = 3) -> list[str]:
    """Beat runs this daily: PostgreSQL's monthly partitions of the ledger's events created ahead (audit/partitions.py);
    events found in the default partition (ahead was not far enough) are logged as an error."""
    import logging

    from audit import partitions

    result = partitions.partitions_ensure(months_ahead)
    if result.moved_from_default or result.default_rows:
        logging.getLogger(__name__).error(
            "audit partitions: %s event(s) moved out of the default partition, %s left in it (outside every month)",
            result.moved_from_default,
            result.default_rows,
        )
    return result.created
