"""Two API writes sent at the same moment from two threads (each its own database connection), as two retries of
one agency system would arrive: for the PostgreSQL tests of Idempotency-Key races."""

import json
import threading

from django.db import connections
from django.test import Client


def two_posts_at_once(url: str, body: dict, token: str, key: str = "same-key") -> list[tuple[int, str]]:
    """POST `body` to `url` twice at once with one Idempotency-Key; returns each (status, response id)."""
    start = threading.Barrier(2)
    answers = []

    def send():
        try:
            start.wait(timeout=10)
            response = Client().post(
                url, json.dumps(body), content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {token}",
                HTTP_IDEMPOTENCY_KEY=key,
            )  # fmt: skip
            answers.append((response.status_code, response.json()["id"]))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=send) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    return answers
