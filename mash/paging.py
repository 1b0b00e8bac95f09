"""Page numbers without counting the whole table.

A hub's list pages sit on tables of millions of rows where every row visible to the reader is a permission check;
counting them all to print "page 1 of 20,000" costs more than the page. `WindowPaginator` counts only as far as a
window of pages beyond the page asked for: the total is exact when the list ends inside the window, and otherwise
the page says there are more (`exact` is False) and "Next" stays available.
"""

from functools import cached_property

from django.core.paginator import Paginator

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
        """The number of items up to the window's end: SELECT COUNT(*) over a LIMITed subquery, unordered (any
        `limit + 1` rows count the same, and the queue's order is computed per row: it cost the count a sort)."""
        rows = self.object_list
        if hasattr(rows, "order_by"):
            rows = rows.order_by()
        counted = rows[: self.limit + 1].count()
        self.exact = counted <= self.limit
        return min(counted, self.limit)


def window_page(object_list, per_page: int, asked):
    """The page asked for (the last one counted if it lies beyond), as `Paginator.get_page` gives it."""
    number = asked_page(asked)
    return WindowPaginator(object_list, per_page, number).get_page(number)
