"""The embedded default broker (Celery's filesystem transport, used when REDIS_URL is not set) made to survive a bad
message file.

kombu's filesystem channel reads each `*.msg` file and parses it as JSON; an empty or malformed file (a sender killed
mid-write, a disk filled up, a hand edit) raises out of the worker's consumer and stops the worker. Here such a file
is moved to a quarantine folder (`broken_folder`, by default var/celery/broken/) with an error log line naming it, and
the worker goes on to the next message. A good message is handled exactly as kombu does it.
"""

import json
import logging
import os
import shutil
import tempfile
import uuid
from pathlib import Path
from queue import Empty

from kombu.transport import filesystem
from kombu.utils.encoding import bytes_to_str
from kombu.utils.objects import cached_property

logger = logging.getLogger(__name__)

# What kombu's virtual channel reads from every message before it can hand the task to the worker.
_MESSAGE_KEYS = ("body", "headers", "properties")


def _message(payload: bytes) -> dict:
    """The parsed message, or ValueError saying what is wrong with it."""
    if not payload.strip():
        raise ValueError("the file is empty")
    message = json.loads(bytes_to_str(payload))  # json.JSONDecodeError is a ValueError
    if not isinstance(message, dict):
        raise ValueError("the file does not hold a message object")
    missing = [key for key in _MESSAGE_KEYS if key not in message]
    if missing or not isinstance(message["properties"], dict):
        raise ValueError(f"the message lacks {', '.join(missing) or 'its properties'}")
    return message


class Channel(filesystem.Channel):
    @cached_property
    def broken_folder(self) -> Path:
        folder = Path(self.transport_options.get("broken_folder") or Path(self.data_folder_in).parent / "broken")
        folder.mkdir(parents=True, exist_ok=True)
        return folder

    def _claim(self, filename: str) -> str | None:
        """Move a message file out of the queue folder, as kombu does, so that no other worker reads it too."""
        target = self.processed_folder if self.store_processed else tempfile.gettempdir()
        try:
            shutil.move(os.path.join(self.data_folder_in, filename), target)
        except OSError:
            return None  # taken or removed by another worker meanwhile
        return os.path.join(target, filename)

    def _quarantine(self, path: str, reason: str) -> None:
        name = os.path.basename(path)
        target = self.broken_folder / name
        if target.exists():
            target = self.broken_folder / f"{uuid.uuid4().hex[:8]}-{name}"
        try:
            shutil.move(path, target)
        except OSError as error:
            logger.error("Broker message file %s could not be read (%s) nor set aside: %s", name, reason, error)
            return
        logger.error("Broker message file %s set aside in %s: %s", name, target, reason)

    def _get(self, queue):
        """The next good message of `queue`; bad files on the way are quarantined, never raised."""
        suffix = f"{queue}.msg"
        for filename in sorted(os.listdir(self.data_folder_in)):
            if filename.partition(".")[2] != suffix:
                continue
            path = self._claim(filename)
            if path is None:
                continue
            try:
                with open(path, "rb") as f:
                    payload = f.read()
                message = _message(payload)
            except (OSError, ValueError) as error:
                self._quarantine(path, str(error))
                continue
            if not self.store_processed:
                os.remove(path)
            return message
        raise Empty()


class Transport(filesystem.Transport):
    Channel = Channel
