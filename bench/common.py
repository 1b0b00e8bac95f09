"""What the benchmarks share: a fresh PostgreSQL database with the schema, a bench hub with an API client, gunicorn
on a local port, OAuth2 tokens and latency figures. Only 127.0.0.1 is contacted."""

import base64
import datetime
import http.client
import json
import os
import re
import subprocess
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PY = str(ROOT / ".venv" / "bin" / "python")


def bench_pg_port() -> int:
    return int(os.environ.get("BENCH_PG_PORT", "5432"))


def environment(
    db: str, settings: str = "mash.settings", *, pg_port: int | None = None, redis: str = "127.0.0.1:6379/13"
) -> dict:
    """The production settings on plain http at 127.0.0.1, with PostgreSQL database `db` and a Redis database.
    BENCH_PG_PORT names another PostgreSQL cluster on this machine (default 5432): a bench run while the suite runs on
    5432 must use its own, since long bench transactions there hold back the ledger's seal horizon for every
    database of the cluster and the suite's report tests fail with NotSealedYet."""
    pg_port = pg_port or bench_pg_port()
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": settings,
        "SECRET_KEY": "bench-only",
        "DEBUG": "false",
        "SECURE_SSL_REDIRECT": "false",  # plain http on 127.0.0.1
        "ALLOWED_HOSTS": "127.0.0.1",
        "DATABASE_URL": f"postgres://postgres@127.0.0.1:{pg_port}/{db}",
        "REDIS_URL": f"redis://{redis}",
        "API_THROTTLE_RATE": "1000000/min",
        "MASH_VAR_DIR": tempfile.mkdtemp(prefix="mash-bench-"),
        "AUDIT_SIGNING_KEY": base64.b64encode(os.urandom(32)).decode(),  # signs the ledger's heads (audit/anchor.py)
        "PYTHONPATH": str(ROOT),
    }


def child(n: int) -> dict:
    """The `n`th bench child: a name from the lists of bench/matching/families.py and a date of birth in 2009–2024;
    no two share all three among the decision hub's children (from 0) and a run's 200,000 intakes after them
    (bench/scenario.py, from 1,000,000). (Names told apart only by a number read as one name to the matcher, which
    made every bench child "the same person": the worker scored 200 candidates a referral and wrote them as matches.)"""
    from bench.matching.families import BOYS, FAMILIES, GIRLS

    given_names = BOYS + GIRLS
    given = given_names[n % len(given_names)]
    family = FAMILIES[(n // len(given_names) + n * 7) % len(FAMILIES)]
    born = datetime.date(2009, 1, 1) + datetime.timedelta(days=(n * 7919) % 5800)
    return {"given_name": given, "family_name": family, "date_of_birth": born.isoformat()}


def referral_body(n: int, marker: str = "bench") -> dict:
    """A valid child referral from the police; `marker` goes in the referrer's contact so a run finds its own."""
    return {
        "referrer": {"name": "PC Bench", "role": "Response officer", "contact": f"{marker}@police.example"},
        "source_code": "6",
        "concerns": ["neglect"],
        "narrative": "Benchmark referral.",
        "immediate_risk": False,
        "consent": "not_obtained",
        "consent_reason": "Benchmark.",
        "subject": child(n),
    }


def conninfo(env: dict, db: str | None = None) -> str:
    """psycopg's connection string for the server of `env`'s DATABASE_URL (its database, or `db`)."""
    from urllib.parse import urlsplit

    url = urlsplit(env["DATABASE_URL"])
    return f"dbname={db or url.path.lstrip('/')} user=postgres host=127.0.0.1 port={url.port or 5432}"


def fresh_database(db: str, env: dict) -> None:
    """Drop and create `db`, then migrate it."""
    import psycopg

    with psycopg.connect(conninfo(env, "postgres"), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{db}"')
    subprocess.run([PY, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True)


def collect_static(env: dict) -> None:
    """The hashed static files that pages need when DEBUG is off (the benchmarks run as production does)."""
    subprocess.run([PY, "manage.py", "collectstatic", "--no-input", "-v0"], cwd=ROOT, env=env, check=True)


BENCH_HUB = """
import django; django.setup()
from agencies import services
from agencies.models import Role
from django.contrib.auth import get_user_model
hub = services.hub_create(name='Bench hub', slug='bench', working_days=[0,1,2,3,4])
agency = services.agency_create(name='Bench police', slug='police', kind='police', source_codes=['6'])
services.membership_set(hub=hub, agency=agency, kind='core')
school = services.agency_create(name='Bench school', slug='school', kind='education', source_codes=['2A'])
services.membership_set(hub=hub, agency=school, kind='contributing')
user = get_user_model().objects.create_user('bench-practitioner', password='bench-password-1234')
services.role_grant(hub=hub, user=user, role=Role.PRACTITIONER)
boss = get_user_model().objects.create_user('bench-manager', password='bench-password-1234', email='m@example.org')
services.role_grant(hub=hub, user=boss, role=Role.MANAGER)
_, cid, secret = services.api_client_create(hub=hub, agency=agency, name='bench')
print(hub.pk, agency.pk, school.pk, cid, secret)
"""


def bench_hub(env: dict) -> dict:
    """A hub with a police (core) and a school (contributing) agency, a practitioner, a manager and the police's API
    client."""
    out = subprocess.run([PY, "-c", BENCH_HUB], cwd=ROOT, env=env, check=True, capture_output=True, text=True)
    hub, police, school, client_id, secret = out.stdout.split()[-5:]
    return {"hub": hub, "police": police, "school": school, "client_id": client_id, "secret": secret}


@contextmanager
def gunicorn(env: dict, port: int, workers: int = 3, log=None, app: str = "mash.wsgi:application", threads: int = 1):
    """gunicorn serving the project (or another WSGI `app`) on `port`; its output to `log` (an open file) if given.
    `threads` above 1 runs gunicorn's threaded workers (gthread) with that many threads each."""
    server = subprocess.Popen(
        [str(ROOT / ".venv" / "bin" / "gunicorn"), app, "--bind", f"127.0.0.1:{port}",
         "--workers", str(workers), "--threads", str(threads), "--log-level", "warning"],
        cwd=ROOT, env=env, stdout=log, stderr=log,
    )  # fmt: skip
    try:
        wait_until_healthy(port, server)
        yield
    finally:
        server.terminate()
        server.wait(timeout=20)


def wait_until_healthy(port: int, server: subprocess.Popen, seconds: float = 30) -> None:
    """Until /healthz answers 200; a server that exits or never answers stops the benchmark with the reason."""
    last = "no answer"
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if server.poll() is not None:
            raise RuntimeError(f"gunicorn exited with {server.returncode} before answering /healthz")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=1)
            conn.request("GET", "/healthz")
            status = conn.getresponse().status
            if status == 200:
                return
            last = f"status {status}"
        except OSError as error:
            last = str(error)  # not listening yet
        time.sleep(0.2)
    raise RuntimeError(f"gunicorn did not answer /healthz within {seconds:.0f} s ({last})")


def token(port: int, client_id: str, secret: str) -> str:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    basic = base64.b64encode(f"{client_id}:{secret}".encode()).decode()
    conn.request(
        "POST",
        "/api/v1/oauth/token/",
        "grant_type=client_credentials",
        {"Authorization": f"Basic {basic}", "Content-Type": "application/x-www-form-urlencoded"},
    )
    return json.loads(conn.getresponse().read())["access_token"]


def percentile(sorted_values: list[float], share: float) -> float:
    """The nearest-rank percentile of already sorted values, in milliseconds to one decimal."""
    index = max(0, min(len(sorted_values) - 1, int(round(share * len(sorted_values))) - 1))
    return round(sorted_values[index] * 1000, 1)


def write_result(name: str, report: dict) -> Path:
    out = ROOT / "bench" / "results"
    out.mkdir(parents=True, exist_ok=True)
    path = out / f"{name}.json"
    path.write_text(json.dumps(report, indent=2))
    return path


def session_login(port: int, username: str, password: str, totp_key: str | None = None) -> str:
    """Sign in through the login form as a browser would (CSRF cookie and token), then, for a role that needs it,
    the two-factor step with the code an authenticator holding `totp_key` (hex) shows now. Returns the Cookie header
    value."""
    from http.cookies import SimpleCookie

    jar = SimpleCookie()
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)

    def send(method: str, path: str, body: str | None = None) -> tuple[int, str, str]:
        headers = {"Cookie": "; ".join(f"{k}={m.value}" for k, m in jar.items())}
        if body is not None:
            headers.update(
                {"Content-Type": "application/x-www-form-urlencoded", "Referer": f"http://127.0.0.1:{port}{path}"}
            )
        conn.request(method, path, body, headers)
        response = conn.getresponse()
        page = response.read().decode()
        for header in response.headers.get_all("Set-Cookie") or []:
            jar.load(header)
        return response.status, response.headers.get("Location", ""), page

    def form_post(path: str, fields: str) -> tuple[int, str]:
        _, _, page = send("GET", path)
        found = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        if found is None:
            raise RuntimeError(f"{path} carried no CSRF token")
        status, location, _ = send("POST", path, f"csrfmiddlewaretoken={found.group(1)}&{fields}")
        return status, location

    status, _ = form_post("/accounts/login/", f"username={username}&password={password}")
    if status != 302 or "sessionid" not in jar:
        raise RuntimeError(f"sign-in as {username} failed with status {status}")
    if totp_key is not None:
        from django_otp.oath import totp

        status, _ = form_post("/accounts/two-factor/", f"code={totp(bytes.fromhex(totp_key)):06d}")
        if status != 302:
            raise RuntimeError(f"the two-factor code of {username} was refused (status {status})")
    status, location, _ = send("GET", "/")
    if status != 200:
        raise RuntimeError(f"{username} is signed in but the home page answered {status} {location}")
    return f"sessionid={jar['sessionid'].value}; csrftoken={jar['csrftoken'].value}"


class Celery:
    """A Celery worker (in its own process group, so that it can be killed whole) and beat for the benchmark's
    environment, logging to its var folder."""

    BIN = str(ROOT / ".venv" / "bin" / "celery")

    def __init__(self, env: dict, concurrency: int = 2):
        self.env, self.concurrency = env, concurrency
        self.log = open(Path(env["MASH_VAR_DIR"]) / "celery.log", "ab")  # noqa: SIM115 - closed by stop()
        self.worker: subprocess.Popen | None = None
        self.beat: subprocess.Popen | None = None

    def _start(self, *args: str) -> subprocess.Popen:
        return subprocess.Popen([self.BIN, "-A", "mash", *args], cwd=ROOT, env=self.env, stdout=self.log,
                                stderr=subprocess.STDOUT, start_new_session=True)  # fmt: skip

    def start_worker(self) -> None:
        self.worker = self._start("worker", f"--concurrency={self.concurrency}", "-l", "WARNING")

    def start_beat(self) -> None:
        self.beat = self._start("beat", "-l", "WARNING", "-s", str(Path(self.env["MASH_VAR_DIR"]) / "beat"))

    def kill_worker(self) -> None:
        """SIGKILL to the worker and its pool processes at once: no warm shutdown, nothing acknowledged."""
        import signal

        os.killpg(self.worker.pid, signal.SIGKILL)
        self.worker.wait()

    def processes(self) -> list[subprocess.Popen]:
        return [p for p in (self.worker, self.beat) if p is not None]

    def stop(self) -> None:
        for process in self.processes():
            process.terminate()
        for process in self.processes():
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
        self.log.close()


def broker_drained(env: dict, queue: str = "celery", seconds: float = 300) -> float:
    """Wait until the worker has taken and finished every task queued in Redis before now (the bench's own set-up
    queues hundreds: matching, receipt notices, requests to agencies), so that a measurement does not pay for them.
    Returns the seconds waited."""
    import redis

    client = redis.Redis.from_url(env["REDIS_URL"])
    began = time.monotonic()
    quiet = 0
    while time.monotonic() - began < seconds and quiet < 3:
        busy = client.llen(queue) or client.hlen("unacked")
        quiet = 0 if busy else quiet + 1
        time.sleep(1)
    return time.monotonic() - began


@contextmanager
def celery(env: dict):
    """A worker and beat for the duration of the block."""
    parts = Celery(env)
    parts.start_worker()
    parts.start_beat()
    try:
        time.sleep(3)
        yield parts
    finally:
        parts.stop()


def decision_hub(env: dict, asked: int, proposed: int) -> dict:
    """Build `bench.decision_hub` in the database of `env`: its ids, credentials and pools, as a dict."""
    command = [PY, "-m", "bench.decision_hub", "build", "--asked", str(asked), "--proposed", str(proposed)]
    out = subprocess.run(command, cwd=ROOT, env=env, check=True, capture_output=True, text=True)
    return json.loads(out.stdout.strip().splitlines()[-1])
