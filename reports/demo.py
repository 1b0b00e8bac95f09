"""The demo hub's past returns, built as beat and the worker would have: called by the demo's history
(decisions/demo.py) with the clock at 02:00 on the 1st of the next month, between that night's events and the
morning's. A month that already has a return is left alone."""

from reports.models import MonthlyReturn
from reports.services import return_build, return_request


def month_return(hub, month) -> MonthlyReturn | None:
    """Ask for the month's return as beat does (by nobody) and build it as the worker does; None if it has one."""
    if MonthlyReturn.objects.filter(hub=hub, month=month).exists():
        return None
    row = return_request(hub=hub, month=month, by=None)
    return return_build(return_id=row.pk)
