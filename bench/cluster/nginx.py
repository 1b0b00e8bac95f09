"""nginx's configuration for a cluster on this machine, made from docker-compose's (`nginx-compose.conf`), so that
bench/cluster and tests/mash/test_load_balancer.py run exactly the rules a deployment runs: only the upstream
servers, the port, and where nginx keeps its pid, logs and temporary files differ."""

import re
import shutil
import subprocess
from pathlib import Path

COMPOSE_CONF = Path(__file__).with_name("nginx-compose.conf")


def conf(folder: Path, port: int, upstream_ports: list[int]) -> str:
    text = COMPOSE_CONF.read_text()
    servers = "".join(f"        server 127.0.0.1:{p} max_fails=1 fail_timeout=5s;\n" for p in upstream_ports)
    text, replaced = re.subn(r"(        server [\w-]+:8000 [^\n]*\n)+", servers, text)
    if replaced != 1 or "listen 8080;" not in text:
        raise RuntimeError(f"{COMPOSE_CONF} no longer has the upstream servers and port this expects")
    text = text.replace("listen 8080;", f"listen 127.0.0.1:{port};")
    local = (f"    log_format upstream '$upstream_addr $status $request_method $uri';\n"
             f"    access_log {folder}/access.log upstream;\n"
             + "".join(f"    {kind}_temp_path {folder}/{kind};\n" for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")))  # fmt: skip
    text = text.replace("http {\n", "http {\n" + local, 1)
    return f"pid {folder}/nginx.pid;\nerror_log {folder}/error.log warn;\n" + text


def binary() -> str | None:
    return shutil.which("nginx") or next((p for p in ("/usr/sbin/nginx",) if Path(p).exists()), None)


def start(folder: Path, port: int, upstream_ports: list[int]) -> subprocess.Popen:
    """nginx in the foreground, its files in `folder`."""
    path = folder / "nginx.conf"
    path.write_text(conf(folder, port, upstream_ports))
    return subprocess.Popen([binary(), "-p", str(folder), "-c", str(path), "-g", "daemon off;"])


def upstreams(folder: Path) -> dict[int, int]:
    """Requests per upstream port, from the access log (a request tried on two servers counts for each)."""
    counts: dict[int, int] = {}
    log = folder / "access.log"
    for line in log.read_text().splitlines() if log.exists() else []:
        for found in re.findall(r"127\.0\.0\.1:(\d+)", line.split(" ", 1)[0]):
            counts[int(found)] = counts.get(int(found), 0) + 1
    return counts
