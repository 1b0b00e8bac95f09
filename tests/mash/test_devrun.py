"""`make run`'s supervisor keeps the demo up: supervisord.dev.conf itself is started (web, Celery worker and beat on
a var folder under tmp_path); the worker is killed as a crash would kill it, and supervisor starts it again, logged,
while the web server keeps answering; Ctrl-C (SIGINT) then stops all three."""

import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SUPERVISORD = Path(sys.executable).with_name("supervisord")
WAIT = 60  # seconds: Django and Celery start in a few seconds each, slower on a busy machine


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _spawned(log: str, name: str) -> list[int]:
    return [int(pid) for pid in re.findall(rf"spawned: '{name}' with pid (\d+)", log)]


def _wait_for(predicate, what: str, log_path: Path):
    deadline = time.monotonic() + WAIT
    while time.monotonic() < deadline:
        if value := predicate():
            return value
        time.sleep(0.2)
    pytest.fail(f"waited {WAIT} s for {what}; supervisor's output:\n{log_path.read_text(errors='replace')}")


def _answers(port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as response:
            return response.status == 200
    except OSError:
        return False


@pytest.mark.celery
def test_the_dev_supervisor_restarts_a_worker_that_dies_and_keeps_the_web_server_up(tmp_path):
    var_dir, port, log_path = tmp_path / "var", _free_port(), tmp_path / "supervisord.out"
    var_dir.mkdir()
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL"}}
    env.update(
        DEBUG="true", PORT=str(port), MASH_VAR_DIR=str(var_dir), PYTHONUNBUFFERED="1",
        PATH=f"{Path(sys.executable).parent}{os.pathsep}{env['PATH']}",
    )  # fmt: skip
    with log_path.open("wb") as out:
        supervisor = subprocess.Popen(
            [SUPERVISORD, "--configuration", ROOT / "supervisord.dev.conf"],
            cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT,
        )  # fmt: skip
    try:
        log = log_path.read_text
        _wait_for(lambda: "success: worker entered RUNNING state" in log() and _answers(port), "all three up", log_path)
        [web] = _spawned(log(), "web")
        [worker] = _spawned(log(), "worker")

        os.kill(worker, signal.SIGKILL)

        _wait_for(lambda: len(_spawned(log(), "worker")) == 2, "the worker to be started again", log_path)
        assert "exited: worker (terminated by SIGKILL" in log()
        assert _spawned(log(), "worker")[1] != worker
        _wait_for(lambda: log().count("success: worker entered RUNNING state") == 2, "the new worker", log_path)
        assert _spawned(log(), "web") == [web]  # the web server was not touched
        assert _answers(port)
        assert supervisor.poll() is None
    finally:
        supervisor.send_signal(signal.SIGINT)  # Ctrl-C
        try:
            code = supervisor.wait(timeout=40)
        except subprocess.TimeoutExpired:
            supervisor.kill()
            raise
    assert code == 0
    assert "stopped: web" in log_path.read_text() and "stopped: worker" in log_path.read_text()
