"""The API's one pagination: newest first by cursor (no count over the whole table; a page costs the same however
deep it is), with its parameters checked like any other input. `page_size` must be a whole number from 1 to
MAX_PAGE_SIZE and `cursor` one this API gave: anything else is a 422 naming the parameter, never silently page 1."""

import base64
from urllib.parse import parse_qsl

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.pagination import CursorPagination

PAGE_SIZE = 50
MAX_PAGE_SIZE = 200
CURSOR_KEYS = {"o", "r", "p"}
BAD_CURSOR = _("Use the cursor from a page's `next` or `previous` link, unchanged")


def _well_formed(encoded: str) -> bool:
    """A cursor as DRF writes them: strict base64 of a query string of its own keys (offset, reverse, position).
    DRF itself reads any text as the first page (base64 skips what is not its alphabet)."""
    try:
        text = base64.b64decode(encoded.encode("ascii"), validate=True).decode("ascii")
    except (ValueError, UnicodeError):
        return False
    keys = {key for key, _ in parse_qsl(text, keep_blank_values=True)}
    return bool(keys) and keys <= CURSOR_KEYS


class CursorPages(CursorPagination):
    """Subclasses give `ordering` (newest first, with the id as the tie-break)."""

    page_size = PAGE_SIZE
    page_size_query_param = "page_size"
    max_page_size = MAX_PAGE_SIZE

    def get_page_size(self, request):
        raw = request.query_params.get(self.page_size_query_param)
        if raw is None:
            return self.page_size
        if not (raw.isascii() and raw.isdigit()) or not 1 <= int(raw) <= self.max_page_size:
            message = gettext("Give a whole number from 1 to %(most)s") % {"most": self.max_page_size}
            raise ValidationError({"page_size": [message]})
        return int(raw)

    def decode_cursor(self, request):
        encoded = request.query_params.get(self.cursor_query_param)
        if encoded is not None and not _well_formed(encoded):
            raise ValidationError({"cursor": [BAD_CURSOR]})
        try:
            return super().decode_cursor(request)
        except NotFound:
            raise ValidationError({"cursor": [BAD_CURSOR]}) from None

    def paginate_queryset(self, queryset, request, view=None):
        try:
            return super().paginate_queryset(queryset, request, view)
        except (DjangoValidationError, ValueError, TypeError, OverflowError):
            # A well-formed cursor whose position is not a value of the ordering field (hand-made): the query
            # refuses it before it reaches the database.
            if request.query_params.get(self.cursor_query_param) is None:
                raise
            raise ValidationError({"cursor": [BAD_CURSOR]}) from None
