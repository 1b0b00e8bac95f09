"""python manage.py audit_key --create PATH | --public [--key PATH]

`--create` writes a new Ed25519 private key (PEM, readable by its owner only) for AUDIT_SIGNING_KEY_FILE and refuses
to overwrite one. `--public` prints the configured key's public half (base64 of 32 bytes) and key id: give those to
whoever checks the signed-heads log (`verify_audit --published --public-key`); they cannot sign with them.
"""

import os
from base64 import b64encode
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from audit import anchor


class Command(BaseCommand):
    help = "Create the ledger's signing key, or print its public key."

    def add_arguments(self, parser):
        what = parser.add_mutually_exclusive_group(required=True)
        what.add_argument("--create", metavar="PATH", help="Write a new private key to PATH (never overwrites).")
        what.add_argument("--public", action="store_true", help="Print the configured key's public key and id.")
        parser.add_argument("--key", metavar="PATH", help="With --public: the private key file to read instead.")

    def handle(self, *args, create=None, public=False, key=None, **options):
        if create:
            path = Path(create)
            path.parent.mkdir(parents=True, exist_ok=True)
            try:
                fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            except FileExistsError:
                raise CommandError(f"{path} already exists: a signing key is never overwritten") from None
            except OSError as exc:
                raise CommandError(f"cannot create {path}: {exc.strerror}") from None
            with os.fdopen(fd, "wb") as handle:
                handle.write(anchor.new_key_pem())
            self.stdout.write(f"wrote a new audit signing key to {path}")
            return
        try:
            private = anchor.decode_key(Path(key).read_bytes(), key) if key else anchor.signing_key(required=True)
        except OSError as exc:
            raise CommandError(f"cannot read {key}: {exc.strerror}") from None
        except anchor.SigningKeyError as exc:
            raise CommandError(str(exc)) from None
        public_key = private.public_key()
        self.stdout.write(f"public key: {b64encode(anchor.public_raw(public_key)).decode()}")
        self.stdout.write(f"key id: {anchor.key_id(public_key)}")
