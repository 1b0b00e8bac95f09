"""Typed readers for settings taken from the environment.

Every reader stops start-up with one line that names the variable when its value is malformed, so a
mistyped deployment fails loudly instead of running with a default nobody chose.
"""

import os
from pathlib import Path
from urllib.parse import urlsplit

TRUE_WORDS = {"1", "true", "yes", "on"}
FALSE_WORDS = {"0", "false", "no", "off", ""}


class EnvError(SystemExit):
    """Raised for a malformed variable. SystemExit prints the one line and exits with status 1."""

    def __init__(self, name: str, problem: str):
        super().__init__(f"mash: environment variable {name} {problem}")


def env_str(name: str, default: str | None = None) -> str | None:
    """A string, with `NAME_FILE` (the path of a file holding the value) accepted for secrets."""
    file_name = os.environ.get(f"{name}_FILE")
    if file_name:
        try:
            return Path(file_name).read_text().strip()
        except OSError as exc:
            raise EnvError(f"{name}_FILE", f"names a file that cannot be read ({exc.strerror})") from None
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    word = raw.strip().lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise EnvError(name, f"must be true or false, not {raw!r}")


def env_int(name: str, default: int, *, minimum: int | None = None) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise EnvError(name, f"must be a whole number, not {raw!r}") from None
    if minimum is not None and value < minimum:
        raise EnvError(name, f"must be at least {minimum}, not {value}")
    return value


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


def env_url(name: str, schemes: tuple[str, ...]) -> str | None:
    """A URL whose scheme is one of `schemes` and which names a host, or None when unset or empty."""
    raw = env_str(name)
    if raw is None or raw.strip() == "":
        return None
    raw = raw.strip()
    try:
        parts = urlsplit(raw)
        parts.port  # noqa: B018 - raises ValueError for a port that is not a number
    except ValueError as exc:
        raise EnvError(name, f"is not a valid URL ({exc})") from None
    if parts.scheme not in schemes:
        raise EnvError(name, f"must start with {' or '.join(s + '://' for s in schemes)}, not {raw.split(':')[0]!r}")
    if not parts.hostname and not parts.path.strip("/"):
        raise EnvError(name, "names no host or database")
    return raw
