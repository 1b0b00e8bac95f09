"""Ledger heads anchored outside the database (docs/adr/0018): each sealed block's head is signed with an Ed25519 key
that the database never holds, and appended to a log that the database owner cannot rewrite.

Whoever owns the database can delete events and recompute every later block: `verify` then finds a consistent chain.
The signed-heads log remembers what each block's hash was when it was sealed, so a rebuilt chain differs from it at
the first block that changed, and without the key nobody can write a line that verifies.

- The key: `AUDIT_SIGNING_KEY_FILE` (a PEM private key, 32 raw bytes, or their base64) or `AUDIT_SIGNING_KEY` (base64
  of the 32-byte seed). `manage.py audit_key --create PATH` makes one; `--public` prints what an auditor needs.
- The log: `AUDIT_HEADS_LOG`, one JSON line per block head (chain, block, hash, previous hash, sealed_at, key id and
  the signature, base64, over `message()`), appended after the sealing transaction commits and fsynced. It is
  idempotent by chain and block number: `publish` appends, in order, every head the log does not hold yet, so a head
  whose append failed (or whose process died) is written by the next seal, build or check.
"""

import base64
import binascii
import fcntl
import hashlib
import json
import logging
import os
from dataclasses import dataclass, field
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db.models import Max

from audit import canonical
from audit.models import AuditBlock
from audit.verify import Problem

log = logging.getLogger(__name__)
DOMAIN = b"mash audit head v1\n"  # what a signature is over starts with this, so it can mean nothing else
FIELDS = ("block", "chain", "hash", "key_id", "previous_hash", "sealed_at", "signature")


class SigningKeyError(ImproperlyConfigured):
    """The signing key is missing (with DEBUG off) or cannot be read."""


def decode_key(data: bytes, where: str) -> Ed25519PrivateKey:
    text = data.strip()
    if text.startswith(b"-----BEGIN"):
        try:
            key = serialization.load_pem_private_key(text, password=None)
        except (ValueError, TypeError) as exc:
            raise SigningKeyError(f"{where} is not a readable unencrypted PEM private key ({exc})") from None
        if not isinstance(key, Ed25519PrivateKey):
            raise SigningKeyError(f"{where} holds a {type(key).__name__}, not an Ed25519 private key")
        return key
    if len(data) == 32:
        return Ed25519PrivateKey.from_private_bytes(data)
    try:
        seed = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        seed = b""
    if len(seed) != 32:
        raise SigningKeyError(f"{where} must be a PEM Ed25519 private key, or 32 bytes (raw or base64), the key's seed")
    return Ed25519PrivateKey.from_private_bytes(seed)


def configured() -> bool:
    return bool(getattr(settings, "AUDIT_SIGNING_KEY_FILE", None) or getattr(settings, "AUDIT_SIGNING_KEY", None))


def signing_key(*, required: bool | None = None) -> Ed25519PrivateKey | None:
    """The configured key; None when there is none and DEBUG is on (heads are then neither signed nor logged).
    With DEBUG off a missing key raises: the ledger is not sealed without its anchor (fail closed)."""
    path = getattr(settings, "AUDIT_SIGNING_KEY_FILE", None)
    if path:
        try:
            return decode_key(Path(path).read_bytes(), f"AUDIT_SIGNING_KEY_FILE ({path})")
        except OSError as exc:
            raise SigningKeyError(f"AUDIT_SIGNING_KEY_FILE ({path}) cannot be read: {exc.strerror}") from None
    value = getattr(settings, "AUDIT_SIGNING_KEY", None)
    if value:
        return decode_key(value.encode(), "AUDIT_SIGNING_KEY")
    if required if required is not None else not settings.DEBUG:
        raise SigningKeyError(
            "No audit signing key: set AUDIT_SIGNING_KEY_FILE or AUDIT_SIGNING_KEY "
            "(python manage.py audit_key --create PATH makes one)"
        )
    return None


def new_key_pem() -> bytes:
    return Ed25519PrivateKey.generate().private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )


def public_raw(public: Ed25519PublicKey) -> bytes:
    return public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def key_id(public: Ed25519PublicKey) -> str:
    """16 hex digits of SHA-256 over the raw public key: which key signed a head."""
    return hashlib.sha256(public_raw(public)).hexdigest()[:16]


def load_public(data: bytes) -> Ed25519PublicKey:
    """A public key as `audit_key --public` prints it (base64 of 32 bytes) or as PEM."""
    text = data.strip()
    try:
        if text.startswith(b"-----BEGIN"):
            key = serialization.load_pem_public_key(text)
            if not isinstance(key, Ed25519PublicKey):
                raise ValueError("not an Ed25519 public key")
            return key
        raw = base64.b64decode(text, validate=True)
        return Ed25519PublicKey.from_public_bytes(raw)
    except (ValueError, binascii.Error) as exc:
        raise SigningKeyError(f"not an Ed25519 public key (base64 of 32 bytes, or PEM): {exc}") from None


def message(head: dict) -> bytes:
    """The bytes a signature is over: the head's facts as RFC 8785 JSON, after DOMAIN."""
    facts = {name: head[name] for name in ("block", "chain", "hash", "previous_hash", "sealed_at")}
    return DOMAIN + canonical.dumps(facts).encode()


def signed_head(block: AuditBlock, key: Ed25519PrivateKey) -> dict:
    head = {
        "block": block.number,
        "chain": str(block.chain),
        "hash": bytes(block.hash).hex(),
        "previous_hash": bytes(block.previous_hash).hex(),
        "sealed_at": canonical.timestamp(block.sealed_at),
        "key_id": key_id(key.public_key()),
    }
    head["signature"] = base64.b64encode(key.sign(message(head))).decode()
    return head


def log_path() -> Path:
    return Path(settings.AUDIT_HEADS_LOG)


@dataclass
class _Index:
    """What this process knows of one log file: how far it has read, and each chain's last head there."""

    inode: int = -1
    offset: int = 0
    last: dict[str, tuple[int, str]] = field(default_factory=dict)
    complete: bool = False  # a full catch-up against the database has run since this index was built


_indexes: dict[str, _Index] = {}


def _refresh(path: Path, handle) -> _Index:
    """Read what other processes appended since this one last looked (the log only grows)."""
    stat = os.fstat(handle.fileno())
    index = _indexes.get(str(path))
    if index is None or index.inode != stat.st_ino or stat.st_size < index.offset:
        index = _indexes[str(path)] = _Index(inode=stat.st_ino)
    if stat.st_size > index.offset:
        handle.seek(index.offset)
        data = handle.read(stat.st_size - index.offset)
        complete = data[: data.rfind(b"\n") + 1]
        for line in complete.splitlines():
            try:
                head = json.loads(line)
                chain, number = str(head["chain"]), int(head["block"])
            except (ValueError, KeyError, TypeError):
                continue  # check() names a line that is not a head
            if number > index.last.get(chain, (0, ""))[0]:
                index.last[chain] = (number, str(head.get("hash", "")))
        index.offset += len(complete)
    return index


def _pending(chain: str, logged: tuple[int, str] | None, fresh: list[AuditBlock]) -> list[AuditBlock]:
    """The chain's blocks the log lacks, in order, provided they extend the last logged head: a chain that no longer
    does is left for check() to name, never logged."""
    number, hex_hash = logged or (0, canonical.GENESIS.hex())
    if fresh and fresh[0].number == number + 1 and bytes(fresh[0].previous_hash).hex() == hex_hash:
        blocks = fresh
    else:
        blocks = list(AuditBlock.objects.filter(chain=chain, number__gte=max(number, 1)).order_by("number"))
        if logged:
            if not blocks or blocks[0].number != number or bytes(blocks[0].hash).hex() != hex_hash:
                log.warning(
                    "audit heads log: chain %s block %s no longer matches the ledger; not extended", chain, number
                )
                return []
            blocks = blocks[1:]
    previous, out = hex_hash, []
    for expected, block in enumerate(blocks, start=number + 1):
        if block.number != expected or bytes(block.previous_hash).hex() != previous:
            break
        out.append(block)
        previous = bytes(block.hash).hex()
    return out


def publish(new_blocks: list[AuditBlock] = ()) -> int:
    """Append every sealed head the log lacks, in order per chain, and fsync. `new_blocks` (a seal's) are appended
    without a query when they follow the logged head; the first call in a process, and any call after a failed
    append, compares every chain's newest block with the log. Returns how many heads were appended."""
    key = signing_key()
    if key is None:
        return 0
    path = log_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a+b") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)  # one appender at a time, across processes
        index = _refresh(path, handle)
        fresh: dict[str, list[AuditBlock]] = {}
        for block in sorted(new_blocks, key=lambda b: b.number):
            fresh.setdefault(str(block.chain), []).append(block)
        chains = set(fresh)
        if not index.complete:
            newest = AuditBlock.objects.values("chain").annotate(n=Max("number")).values_list("chain", "n")
            chains |= {str(c) for c, n in newest if n > index.last.get(str(c), (0, ""))[0]}
        lines = []
        for chain in sorted(chains):
            for block in _pending(chain, index.last.get(chain), fresh.get(chain, [])):
                lines.append(canonical.dumps(signed_head(block, key)) + "\n")
                index.last[chain] = (block.number, bytes(block.hash).hex())
        if lines:
            handle.seek(0, os.SEEK_END)
            if handle.tell() > index.offset:  # a torn last line (a process died mid-write): start a new line
                handle.write(b"\n")
            data = "".join(lines).encode()
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
            index.offset = handle.tell()
        index.complete = True
    return len(lines)


def publish_after_seal(blocks: list[AuditBlock]) -> None:
    """on_commit of a seal: a failure to append never loses the block, which is in the database; the next publish
    compares every chain with the log and appends what is missing."""
    try:
        publish(blocks)
    except (OSError, ImproperlyConfigured) as exc:
        index = _indexes.get(str(log_path()))
        if index:
            index.complete = False
        log.error("audit heads log %s: could not append %s head(s): %s", log_path(), len(blocks), exc)


def read_log(path: Path | None = None) -> list[tuple[int, dict | None]]:
    """(line number, head or None when the line is not a head) for every line of the log; [] if there is none."""
    path = path or log_path()
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return []
    heads = []
    for number, line in enumerate(data.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            head = json.loads(line)
            ok = isinstance(head, dict) and all(name in head for name in FIELDS)
            ok = ok and isinstance(head["block"], int) and all(isinstance(head[n], str) for n in FIELDS[1:])
        except ValueError:
            ok = False
        heads.append((number, head if ok else None))
    return heads


@dataclass
class LogReport:
    heads: int = 0
    key: str = ""
    problem: Problem | None = None

    def summary(self) -> str:
        if self.problem:
            return f"audit ledger NOT intact: {self.problem}"
        return f"signed heads log intact: {self.heads} heads, each signed with key {self.key} and matching the ledger"


def check(*, chain=None, public: Ed25519PublicKey | None = None, path: Path | None = None) -> LogReport:
    """Every line of the signed-heads log (of one chain, if given) carries a valid signature by `public` (by default
    the configured key's) and names a block the ledger has, with the same hash and previous hash."""
    public = public or signing_key(required=True).public_key()
    report = LogReport(key=key_id(public))
    only = str(chain) if chain is not None else None
    seen: dict[tuple[str, int], tuple[int, dict]] = {}
    problems = []
    where = path or log_path()
    for line, head in read_log(where):
        if head is None:
            problems.append(Problem(only or "", 0, None, f"line {line} of {where} is not a signed head"))
            continue
        if only and head["chain"] != only:
            continue
        ref = (head["chain"], head["block"])
        if head["key_id"] != report.key:
            problems.append(
                Problem(*ref, None, f"heads log line {line} is signed with key {head['key_id']}, not {report.key}")
            )
            continue
        try:
            public.verify(base64.b64decode(head["signature"], validate=True), message(head))
        except (InvalidSignature, binascii.Error, ValueError):
            problems.append(Problem(*ref, None, f"heads log line {line}: the signature does not verify (forged)"))
            continue
        if ref in seen and seen[ref][1]["hash"] != head["hash"]:
            problems.append(Problem(*ref, None, f"heads log lines {seen[ref][0]} and {line} differ for this block"))
        seen.setdefault(ref, (line, head))
    report.heads = len(seen)
    chains = {c for c, _ in seen}
    blocks = {
        (str(c), n): (bytes(h).hex(), bytes(p).hex())
        for c, n, h, p in AuditBlock.objects.filter(chain__in=chains).values_list(
            "chain", "number", "hash", "previous_hash"
        )
    }
    for ref, (line, head) in seen.items():
        block = blocks.get(ref)
        if block is None:
            problems.append(Problem(*ref, None, f"signed head (heads log line {line}) names a block the ledger lacks"))
        elif block != (head["hash"], head["previous_hash"]):
            problems.append(
                Problem(
                    *ref,
                    None,
                    f"the ledger's hash {block[0][:16]}… differs from the head signed at {head['sealed_at']} "
                    f"({head['hash'][:16]}…, heads log line {line}): the chain was rebuilt from this block",
                )
            )
    report.problem = min(problems) if problems else None
    return report


def head_of(chain, number: int | None = None) -> dict | None:
    """The chain's block `number` (its newest if None) as a signed head (unsigned with no key, in development), for a
    return to keep."""
    blocks = AuditBlock.objects.filter(chain=chain)
    block = blocks.filter(number=number).first() if number else blocks.order_by("-number").first()
    if block is None:
        return None
    key = signing_key()
    if key is not None:
        return signed_head(block, key)
    return {
        "block": block.number,
        "chain": str(block.chain),
        "hash": bytes(block.hash).hex(),
        "previous_hash": bytes(block.previous_hash).hex(),
        "sealed_at": canonical.timestamp(block.sealed_at),
    }
