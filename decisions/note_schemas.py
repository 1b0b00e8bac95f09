"""The declared input of a case note (mash/schemas.py): its type, when what it records happened (a day and a time,
both left empty for now; never in the future) and the text. A correction gives the time and the text; it keeps the
type of the note it corrects. Context: `may_oversee` (whether the author may add a management oversight note)."""

import re
from datetime import datetime, time

from django.utils import timezone
from django.utils.functional import lazy
from django.utils.text import format_lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from decisions.models.notes import NoteKind
from mash.schemas import Choice, Day, Schema, Text
from mash.words import one_of

_TIME = re.compile(r"^([01]?\d|2[0-3])[:.]([0-5]\d)$")
TIME_MESSAGE = _("Enter the time as hours and minutes on the 24-hour clock, like 14:30")


class NoteSchema(Schema):
    unknown = _("This field is not part of a case note: send kind, occurred_on, occurred_time and text")

    kind = Choice(NoteKind.choices, message=_("Choose the type of note"),
                  help_text=format_lazy(_("One of: {kinds} (management oversight: the acting manager's)"),
                                        kinds=lazy(one_of, str)(NoteKind.choices)))  # fmt: skip
    occurred_on = Day(message=_("Enter the date as a real date, like 2026-12-04"))
    occurred_time = Text(limit=5, too_long=TIME_MESSAGE)
    text = Text(limit=20_000, required=_("Enter the note"), too_long=_("Keep the note to 20,000 characters"))

    def check_together(self, values, failed):
        errors = {}
        if values.get("kind") == NoteKind.MANAGEMENT_OVERSIGHT and not self.context.get("may_oversee"):
            errors["kind"] = gettext(
                "Only the hub's accountable manager, or the deputy while the delegation runs, may add a management "
                "oversight note: choose another type"
            )
        if {"occurred_on", "occurred_time"} & failed:
            return errors
        now = timezone.localtime()
        day, typed = values.pop("occurred_on", None), values.pop("occurred_time", "")
        match = _TIME.match(typed) if typed else None
        if typed and match is None:
            errors["occurred_time"] = TIME_MESSAGE
            return errors
        if day is not None and match is None:
            errors["occurred_time"] = gettext("Enter the time as well as the date")
            return errors
        if match is None:  # neither given: now
            values["occurred_at"] = now
            return errors
        at = time(int(match[1]), int(match[2]))
        values["occurred_at"] = timezone.make_aware(datetime.combine(day or now.date(), at))
        if values["occurred_at"] > now:
            key = "occurred_on" if (day or now.date()) > now.date() else "occurred_time"
            errors[key] = gettext("The time of the note cannot be in the future")
        return errors


class CorrectionSchema(NoteSchema):
    unknown = _("This field is not part of a correction: send occurred_on, occurred_time and text")

    kind = None  # the corrected note's own
