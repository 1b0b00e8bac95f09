"""The fixed host table tests resolve webhook hosts with (settings.WEBHOOK_RESOLVER, set for every test by
tests/conftest.py): no test asks real DNS. Any other name under .example is a public address; a name not here
is not found. Tests add or change names in HOSTS for their own run (the `hosts` fixture)."""

import socket

PUBLIC = "93.184.215.14"
HOSTS: dict[str, list[str]] = {
    "localhost": ["127.0.0.1", "::1"],
    "public.example": [PUBLIC],
    "v6.example": ["2606:2800:21f:cb07:6820:80da:af6b:8b2c"],
    "both.example": [PUBLIC, "2606:2800:21f:cb07:6820:80da:af6b:8b2c"],
    "metadata.example": ["169.254.169.254"],
    "intranet.example": ["10.0.0.1"],
    "mixed.example": [PUBLIC, "192.168.1.10"],
    "loopback.example": ["127.0.0.1"],
    "127.0.0.1.nip.io": ["127.0.0.1"],
    "shared.example": ["100.64.0.1"],
    "mapped.example": ["::ffff:10.0.0.1"],
    "ula.example": ["fd00::1"],
    "linklocal6.example": ["fe80::1"],
}


def resolve(host: str, port: int) -> list[str]:
    host = host.rstrip(".")
    if host in HOSTS:
        return list(HOSTS[host])
    if host.endswith(".example"):
        return [PUBLIC]
    raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
