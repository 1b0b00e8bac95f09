"""The declared input of the returns (mash/schemas.py): asking for a month's return, with the lead's commentary."""

from django.conf import settings
from django.utils import timezone

from mash.schemas import Choice, Day, Schema, Text
from reports.ledger import month_bounds

COMMENTARY_LIMIT = 5000


class ReturnRequestSchema(Schema):
    """A month that has ended, or this month to date (as its first day), and what the lead has to say about it."""

    month = Day(message="Choose the month")
    commentary = Text(limit=COMMENTARY_LIMIT, too_long=f"Commentary must be {COMMENTARY_LIMIT:,} characters or fewer")
    language = Choice(
        [code for code, _ in settings.LANGUAGES], message="Choose English or Cymraeg for the return", optional=True
    )

    def check_together(self, values, failed):
        month = values.get("month")
        if month is None:
            return {} if "month" in failed else {"month": "Choose the month"}
        if month.day != 1:
            return {"month": "Give the month as its first day"}
        if month_bounds(month)[0] > timezone.now():
            return {"month": "Choose this month or one that has ended: a return cannot cover the future"}
        return {}
