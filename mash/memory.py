"""Pausing CPython's cyclic garbage collector while a bounded piece of work builds many objects that live on.

The collector runs a young-generation pass every 700 net allocations and re-scans the survivors as they age: reading
a month's 80,000 ledger events allocated enough to run it hundreds of times, half the time of the read, and
WeasyPrint's boxes for a return's PDF a fifth of the drawing (bench/returns, measured side by side). Reference
counting still frees everything dropped meanwhile; only cycles wait, and the collector runs again afterwards.
"""

import gc
from contextlib import contextmanager


@contextmanager
def collector_paused():
    paused = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if paused:
            gc.enable()
