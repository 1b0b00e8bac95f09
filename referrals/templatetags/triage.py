"""Triage's small pieces of presentation: the RAG tag (colour and words, never colour alone) and the time left."""

from datetime import datetime

from django import template
from django.utils import timezone
from django.utils.html import format_html

register = template.Library()

# rating → (GOV.UK tag modifier, words)
RAG_TAGS = {
    "red": ("govuk-tag--red", "Red"),
    "amber": ("govuk-tag--orange", "Amber"),
    "green": ("govuk-tag--green", "Green"),
    "blue": ("govuk-tag--blue", "Blue"),
    "": ("govuk-tag--grey", "Not rated"),
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
        return f"{days} d {hours} h"
    if hours:
        return f"{hours} h {minutes} min"
    return f"{minutes} min" if minutes else "less than 1 min"


@register.filter
def time_left(due_at: datetime | None, now: datetime | None = None) -> str:
    """'3 h 20 min left', 'Overdue by 1 h 5 min' or 'No deadline'."""
    if due_at is None:
        return "No deadline"
    now = now or timezone.now()
    seconds = int((due_at - now).total_seconds())
    if seconds >= 0:
        return f"{_span(seconds)} left"
    return f"Overdue by {_span(-seconds)}"
