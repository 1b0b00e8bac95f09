"""One webhook request, sent safely: the address is vetted again just before sending (decisions/addresses.py) and the
connection goes to the IP address vetted then — TLS and the Host header still name the host, and the certificate is
verified for it — so a name that resolves elsewhere by now (DNS rebinding) reaches nothing it should not. Redirects
are never followed (a 3xx is a failed delivery), and every step has a timeout."""

import http.client
import socket
import ssl

from django.conf import settings
from django.utils import translation

from decisions.addresses import AddressRefused, vet

MAX_ANSWER_BYTES = 64 * 1024


def _connection(vetted, timeout: int) -> http.client.HTTPConnection:
    if vetted.scheme == "https":
        connection = http.client.HTTPSConnection(
            vetted.host, vetted.port, timeout=timeout, context=ssl.create_default_context()
        )
    else:
        connection = http.client.HTTPConnection(vetted.host, vetted.port, timeout=timeout)
    ip = vetted.ip

    def pinned(address, *args, **kwargs):
        return socket.create_connection((ip, address[1]), *args, **kwargs)

    connection._create_connection = pinned  # connect() dials this: the vetted IP, never the name again
    return connection


def post(url: str, body: bytes, headers: dict[str, str]) -> str:
    """POST `body` to `url`; '' on a 2xx answer, otherwise what went wrong (at most 300 characters). What went wrong
    is kept as the notice's last error and on the audit trail: in English whoever asked, as a record is."""
    try:
        with translation.override(settings.LANGUAGE_CODE):
            vetted = vet(url)
    except AddressRefused as refused:
        return f"Address refused: {refused}"[:300]
    connection = _connection(vetted, settings.WEBHOOK_TIMEOUT_SECONDS)
    try:
        connection.request("POST", vetted.target, body=body, headers=headers)
        response = connection.getresponse()
        response.read(MAX_ANSWER_BYTES)
        status = response.status
    except (OSError, http.client.HTTPException) as error:
        return (str(error) or type(error).__name__)[:300]
    finally:
        connection.close()
    if 200 <= status < 300:
        return ""
    if 300 <= status < 400:
        return f"HTTP {status}: redirect not followed"
    return f"HTTP {status}"
