"""The declared input of the returns (mash/schemas.py): asking for a month's return, with the lead's commentary."""

from django.utils import timezone

from mash.schemas import Day, Schema, Text
from reports.ledger import month_bounds

COMMENTARY_LIMIT = 5000


class ReturnRequestSchema(Schema):
    """A month that has ended, or this month to date (as its first day), and what the lead has to say about it."""

    month = Day(message="Choose the month")
    commentary = Text(limit=COMMENTARY_LIMIT, too_long=f"Commentary must be {COMMENTARY_LIMIT:,} characters or fewer")

    def check_together(self, values, failed):
        month = values.get("month")
        if month is None:
            return {} if "month" in failed else {"month": "Choose the month"}
        if month.day != 1:
            return {"month": "Give the month as its first day"}
        if month_bounds(month)[0] > timezone.now():
            return {"month": "Choose this month or one that has ended: a return cannot cover the future"}
        return {}
