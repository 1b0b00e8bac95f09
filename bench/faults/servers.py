"""A PostgreSQL cluster and a Redis server of the fault benchmark's own, on their own ports, so that stopping them
harms nothing else on the machine (the machine's services stay up for whoever else is using them). Both are the
machine's own Debian binaries, configured as the machine's are: PostgreSQL with trust auth for `postgres` on
127.0.0.1; Redis keeping nothing on disk, so a Redis that stops loses everything queued in it."""

import contextlib
import glob
import shutil
import subprocess
import tempfile
import time
from pathlib import Path


def _pg_bin(name: str) -> str:
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    if not found:
        raise RuntimeError(f"PostgreSQL's {name} is not installed (/usr/lib/postgresql/*/bin)")
    return found[-1]


def _as_postgres(*command: str) -> None:
    """PostgreSQL refuses to run as root: its tools run as the `postgres` user."""
    subprocess.run(["runuser", "-u", "postgres", "--", *command], check=True, capture_output=True, text=True)


class PostgresCluster:
    def __init__(self, port: int):
        self.port = port
        self.folder = Path(tempfile.mkdtemp(prefix="mash-faults-pg-"))
        shutil.chown(self.folder, "postgres", "postgres")
        self.data = self.folder / "data"
        self.log = self.folder / "server.log"
        _as_postgres(_pg_bin("initdb"), "-D", str(self.data), "-A", "trust", "-U", "postgres", "--no-sync")

    def _ctl(self, *args: str) -> None:
        options = f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1 -c max_connections=200"
        _as_postgres(_pg_bin("pg_ctl"), "-D", str(self.data), "-l", str(self.log), "-o", options, "-w", *args)

    def start(self) -> None:
        self._ctl("start")

    def stop(self) -> None:
        """A fast shutdown, as `systemctl restart postgresql` does: open transactions roll back, clients are cut."""
        self._ctl("stop", "-m", "fast")

    def remove(self) -> None:
        with contextlib.suppress(subprocess.CalledProcessError):  # already stopped
            self.stop()
        shutil.rmtree(self.folder, ignore_errors=True)


class RedisServer:
    def __init__(self, port: int):
        self.port = port
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL,
        )
        for _ in range(50):
            ping = subprocess.run(["redis-cli", "-p", str(self.port), "ping"], capture_output=True, text=True)
            if ping.stdout.strip() == "PONG":
                return
            time.sleep(0.1)
        raise RuntimeError(f"redis-server did not answer on port {self.port}")

    def stop(self) -> None:
        """Gone at once, as a crashed or stopped Redis is; everything queued in it is lost with it."""
        if self.process is not None:
            self.process.kill()
            self.process.wait()
            self.process = None
