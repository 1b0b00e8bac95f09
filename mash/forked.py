"""A function run in a forked copy of this process while this one goes on: `Forked(fn, *args).result()`.

multiprocessing refuses to start a process from a daemonic one, and Celery's prefork workers are daemonic, so the
work a task hands to a second core is forked here by hand: the child runs the function, writes the pickled outcome
(its return value or its exception) to a pipe and leaves with os._exit (none of the parent's clean-up runs twice).
Close Django's database connections before forking: the child must open its own. The child also forgets every
connection it inherited (`forget_inherited_connections`): `connections.close_all()` closes only the connections of
the caller's context, and a thread can hold others (below).
"""

import contextlib
import os
import pickle
import sys


class ForkedDied(RuntimeError):
    """The forked process ended without an outcome (killed, or out of memory)."""


class Forked:
    def __init__(self, fn, *args):
        read, write = os.pipe()
        pid = os.fork()
        if pid == 0:  # pragma: no cover - the child: its coverage is not collected
            os.close(read)
            try:
                forget_inherited_connections()
                outcome = ("value", fn(*args))
            except BaseException as exc:  # noqa: BLE001 - every failure goes back to the parent
                outcome = ("error", exc)
            try:
                data = pickle.dumps(outcome)
            except Exception:  # noqa: BLE001 - an outcome that cannot be pickled is reported as such
                data = pickle.dumps(("error", RuntimeError(f"unpicklable outcome: {outcome[1]!r}"[:500])))
            with os.fdopen(write, "wb") as pipe:
                pipe.write(data)
            sys.stdout.flush()
            sys.stderr.flush()
            os._exit(0)
        os.close(write)
        self._pid, self._read, self._outcome = pid, read, None

    def result(self):
        """Wait for the child; its return value, or its exception raised here."""
        if self._outcome is None:
            with os.fdopen(self._read, "rb") as pipe:
                data = pipe.read()
            os.waitpid(self._pid, 0)
            self._outcome = pickle.loads(data) if data else ("error", ForkedDied("the forked process died"))  # noqa: S301 - our own child's bytes
        kind, value = self._outcome
        if kind == "error":
            raise value
        return value

    def close(self) -> None:
        """Wait for the child if nobody asked for its outcome (no process is left behind)."""
        if self._outcome is None:
            with contextlib.suppress(BaseException):  # nobody wanted it
                self.result()


def forget_inherited_connections() -> None:
    """In a forked child, before any query: Django's connections here open new ones; the parent's are neither used
    nor closed (closing would end the parent's session on the socket the two share; psycopg's own clean-up skips a
    connection made in another process).

    The parent's `connections.close_all()` is not enough. Django keeps a thread's connections per asyncio context
    while an event loop runs in the thread (asgiref's Local), and plainly per thread otherwise. With a loop running
    in the thread (Playwright's sync API in the browser tests), the parent closes its context's connections, but a
    connection the thread opened before the loop started stays open. After the fork asyncio forgets the running
    loop, so the child sees that older connection as its own: both processes then talk on one socket, and the
    child's first query failed with "server closed the connection unexpectedly"."""
    from django.db import connections

    for wrapper in connections.all(initialized_only=True):
        wrapper.connection = None  # Django connects afresh at the next query (and resets the wrapper's state)
