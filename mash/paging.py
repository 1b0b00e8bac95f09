"""Page numbers without counting the whole table.

A hub's list pages sit on tables of millions of rows where every row visible to the reader is a permission check;
counting them all to print "page 1 of 20,000" costs more than the page. `WindowPaginator` counts only as far as a
window of pages beyond the page asked for: the total is exact when the list ends inside the window, and otherwise
the page says there are more (`exact` is False) and "Next" stays available.
"""

from functools import cached_property

from django.core.paginator import Paginator
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import CursorPagination

WINDOW_PAGES = 10
# No list is read this deep by hand; a larger number (?page=99999999999999999999) would overflow the database's
# integers in LIMIT, so it is taken as this one, and the last page counted is shown.
MAX_PAGE = 100_000


def asked_page(value) -> int:
    """The page number asked for, from 1 to MAX_PAGE; anything that is not a whole number asks for page 1."""
    try:
        return min(max(1, int(str(value))), MAX_PAGE)
    except (TypeError, ValueError):
        return 1


class WindowPaginator(Paginator):
    def __init__(self, object_list, per_page: int, asked, window: int = WINDOW_PAGES):
        super().__init__(object_list, per_page)
        self.limit = (asked_page(asked) + window) * per_page
        self.exact = True

    @cached_property
    def count(self) -> int:
        """The number of items up to the window's end: SELECT COUNT(*) over a LIMITed subquery."""
        counted = self.object_list[: self.limit + 1].count()
        self.exact = counted <= self.limit
        return min(counted, self.limit)


def window_page(object_list, per_page: int, asked):
    """The page asked for (the last one counted if it lies beyond), as `Paginator.get_page` gives it."""
    number = asked_page(asked)
    return WindowPaginator(object_list, per_page, number).get_page(number)


class StrictCursorPagination(CursorPagination):
    """The API's cursor pages, whose `page_size` is a whole number from 1 to `max_page_size` or a 422 on that field
    (DRF's own quietly falls back to the default), as the OpenAPI document says (mash/openapi.py)."""

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200

    def get_page_size(self, request):
        raw = request.query_params.get(self.page_size_query_param)
        if raw is None:
            return self.page_size
        if not (raw.isascii() and raw.isdigit() and len(raw) <= 6 and 1 <= int(raw) <= self.max_page_size):
            raise ValidationError({self.page_size_query_param: [f"Enter a page size from 1 to {self.max_page_size}"]})
        return int(raw)
