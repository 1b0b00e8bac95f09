"""Triage's small pieces of presentation: the RAG tag (colour and words, never colour alone) and the time left."""

from datetime import datetime

from django import template
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

register = template.Library()

# rating → (GOV.UK tag modifier, words)
RAG_TAGS = {
    "red": ("govuk-tag--red", gettext_lazy("Red")),
    "amber": ("govuk-tag--orange", gettext_lazy("Amber")),
    "green": ("govuk-tag--green", gettext_lazy("Green")),
    "blue": ("govuk-tag--blue", gettext_lazy("Blue")),
    "": ("govuk-tag--grey", gettext_lazy("Not rated")),
}


@register.simple_tag
def rag_tag(rating: str):
    css, words = RAG_TAGS.get(rating or "", RAG_TAGS[""])
    return format_html('<strong class="govuk-tag {}">{}</strong>', css, words)


def _span(seconds: int) -> str:
    """A length of time in the two largest units: 2 d 3 h, 3 h 20 min, 45 min."""
    minutes = seconds // 60
    days, minutes = divmod(minutes, 24 * 60)
    hours, minutes = divmod(minutes, 60)
    if days:
        return _("%(days)s d %(hours)s h") % {"days": days, "hours": hours}
    if hours:
        return _("%(hours)s h %(minutes)s min") % {"hours": hours, "minutes": minutes}
    return _("%(minutes)s min") % {"minutes": minutes} if minutes else _("less than 1 min")


@register.filter
def time_left(due_at: datetime | None, now: datetime | None = None) -> str:
    """'3 h 20 min left', 'Overdue by 1 h 5 min' or 'No deadline'."""
    if due_at is None:
        return _("No deadline")
    now = now or timezone.now()
    seconds = int((due_at - now).total_seconds())
    if seconds >= 0:
        return _("%(time)s left") % {"time": _span(seconds)}
    return _("Overdue by %(time)s") % {"time": _span(-seconds)}
