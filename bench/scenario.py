"""What the hub's people and systems do, as requests, for the load and fault benchmarks, against a hub built by
`bench.decision_hub`:

- `intake`: the police's system sends a referral (`POST /api/v1/referrals/`, a new child, its own Idempotency-Key);
- `agency_list`: the police's system lists its referrals (`GET /api/v1/referrals/?page_size=50`);
- `contribution`: health's system answers an open request (`POST /api/v1/referrals/<id>/contributions/`);
- `queue`: a practitioner opens the triage queue (`GET /hubs/<id>/queue/`);
- `referral_page`: a practitioner opens an open referral;
- `sign_off_queue`: the manager opens the decisions awaiting sign-off;
- `sign_off`: the manager signs a proposed decision off (the review form's POST, signed in with two factors).

Each submission (intake, contribution, sign-off) carries a `Submission` so that a scenario can send it again after a
failure, exactly as first sent (same Idempotency-Key), and check afterwards that what it submitted is stored once.
"""

import json
import random
import threading
import uuid
from collections import deque
from dataclasses import dataclass, field

from bench.common import referral_body, session_login, token
from bench.traffic import Request

EXPECTED = {
    "intake": 201,
    "agency_list": 200,
    "contribution": 201,
    "queue": 200,
    "referral_page": 200,
    "sign_off_queue": 200,
    "sign_off": 302,
}
SUBMISSIONS = ("intake", "contribution", "sign_off")


@dataclass
class Submission:
    step: str
    subject: str  # the referral's Idempotency-Key, the referral answered, or the decision signed off
    statuses: list = field(default_factory=list)
    stored_id: str | None = None  # from the answer that accepted it


class Scenario:
    def __init__(self, port: int, hub: dict, pages: list[str], marker: str = "bench"):
        self.hub, self.pages, self.marker = hub, pages, marker
        police, health = hub["clients"]["police"], hub["clients"]["health"]
        self.api = {"Authorization": f"Bearer {token(port, police['client_id'], police['secret'])}",
                    "Content-Type": "application/json"}  # fmt: skip
        self.health = {"Authorization": f"Bearer {token(port, health['client_id'], health['secret'])}",
                       "Content-Type": "application/json"}  # fmt: skip
        self.practitioner = {"Cookie": session_login(port, **hub["practitioner"])}
        manager_cookie = session_login(port, **hub["manager"])
        csrf = manager_cookie.split("csrftoken=")[1]
        self.manager = {"Cookie": manager_cookie, "X-CSRFToken": csrf,
                        "Content-Type": "application/x-www-form-urlencoded"}  # fmt: skip
        self.asked, self.proposed = deque(hub["asked"]), deque(hub["proposed"])
        self.lock = threading.Lock()
        self.count = 1_000_000  # past the decision hub's own referrals' children (bench.common.child)

    def _take(self, pool: deque, what: str) -> str:
        with self.lock:
            if not pool:
                raise RuntimeError(f"the bench hub has no more {what}: build it with more")
            return pool.popleft()

    def intake(self) -> Request:
        with self.lock:
            self.count += 1
            n = self.count
        key = f"{self.marker}-{uuid.uuid4()}"
        body = json.dumps(referral_body(n, self.marker))
        headers = {**self.api, "Idempotency-Key": key}
        return Request("intake", "POST", "/api/v1/referrals/", body, headers, Submission("intake", key))

    def agency_list(self) -> Request:
        return Request("agency_list", "GET", "/api/v1/referrals/?page_size=50", None, self.api)

    def contribution(self) -> Request:
        referral = self._take(self.asked, "open requests to health")
        headers = {**self.health, "Idempotency-Key": f"{self.marker}-answer-{referral}"}
        body = json.dumps({"known": False})
        path = f"/api/v1/referrals/{referral}/contributions/"
        return Request("contribution", "POST", path, body, headers, Submission("contribution", referral))

    def queue(self) -> Request:
        return Request("queue", "GET", f"/hubs/{self.hub['hub']}/queue/", None, self.practitioner)

    def referral_page(self) -> Request:
        referral = random.choice(self.pages)  # noqa: S311 - which page to read, not a secret
        return Request(
            "referral_page", "GET", f"/hubs/{self.hub['hub']}/referrals/{referral}/", None, self.practitioner
        )

    def sign_off_queue(self) -> Request:
        return Request("sign_off_queue", "GET", f"/hubs/{self.hub['hub']}/sign-off/", None, self.manager)

    def sign_off(self) -> Request:
        decision = self._take(self.proposed, "proposed decisions")
        path = f"/hubs/{self.hub['hub']}/decisions/{decision}/"
        return Request("sign_off", "POST", path, "verdict=sign", self.manager, Submission("sign_off", decision))

    def plan(self) -> dict:
        return {step: getattr(self, step) for step in EXPECTED}


def pools(mix: list[tuple[str, int]], requests: float) -> dict:
    """How many open requests and proposed decisions `requests` requests of `mix` may use up, with a margin: the
    arguments of `bench.common.decision_hub`."""
    weights = dict(mix)
    share = {step: weights.get(step, 0) / sum(weights.values()) for step in ("contribution", "sign_off")}
    return {
        "asked": int(requests * share["contribution"] * 1.5) + 50,
        "proposed": int(requests * share["sign_off"] * 1.5) + 50,
    }


def ok(outcome) -> bool:
    """The answer the step expects; a sign-off must land back on the sign-off queue (not on a sign-in step)."""
    if outcome.step == "sign_off" and not outcome.headers.get("location", "").endswith("/sign-off/"):
        return False
    return outcome.status == EXPECTED[outcome.step]
