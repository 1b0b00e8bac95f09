"""The real ClamAV daemon for the tests: `clamd` (Debian's clamav-daemon) started once per session in a temporary
folder with the local signature database of mash/clamav.py (the EICAR test signature only: these machines cannot
download signatures), and stopped at the end. Tests marked `clamav` get its socket as settings.CLAMD_SOCKET through
the `scanner` fixture. Without clamd they skip with the reason; with CI=true they fail (tests/conftest.py)."""

import os
import shutil
import signal
import subprocess
import time
from pathlib import Path

import pytest

from mash import clamav


def clamav_problem() -> str | None:
    if not (Path(clamav.CLAMD).exists() or shutil.which("clamd")):
        return "needs ClamAV's clamd (apt-get install clamav-daemon)"
    return None


def _ready(socket_path: str) -> bool:
    from clamav_client.clamd import ClamdError, ClamdUnixSocket

    try:
        return ClamdUnixSocket(path=socket_path, timeout=2).ping() == "PONG"
    except (ClamdError, OSError):
        return False


@pytest.fixture(scope="session")
def clamd(tmp_path_factory):
    """The socket of a clamd running the local signature database, for the whole session."""
    problem = clamav_problem()
    if problem:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"CI=true and this test {problem}", pytrace=False)
        pytest.skip(problem)
    folder = tmp_path_factory.mktemp("clamav")
    conf = clamav.write_local_config(folder)
    binary = clamav.CLAMD if Path(clamav.CLAMD).exists() else shutil.which("clamd")
    log = (folder / "clamd.log").open("w")
    process = subprocess.Popen([binary, "-c", str(conf)], stdout=log, stderr=subprocess.STDOUT)
    socket_path = str(folder / "clamd.sock")
    try:
        deadline = time.monotonic() + 60
        while not _ready(socket_path):
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"clamd did not start: {(folder / 'clamd.log').read_text()[-2000:]}", pytrace=False)
            time.sleep(0.2)
        yield socket_path
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()


@pytest.fixture
def scanner(clamd, settings):
    """Uploads in this test are scanned by the session's clamd."""
    settings.CLAMD_SOCKET = clamd
    return clamd
