"""ClamAV: every uploaded file is scanned by `clamd` over its unix socket (settings.CLAMD_SOCKET) with the maintained
`clamav-client` library (artefactual-labs; the older `clamd` package has had no release since 2014).

Production runs `clamd` with signatures kept current by `freshclam` (README, "Attachments and virus scanning").
These machines cannot download signatures, so `make run` and the tests start `clamd` with a LOCAL database written
by `write_local_config`: one `.hdb` line, the EICAR test file's md5:size:name, which `clamd` loads and finds."""

import hashlib
import io
from dataclasses import dataclass
from pathlib import Path

from clamav_client.clamd import ClamdError, ClamdUnixSocket
from django.conf import settings

# The EICAR anti-virus test file (https://www.eicar.org): harmless, and found by every scanner as a test virus.
EICAR = rb"X5O!P%@AP[4\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*"
EICAR_SIGNATURE = f"{hashlib.md5(EICAR).hexdigest()}:{len(EICAR)}:Eicar-Test-Signature"  # noqa: S324 - ClamAV's .hdb format
CLAMD = "/usr/sbin/clamd"


class ScannerUnavailable(Exception):
    """clamd could not be reached or did not answer: the upload is refused, never stored unscanned."""


@dataclass(frozen=True)
class Verdict:
    clean: bool
    threat: str = ""  # the signature's name when not clean


def scan(data: bytes) -> Verdict:
    """Stream `data` to clamd (INSTREAM) and read its verdict; ScannerUnavailable if it cannot answer."""
    client = ClamdUnixSocket(path=settings.CLAMD_SOCKET, timeout=settings.CLAMD_TIMEOUT)
    try:
        answer = client.instream(io.BytesIO(data))
    except (ClamdError, OSError) as error:
        raise ScannerUnavailable(str(error)) from error
    status, threat = answer.get("stream", ("ERROR", "no answer"))
    if status == "OK":
        return Verdict(clean=True)
    if status == "FOUND":
        return Verdict(clean=False, threat=threat or "unnamed")
    raise ScannerUnavailable(f"clamd answered {status}: {threat}")


def write_local_config(directory: Path) -> Path:
    """A clamd.conf in `directory` that runs in the foreground on a unix socket there (no TCP), with a signature
    database holding only the EICAR test signature (directory/db/eicar.hdb). Returns the config's path."""
    directory = Path(directory).resolve()
    db = directory / "db"
    db.mkdir(parents=True, exist_ok=True)
    (db / "eicar.hdb").write_text(EICAR_SIGNATURE + "\n")
    conf = directory / "clamd.conf"
    conf.write_text(
        "\n".join(
            [
                "Foreground yes",
                f"LocalSocket {directory / 'clamd.sock'}",
                "LocalSocketMode 660",
                f"DatabaseDirectory {db}",
                f"PidFile {directory / 'clamd.pid'}",
                f"TemporaryDirectory {directory}",
                "LogTime yes",
                "LogVerbose no",
                "MaxThreads 2",
                "StreamMaxLength 40M",
                "MaxFileSize 40M",
                "MaxScanSize 100M",
                "ReadTimeout 30",
                "SelfCheck 0",
                "",
            ]
        )
    )
    return conf
