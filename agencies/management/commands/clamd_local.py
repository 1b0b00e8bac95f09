"""`make run`'s virus scanner: write a clamd.conf and the local signature database (the EICAR test signature only:
these machines cannot download ClamAV's signatures) under MASH_VAR_DIR/clamav, then become `clamd` in the foreground
on settings.CLAMD_SOCKET (supervisord.dev.conf runs this as its `clamd` program). Without Debian's clamav-daemon it
says why and waits, so supervisor does not restart it in a loop; uploads are then refused with that reason."""

import os
import shutil
import time
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand

from mash import clamav


class Command(BaseCommand):
    help = "Run clamd with the local EICAR-only signature database on settings.CLAMD_SOCKET (make run)"

    def add_arguments(self, parser):
        parser.add_argument("--check", action="store_true", help="Only say whether clamd can be started here")

    def handle(self, *args, check=False, **options):
        binary = clamav.CLAMD if Path(clamav.CLAMD).exists() else shutil.which("clamd")
        socket_path = Path(settings.CLAMD_SOCKET)
        problem = None
        if binary is None:
            problem = "clamd is not installed (apt-get install clamav-daemon): uploads will be refused"
        elif len(str(socket_path)) > 100:
            problem = f"the socket path {socket_path} is too long for a unix socket: set CLAMD_SOCKET shorter"
        if check:
            self.stdout.write(problem or f"clamd will scan uploads on {socket_path} (local EICAR-only signatures)")
            return
        if problem:
            self.stderr.write(f"No virus scanner: {problem}")
            while True:  # stay up: supervisor would otherwise restart this in a loop
                time.sleep(3600)
        conf = clamav.write_local_config(socket_path.parent)
        self.stdout.write(f"clamd on {socket_path} with the local signature database {socket_path.parent / 'db'}")
        os.execv(binary, [binary, "-c", str(conf)])  # noqa: S606 - becomes clamd, so supervisor's signals reach it
