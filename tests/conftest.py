"""Test set-up: real parts or an honest skip.

Tests marked `postgres`, `redis`, `browser`, `clamav` or `nginx` need those real parts. Without them they skip with the reason shown
(-ra); with CI=true a missing part fails the test instead, so CI can never pass by skipping.
"""

import os
import shutil
import uuid
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from tests.clamav import clamav_problem, clamd, scanner  # noqa: F401 - fixtures: the real ClamAV daemon

ROOT = Path(__file__).resolve().parent.parent
ON_CI = os.environ.get("CI", "").lower() == "true"


def _redis_problem() -> str | None:
    if not settings.REDIS_URL:
        return "needs Redis: set REDIS_URL=redis://127.0.0.1:6379/15"
    import redis

    try:
        redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=2).ping()
    except redis.RedisError as exc:
        return f"needs Redis: {settings.REDIS_URL} did not answer ({exc})"
    return None


def _browser_problem() -> str | None:
    if not shutil.which("chromium"):
        return "needs Debian's chromium (apt-get install chromium)"
    if not (ROOT / "node_modules" / "axe-core" / "axe.min.js").exists():
        return "needs node_modules (npm ci) for axe-core"
    return None


def _postgres_problem() -> str | None:
    if connection.vendor != "postgresql":
        return "needs PostgreSQL: set DATABASE_URL=postgres://postgres@127.0.0.1:5432/mash (this run is on SQLite)"
    return None


def _nginx_problem() -> str | None:
    if not (shutil.which("nginx") or Path("/usr/sbin/nginx").exists()):
        return "needs Debian's nginx (apt-get install nginx)"
    return None


PROBLEMS = {"postgres": _postgres_problem, "redis": _redis_problem, "browser": _browser_problem,
            "clamav": clamav_problem, "nginx": _nginx_problem}  # fmt: skip


def pytest_runtest_setup(item):
    for marker, check in PROBLEMS.items():
        if item.get_closest_marker(marker):
            problem = check()
            if problem and ON_CI:
                pytest.fail(f"CI=true and this test {problem}", pytrace=False)
            if problem:
                pytest.skip(problem)


@pytest.fixture(autouse=True, scope="session")
def empty_test_broker():
    """Tasks that tests queue without a worker wait in the test run's own filesystem broker (MASH_VAR_DIR=var/test,
    never `make run`'s): each run starts with it empty."""
    folder = Path(settings.CELERY_BROKER_FOLDER)
    if folder.is_dir() and "test" in folder.parts:
        for message in folder.glob("*.msg"):
            message.unlink(missing_ok=True)


@pytest.fixture
def empty_redis_queues():
    """A test that starts a worker on the suite's Redis first empties its queues. Tests that commit a referral with
    no worker running leave the matching task waiting there (hundreds by the end of a CI run); a new worker took them
    all before the test's own task, against a database that does not hold their referrals, and timed out on CI."""
    from mash.celery import app

    if not settings.REDIS_URL:
        return
    with app.connection_for_write() as connection:
        for queue in {app.conf.task_default_queue, *(route["queue"] for route in app.conf.task_routes.values())}:
            connection.default_channel.queue_purge(queue)


@pytest.fixture(autouse=True)
def force_login_includes_the_second_factor(monkeypatch):
    """`client.force_login(user)` stands for a whole sign-in: for the roles that need two-factor sign-in
    (agencies/twofactor.py) that includes the code. tests/agencies/test_two_factor.py signs in the long way and
    checks the control itself."""
    from django.test import Client
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from agencies.twofactor import needs_two_factor

    plain = Client.force_login

    def force_login(self, user, backend=None):
        plain(self, user, backend)
        if needs_two_factor(user):
            device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
            device = device or TOTPDevice.objects.create(user=user, name="Test authenticator", confirmed=True)
            session = self.session
            session[DEVICE_ID_SESSION_KEY] = device.persistent_id
            session.save()

    monkeypatch.setattr(Client, "force_login", force_login)


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """Argon2 is the configured hasher (tests/mash/test_settings.py checks it); tests hash with MD5 for speed."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def isolated_cache(settings):
    """Each test gets a cache of its own through a unique key prefix (on Redis when REDIS_URL is set). Never
    cache.clear(): on Redis that flushes the whole database."""
    settings.CACHES = {"default": {**settings.CACHES["default"], "KEY_PREFIX": f"test-{uuid.uuid4().hex}"}}


@pytest.fixture(autouse=True)
def no_kept_api_tokens():
    """Each test starts with no agency token kept from another (referrals/api_tokens.py keeps them per process)."""
    from referrals import api_tokens

    api_tokens.forget_all()


@pytest.fixture(autouse=True)
def plain_static_storage(settings):
    """Production hashes static files at collectstatic; tests serve them unhashed from the source folders."""
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture(autouse=True, scope="session")
def audit_signing_key(tmp_path_factory):
    """The key that signs the ledger's heads (audit/anchor.py), in a file as production keeps it: DEBUG is off in
    the tests, where sealing without a key is refused. Subprocesses log their heads in their own MASH_VAR_DIR."""
    from audit.anchor import new_key_pem

    path = tmp_path_factory.mktemp("audit-key") / "audit-signing.key"
    path.write_bytes(new_key_pem())
    settings.AUDIT_SIGNING_KEY_FILE, settings.AUDIT_SIGNING_KEY = str(path), None
    os.environ["AUDIT_SIGNING_KEY_FILE"] = str(path)  # …and the workers and commands the tests start
    os.environ.pop("AUDIT_SIGNING_KEY", None)
    return path


@pytest.fixture(autouse=True)
def audit_heads_log(settings, tmp_path):
    """Each test's signed-heads log starts empty, as its database does."""
    settings.AUDIT_HEADS_LOG = tmp_path / "audit-heads.jsonl"
    return settings.AUDIT_HEADS_LOG


@pytest.fixture(autouse=True, scope="session")
def allow_test_flush():
    """Transactional tests flush the database between tests; the ledger refuses flush except here."""
    settings.AUDIT_ALLOW_FLUSH = True


# The people the tests share (tests/people.py): one definition, not a `hub` fixture per file.


@pytest.fixture
def mash(db):
    """Northshire MASH with its agencies, an officer of each, a practitioner, the manager and an administrator."""
    from tests.people import build_mash

    return build_mash()


@pytest.fixture
def hub(db):
    """A hub with nobody in it yet: for tests that set up exactly the people they need."""
    from tests.factories import HubFactory

    return HubFactory(name="Northshire MASH", slug="north")


@pytest.fixture
def practitioner(hub):
    from agencies.models import Role
    from tests.factories import member

    return member(hub, Role.PRACTITIONER)


@pytest.fixture
def manager(hub):
    from agencies.models import Role
    from tests.factories import member

    return member(hub, Role.MANAGER)


@pytest.fixture
def police(hub):
    """A core agency of `hub` that has signed its information sharing agreement (reading anything back needs it)."""
    from tests.factories import MembershipFactory, sign_isa

    agency = MembershipFactory(hub=hub).agency
    sign_isa(hub, agency)
    return agency


@pytest.fixture
def outsider(db):
    from tests.factories import UserFactory

    return UserFactory()


@pytest.fixture(autouse=True)
def webhook_hosts(settings):
    """Webhook hosts resolve from a fixed table (tests/hosts.py), never real DNS; a test may change the table."""
    from tests import hosts

    settings.WEBHOOK_RESOLVER = "tests.hosts.resolve"
    saved = {name: list(addresses) for name, addresses in hosts.HOSTS.items()}
    yield hosts.HOSTS
    hosts.HOSTS.clear()
    hosts.HOSTS.update(saved)
