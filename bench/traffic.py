"""Open-loop HTTP traffic for the load and fault benchmarks: requests fall due on a fixed schedule whatever the
server does, and each latency counts from the moment its request was due, so a server that falls behind (or stops
answering) shows it in every figure. Only 127.0.0.1 is contacted."""

import http.client
import queue
import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from bench.common import percentile


@dataclass
class Request:
    step: str
    method: str
    path: str
    body: str | None = None
    headers: dict = field(default_factory=dict)
    tag: object = None  # the scenario's own record of what this request submits, handed back with the outcome


@dataclass
class Outcome:
    request: Request
    latency: float
    status: int | None  # None: no answer (refused, reset or timed out)
    headers: dict
    body: bytes
    finished: float = field(default_factory=time.monotonic)

    @property
    def step(self) -> str:
        return self.request.step


class Connection:
    """One client's keep-alive connection, opened again after any failure."""

    def __init__(self, port: int, timeout: float = 30):
        self.port, self.timeout = port, timeout
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)

    def send(self, request: Request) -> tuple[int | None, dict, bytes]:
        try:
            self.conn.request(request.method, request.path, request.body, request.headers)
            response = self.conn.getresponse()
            body = response.read()
            return response.status, {k.lower(): v for k, v in response.getheaders()}, body
        except (OSError, http.client.HTTPException) as error:
            self.conn.close()
            self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=self.timeout)
            return None, {}, repr(error).encode()


def run(
    port: int,
    rate: float,
    seconds: float,
    next_request: Callable[[random.Random], Request],
    *,
    threads: int = 64,
    seed: int = 1,
    on_outcome: Callable[[Outcome], None] | None = None,
) -> list[Outcome]:
    """Send `rate` requests a second for `seconds`, each made by `next_request` when it falls due; returns every
    outcome (also handed to `on_outcome` as it arrives, from the client threads)."""
    due: queue.Queue = queue.Queue()
    outcomes: list[Outcome] = []
    lock = threading.Lock()
    rng = random.Random(seed)  # noqa: S311 - a reproducible mix, not a secret

    def client():
        conn = Connection(port)
        while (item := due.get()) is not None:
            request, at = item
            status, headers, body = conn.send(request)
            outcome = Outcome(request, time.perf_counter() - at, status, headers, body[:4000])
            with lock:
                outcomes.append(outcome)
            if on_outcome is not None:
                on_outcome(outcome)

    workers = [threading.Thread(target=client, daemon=True) for _ in range(threads)]
    for worker in workers:
        worker.start()
    start = time.perf_counter()
    for i in range(int(rate * seconds)):
        at = start + i / rate
        pause = at - time.perf_counter()
        if pause > 0:
            time.sleep(pause)
        due.put((next_request(rng), at))
    for _ in workers:
        due.put(None)
    for worker in workers:
        worker.join(timeout=120)
    return outcomes


def weighted(mix: list[tuple[str, int]], plan: dict[str, Callable[[], Request]]) -> Callable[[random.Random], Request]:
    """A `next_request` that picks a step by its weight in `mix` and asks the step's plan for the request."""
    steps = [name for name, weight in mix for _ in range(weight)]
    return lambda rng: plan[rng.choice(steps)]()


def latencies(outcomes: list[Outcome], steps: list[str], ok: Callable[[Outcome], bool]) -> dict:
    """Per step: requests, errors (outcomes not `ok`), p50/p95/p99 in ms."""
    report = {}
    for step in steps:
        mine = [o for o in outcomes if o.step == step]
        times = sorted(o.latency for o in mine)
        report[step] = {
            "requests": len(mine),
            "errors": sum(1 for o in mine if not ok(o)),
            **{f"p{n}_ms": percentile(times, n / 100) if times else None for n in (50, 95, 99)},
        }
    return report
