"""What the reports' commands share: a hub named by its slug."""

from django.core.management.base import CommandError

from agencies.models import Hub


def hub_by_slug(slug: str) -> Hub:
    hub = Hub.objects.filter(slug=slug).first()
    if hub is None:
        known = ", ".join(Hub.objects.order_by("slug").values_list("slug", flat=True)) or "none"
        raise CommandError(f"There is no hub {slug!r} (hubs: {known})")
    return hub
