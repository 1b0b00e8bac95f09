"""Where uploaded files are kept: `attachment_storage()` is settings.STORAGES["attachments"], by default
`DatabaseStorage` (the bytes in the database's `StoredFile` rows, shared by every web server); in production it may
be object storage (django-storages' `storages.backends.s3.S3Storage`, README "Attachments and virus scanning").
Files are never served by URL: only the download views, through the policy, read them."""

from django.core.files.base import ContentFile
from django.core.files.storage import Storage, storages
from django.utils.deconstruct import deconstructible


def attachment_storage() -> Storage:
    """The storage of attachments and core documents (a callable for FileField, so the setting is read at run time)."""
    return storages["attachments"]


@deconstructible
class DatabaseStorage(Storage):
    """Django's storage API over the `StoredFile` table."""

    def _model(self):
        from agencies.models.files import StoredFile

        return StoredFile

    def _open(self, name, mode="rb"):
        row = self._model().objects.filter(name=name).values_list("content", flat=True).first()
        if row is None:
            raise FileNotFoundError(name)
        file = ContentFile(bytes(row), name=name)
        return file

    def _save(self, name, content):
        content.seek(0)
        data = content.read()
        self._model().objects.create(name=name, content=data, size=len(data))
        return name

    def exists(self, name):
        return self._model().objects.filter(name=name).exists()

    def delete(self, name):
        self._model().objects.filter(name=name).delete()

    def size(self, name):
        row = self._model().objects.filter(name=name).values_list("size", flat=True).first()
        if row is None:
            raise FileNotFoundError(name)
        return row

    def url(self, name):
        raise NotImplementedError("Stored files have no URL: they are served by the download views only")
