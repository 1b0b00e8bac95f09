"""What the benchmarks share: a fresh PostgreSQL database with the schema, a bench hub with an API client, gunicorn
on a local port, OAuth2 tokens and latency figures. Only 127.0.0.1 is contacted."""

import base64
import http.client
import json
import os
import subprocess
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PY = str(ROOT / ".venv" / "bin" / "python")


def environment(db: str, settings: str = "mash.settings") -> dict:
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": settings,
        "SECRET_KEY": "bench-only",
        "DEBUG": "false",
        "SECURE_SSL_REDIRECT": "false",  # plain http on 127.0.0.1
        "ALLOWED_HOSTS": "127.0.0.1",
        "DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/{db}",
        "REDIS_URL": "redis://127.0.0.1:6379/13",
        "API_THROTTLE_RATE": "1000000/min",
        "MASH_VAR_DIR": tempfile.mkdtemp(prefix="mash-bench-"),
        "PYTHONPATH": str(ROOT),
    }


def fresh_database(db: str, env: dict) -> None:
    """Drop and create `db`, then migrate it."""
    import psycopg

    with psycopg.connect("dbname=postgres user=postgres host=127.0.0.1", autocommit=True) as conn:
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
def gunicorn(env: dict, port: int, workers: int = 3):
    server = subprocess.Popen(
        [str(ROOT / ".venv" / "bin" / "gunicorn"), "mash.wsgi:application", "--bind", f"127.0.0.1:{port}",
         "--workers", str(workers), "--log-level", "warning"],
        cwd=ROOT, env=env,
    )  # fmt: skip
    try:
        _wait_until_healthy(port, server)
        yield
    finally:
        server.terminate()
        server.wait(timeout=20)


def _wait_until_healthy(port: int, server: subprocess.Popen, seconds: float = 30) -> None:
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


def session_login(port: int, username: str, password: str) -> str:
    """Sign in through the login form as a browser would (CSRF cookie and token); returns the Cookie header value."""
    import re
    from http.cookies import SimpleCookie

    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    conn.request("GET", "/accounts/login/")
    response = conn.getresponse()
    page = response.read().decode()
    jar = SimpleCookie()
    for header in response.headers.get_all("Set-Cookie") or []:
        jar.load(header)
    found = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    if found is None or "csrftoken" not in jar:
        raise RuntimeError("the login page carried no CSRF token")
    body = f"csrfmiddlewaretoken={found.group(1)}&username={username}&password={password}"
    headers = {
        "Cookie": f"csrftoken={jar['csrftoken'].value}",
        "Content-Type": "application/x-www-form-urlencoded",
        "Referer": f"http://127.0.0.1:{port}/accounts/login/",
    }
    conn.request("POST", "/accounts/login/", body, headers)
    response = conn.getresponse()
    response.read()
    for header in response.headers.get_all("Set-Cookie") or []:
        jar.load(header)
    if response.status != 302 or "sessionid" not in jar:
        raise RuntimeError(f"sign-in as {username} failed with status {response.status}")
    return f"sessionid={jar['sessionid'].value}; csrftoken={jar['csrftoken'].value}"
