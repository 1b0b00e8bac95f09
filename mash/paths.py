"""Paths: many links to one route that differ only in their last id, reversed once (`reverse` walks the URL resolver
each time, and a page of fifty rows with two links each spent a tenth of its time there); and the one rule for where a
form may send a person back to (`safe_next`)."""

from collections.abc import Callable

from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme

PLACEHOLDER = "00000000-0000-4000-8000-000000000000"  # a UUID no row has: where the last id goes


def path_for_each(name: str, *leading) -> Callable[[object], str]:
    """A function of an id (a UUID, as the route's last argument takes) giving `reverse(name, args=[*leading, id])`."""
    head, _, tail = reverse(name, args=[*leading, PLACEHOLDER]).rpartition(PLACEHOLDER)
    return lambda last: f"{head}{last}{tail}"


def safe_next(request, fallback: str, *, also_get: bool = False) -> str:
    """The `next` the form sent (or the address's, with `also_get`) if it is a path on this site, otherwise `fallback`:
    no form sends anyone to another site (an open redirect)."""
    target = request.POST.get("next") or (request.GET.get("next") if also_get else "") or ""
    on_site = target.startswith("/") and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return target if on_site else fallback
