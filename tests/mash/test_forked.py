"""mash/forked.py: a function run in a forked process (as a Celery prefork worker, which multiprocessing refuses to
let start a process, hands a second core its work): its value or its exception comes back; a child that dies is
reported, never waited for in vain."""

import multiprocessing
import os
import signal

import pytest

from mash.forked import Forked, ForkedDied


def _pid_and(value):
    return os.getpid(), value * 2


def _fails():
    raise ValueError("the child's own words")


def _dies():
    os.kill(os.getpid(), signal.SIGKILL)


def test_the_value_comes_back_from_another_process():
    pid, doubled = Forked(_pid_and, 21).result()
    assert doubled == 42 and pid != os.getpid()


def test_the_childs_exception_is_raised_here():
    with pytest.raises(ValueError, match="the child's own words"):
        Forked(_fails).result()


def test_a_child_killed_is_reported():
    with pytest.raises(ForkedDied):
        Forked(_dies).result()


def _from_a_daemon(queue):
    queue.put(Forked(_pid_and, 2).result()[1])


def test_it_forks_from_a_daemonic_process_where_multiprocessing_refuses():
    queue = multiprocessing.get_context("fork").Queue()
    daemon = multiprocessing.get_context("fork").Process(target=_from_a_daemon, args=(queue,), daemon=True)
    daemon.start()
    assert queue.get(timeout=20) == 4
    daemon.join(10)
    assert daemon.exitcode == 0


def _backend_pid():
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return cursor.fetchone()[0]


@pytest.mark.postgres
def test_the_child_never_talks_on_the_parents_database_connection(transactional_db):
    """A connection still open in the parent at the fork (one of another asyncio context of the thread, which
    `connections.close_all()` does not reach; the browser tests hit it) is not the child's: the child opens its own,
    and the parent's goes on working. Sharing the socket, the child's first query failed."""
    parents = _backend_pid()  # open, and left open on purpose
    childs = Forked(_backend_pid).result()
    assert childs != parents
    assert _backend_pid() == parents  # the parent's session was neither used nor ended by the child
