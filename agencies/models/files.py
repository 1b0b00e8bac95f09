"""The bytes of stored files (case attachments and core documents) in the database, behind Django's storage API
(agencies/storage.py `DatabaseStorage`): every web server of the hub reads the same rows, so nothing lives in a
local folder only one server sees. Production may choose object storage instead (settings STORAGES["attachments"])."""

from django.db import models


class StoredFile(models.Model):
    """One stored file: its storage name (unique), its bytes and when it was written. Only the storage writes it."""

    name = models.CharField(max_length=255, unique=True)
    content = models.BinaryField()
    size = models.PositiveBigIntegerField()
    stored_at = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return self.name
