"""Two web servers behind a real nginx (Debian's package), with the rules docker-compose's cluster profile runs
(bench/cluster/nginx-compose.conf): a person signed in is served by either server, a server killed mid-session
loses nothing (nginx sends the request to the other), and with none answering the answer is a clean 503.

The web servers are gunicorn processes on this test's PostgreSQL database (the session rows they share); the data
is committed (a transactional test) so that they see it. bench/cluster does the same under load, with workers and
beats."""

import http.client
import os
import re
import signal
import subprocess
import sys
import time
from http.cookies import SimpleCookie
from pathlib import Path

import pytest
from django.contrib.auth.hashers import Argon2PasswordHasher
from django.db import connection

from agencies.models import Role
from bench.cluster import nginx
from bench.common import wait_until_healthy
from tests.factories import member
from tests.referrals.test_deadline_worker import _free_port

pytestmark = [pytest.mark.postgres, pytest.mark.nginx, pytest.mark.django_db(transaction=True)]
ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "correct horse battery staple"  # tests/factories.py


def _database_url() -> str:
    db = connection.settings_dict
    user = db["USER"] + (f":{db['PASSWORD']}" if db.get("PASSWORD") else "")
    return f"postgres://{user}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def _get(port: int, path: str, cookies: SimpleCookie, body: str | None = None):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=20)
    headers = {"Cookie": "; ".join(f"{k}={m.value}" for k, m in cookies.items())}
    if body is not None:
        headers |= {"Content-Type": "application/x-www-form-urlencoded"}
    conn.request("POST" if body is not None else "GET", path, body, headers)
    response = conn.getresponse()
    page = response.read().decode(errors="replace")
    for header in response.headers.get_all("Set-Cookie") or []:
        cookies.load(header)
    conn.close()
    return response.status, dict(response.getheaders()), page


@pytest.fixture
def cluster(tmp_path):
    """Two gunicorn servers and nginx. DEBUG is on only so that pages name the unhashed static files (collectstatic's
    compression takes half a minute); bench/cluster runs them as production does."""
    env = {**os.environ, "DATABASE_URL": _database_url(), "DEBUG": "true", "MASH_VAR_DIR": str(tmp_path / "var"),
           "SECRET_KEY": "tests-only-key-not-a-secret", "SECURE_SSL_REDIRECT": "false", "SECURE_COOKIES": "false",
           "ALLOWED_HOSTS": "127.0.0.1"}  # fmt: skip
    ports = [_free_port(), _free_port()]
    gunicorn = str(Path(sys.executable).with_name("gunicorn"))
    servers = [
        subprocess.Popen(
            [gunicorn, "mash.wsgi:application", "--bind", f"127.0.0.1:{p}", "--workers", "1", "--log-level", "warning"],
            cwd=ROOT,
            env=env,
            start_new_session=True,
        )  # fmt: skip
        for p in ports
    ]
    balancer = None
    try:
        for port, server in zip(ports, servers, strict=True):
            wait_until_healthy(port, server)
        port = _free_port()
        balancer = nginx.start(tmp_path, port, ports)
        for _ in range(50):
            try:
                _get(port, "/healthz", SimpleCookie())
                break
            except OSError:
                time.sleep(0.1)
        yield {"port": port, "servers": dict(zip(ports, servers, strict=True)), "folder": tmp_path}
    finally:
        if balancer is not None:
            balancer.terminate()
            balancer.wait(timeout=10)
        for server in servers:
            if server.poll() is None:
                os.killpg(server.pid, signal.SIGTERM)
                server.wait(timeout=20)


def _sign_in(port: int, username: str) -> SimpleCookie:
    cookies = SimpleCookie()
    _, _, page = _get(port, "/accounts/login/", cookies)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    status, headers, _ = _get(port, "/accounts/login/", cookies,
                              f"csrfmiddlewaretoken={token}&username={username}&password={PASSWORD.replace(' ', '+')}")  # fmt: skip
    assert status == 302 and "sessionid" in cookies, (status, headers)
    return cookies


def _signed_in(port: int, cookies: SimpleCookie) -> bool:
    status, headers, page = _get(port, "/", cookies)
    return status == 200 and "Sign out" in page


def test_a_session_is_served_by_either_server_and_survives_one_dying(cluster, hub):
    practitioner = member(hub, Role.PRACTITIONER)
    argon2 = Argon2PasswordHasher()
    practitioner.password = argon2.encode(PASSWORD, argon2.salt())  # the servers' hasher, not the tests' MD5
    practitioner.save(update_fields=["password"])
    port = cluster["port"]
    cookies = _sign_in(port, practitioner.username)

    assert all(_signed_in(port, cookies) for _ in range(8))
    served = nginx.upstreams(cluster["folder"])
    assert len([p for p in cluster["servers"] if served.get(p, 0) >= 2]) == 2, served  # both servers served it

    first, second = cluster["servers"].values()
    os.killpg(first.pid, signal.SIGKILL)  # no warning, as a crashed node
    first.wait()
    assert all(_signed_in(port, cookies) for _ in range(6))  # the other server answers, with the same session

    os.killpg(second.pid, signal.SIGKILL)
    second.wait()
    status, headers, page = _get(port, "/", cookies)
    assert status == 503 and headers.get("Retry-After") == "30"
    assert "unavailable for a moment" in page and "nginx" not in page.lower()
