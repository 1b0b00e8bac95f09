"""Page numbers counted only a window ahead: exact when the list ends inside it, "more than" otherwise."""

import pytest
from django.contrib.auth import get_user_model

from mash.paging import WindowPaginator, window_page
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def users():
    UserFactory.create_batch(7)
    return get_user_model().objects.order_by("pk")


def test_a_list_that_ends_inside_the_window_is_counted_exactly(users):
    page = window_page(users, 2, "1")  # window of 10 pages: 22 rows would be counted; there are 7
    assert (page.paginator.count, page.paginator.exact, page.paginator.num_pages) == (7, True, 4)


def test_a_longer_list_says_there_are_more_and_keeps_next(users):
    paginator = WindowPaginator(users, 2, "1", window=1)  # counts as far as page 2: 4 rows, then knows of more
    page = paginator.get_page("1")
    assert (paginator.count, paginator.exact, paginator.num_pages) == (4, False, 2)
    assert page.has_next()
    last = window_page(users, 2, "4")  # asking for page 4 moves the window: the end is in sight
    assert (last.number, last.paginator.exact, [u.pk for u in last]) == (4, True, [users[6].pk])


def test_a_page_number_that_is_not_a_number_gives_the_first_page(users):
    assert window_page(users, 2, "x'; DROP").number == 1
    assert window_page(users, 2, None).number == 1


def test_a_page_number_too_large_for_the_database_gives_the_last_page(users):
    """Hole 6 of issue 15: ?page=99999999999999999999 overflowed the database's integers (a server error)."""
    page = window_page(users, 2, "99999999999999999999")
    assert (page.number, [u.pk for u in page]) == (4, [users[6].pk])
    assert window_page(users, 2, "-3").number == 1


def test_the_count_is_not_sorted_but_the_page_is(users):
    """Counting the first rows of the window does not need their order (the queue's order is computed per row);
    the page itself keeps it."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        page = window_page(users.order_by("-pk"), 2, "1")
        rows = list(page.object_list)
    count, listed = (q["sql"] for q in queries)
    assert "COUNT(*)" in count and "ORDER BY" not in count
    assert "ORDER BY" in listed and [u.pk for u in rows] == sorted((u.pk for u in users), reverse=True)[:2]
