"""Settings read from the environment: a malformed variable stops start-up with one line naming it."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

ROOT = Path(__file__).resolve().parents[2]


def _start(tmp_path, **env):
    """Import the settings in a fresh interpreter, as manage.py, gunicorn and celery do."""
    clean = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL", "SECRET_KEY", "DEBUG"}}
    clean.update({"MASH_VAR_DIR": str(tmp_path), **env})
    return subprocess.run(
        [sys.executable, "-c", "import mash.settings"], cwd=ROOT, env=clean, capture_output=True, text=True, timeout=60
    )


@pytest.mark.parametrize(
    ("env", "name", "words"),
    [
        ({"DEBUG": "maybe"}, "DEBUG", "must be true or false"),
        ({"DEBUG": "true", "DATABASE_URL": "mysql://db/mash"}, "DATABASE_URL", "must start with postgres://"),
        ({"DEBUG": "true", "DATABASE_URL": "postgres://db:port/mash"}, "DATABASE_URL", "is not a valid URL"),
        ({"DEBUG": "true", "REDIS_URL": "localhost:6379"}, "REDIS_URL", "must start with redis://"),
        ({"DEBUG": "true", "DATABASE_CONN_MAX_AGE": "ten"}, "DATABASE_CONN_MAX_AGE", "must be a whole number"),
        ({"DEBUG": "true", "SESSION_IDLE_SECONDS": "5"}, "SESSION_IDLE_SECONDS", "must be at least 60"),
        ({"DEBUG": "false"}, "SECRET_KEY", "is required when DEBUG is off"),
        ({"DEBUG": "false", "SECRET_KEY_FILE": "/nonexistent/key"}, "SECRET_KEY_FILE", "cannot be read"),
    ],
)
def test_malformed_variable_stops_start_up_with_one_line_naming_it(tmp_path, env, name, words):
    result = _start(tmp_path, **env)
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith(f"mash: environment variable {name} ") and words in lines[0]


def test_password_in_a_bad_url_is_not_printed(tmp_path):
    result = _start(tmp_path, DEBUG="true", DATABASE_URL="mysql://user:hunter2secret@db/mash")
    assert result.returncode == 1 and "hunter2secret" not in result.stderr


def test_good_environment_starts(tmp_path):
    result = _start(
        tmp_path,
        DEBUG="false",
        SECRET_KEY="k" * 50,
        DATABASE_URL="postgres://u:p@db.example:5432/mash",
        REDIS_URL="redis://cache:6379/0",
    )
    assert result.returncode == 0, result.stderr


def test_secret_key_can_come_from_a_file(tmp_path):
    key = tmp_path / "key"
    key.write_text("from-a-file-" + "x" * 40 + "\n")
    script = "import mash.settings as s; print(s.SECRET_KEY)"
    env = {k: v for k, v in os.environ.items() if k != "SECRET_KEY"}
    env.update({"DEBUG": "false", "SECRET_KEY_FILE": str(key), "MASH_VAR_DIR": str(tmp_path)})
    out = subprocess.run([sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert out.stdout.strip() == "from-a-file-" + "x" * 40


def test_postgres_url_selects_psycopg_with_persistent_connections(tmp_path):
    script = (
        "import mash.settings as s; d = s.DATABASES['default']; "
        "print(d['ENGINE'], d['CONN_MAX_AGE'], d['CONN_HEALTH_CHECKS'], s.CACHES['default']['BACKEND'], s.CELERY_BROKER_URL)"
    )
    env = {
        **os.environ,
        "DEBUG": "true",
        "MASH_VAR_DIR": str(tmp_path),
        "DATABASE_URL": "postgres://u@h/db",
        "REDIS_URL": "redis://r:6379/2",
    }
    out = subprocess.run([sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert out.stdout.split() == [
        "django.db.backends.postgresql",
        "600",
        "True",
        "django.core.cache.backends.redis.RedisCache",
        "redis://r:6379/2",
    ]


@pytest.mark.parametrize(
    ("extra", "expected"),
    [({}, "-c jit=off"), ({"DATABASE_JIT": "true"}, ""),
     ({"DATABASE_URL": "postgres://u@h/db?options=-c%20statement_timeout%3D5000"}, "-c statement_timeout=5000 -c jit=off")],
)  # fmt: skip
def test_postgres_connections_turn_jit_off(tmp_path, extra, expected):
    """JIT compiling cost the triage queue's query half its time (issue 21): off unless DATABASE_JIT, kept beside
    any options the URL gives."""
    script = "import mash.settings as s; print(repr(s.DATABASES['default'].get('OPTIONS', {}).get('options', '')))"
    env = {**os.environ, "DEBUG": "true", "MASH_VAR_DIR": str(tmp_path), "DATABASE_URL": "postgres://u@h/db", **extra}
    out = subprocess.run([sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert out.stdout.strip().splitlines()[-1] == repr(expected), out.stderr


def test_defaults_are_sqlite_and_the_filesystem_broker(tmp_path):
    script = "import mash.settings as s; print(s.DATABASES['default']['ENGINE'], s.CELERY_BROKER_URL)"
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL"}}
    env.update({"DEBUG": "true", "MASH_VAR_DIR": str(tmp_path)})
    out = subprocess.run([sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert out.stdout.split() == ["django.db.backends.sqlite3", "filesystem://"]
    assert (tmp_path / "celery" / "broker").is_dir()


def test_time_zone_passwords_and_sessions():
    assert settings.TIME_ZONE == "Europe/London" and settings.USE_TZ
    assert settings.SESSION_IDLE_SECONDS == 30 * 60 and settings.SESSION_ABSOLUTE_SECONDS == 12 * 3600
    assert settings.SESSION_COOKIE_AGE == settings.SESSION_ABSOLUTE_SECONDS and not settings.SESSION_SAVE_EVERY_REQUEST
    assert settings.AXES_LOCKOUT_PARAMETERS == [["username", "ip_address"]]


def test_argon2_is_the_configured_hasher():
    # The autouse fixture swaps in MD5 for speed; the configured list is what production uses.
    from mash import settings as configured

    assert configured.PASSWORD_HASHERS[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"


@pytest.mark.parametrize(
    ("extra", "expected"),
    [({}, 2**31 - 1), ({"DATABASE_PREPARED_STATEMENTS": "false"}, None)],
)
def test_postgres_connections_prepare_only_what_is_asked_unless_turned_off(tmp_path, extra, expected):
    """docs/adr/0026: a threshold no query reaches (psycopg prepares what the code asks it to, and nothing else);
    behind a pooler in transaction mode, off (Django's None: nothing prepared)."""
    script = (
        "import mash.settings as s; print(repr(s.DATABASES['default'].get('OPTIONS', {}).get('prepare_threshold')))"
    )
    env = {**os.environ, "DEBUG": "true", "MASH_VAR_DIR": str(tmp_path), "DATABASE_URL": "postgres://u@h/db", **extra}
    out = subprocess.run([sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert out.stdout.strip().splitlines()[-1] == repr(expected), out.stderr
