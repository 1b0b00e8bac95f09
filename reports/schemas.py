"""The declared input of the returns (mash/schemas.py): asking for a month's return, with the lead's commentary."""

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from mash.schemas import Choice, Day, Schema, Text
from mash.words import filled
from reports.ledger import month_bounds

COMMENTARY_LIMIT = 5000


class ReturnRequestSchema(Schema):
    """A month that has ended, or this month to date (as its first day), and what the lead has to say about it."""

    month = Day(message=_("Choose the month"))
    commentary = Text(
        limit=COMMENTARY_LIMIT,
        too_long=filled(_("Commentary must be %(limit)s characters or fewer"), limit=f"{COMMENTARY_LIMIT:,}"),
    )
    language = Choice(
        [code for code, _name in settings.LANGUAGES],
        message=_("Choose English or Cymraeg for the return"),
        optional=True,
    )

    def check_together(self, values, failed):
        month = values.get("month")
        if month is None:
            return {} if "month" in failed else {"month": _("Choose the month")}
        if month.day != 1:
            return {"month": _("Give the month as its first day")}
        if month_bounds(month)[0] > timezone.now():
            return {"month": _("Choose this month or one that has ended: a return cannot cover the future")}
        return {}
