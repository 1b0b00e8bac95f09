"""The default storage of uploaded files: Django's storage API over the database (every web server reads the same
rows), with no URL: files leave only through the download views."""

import pytest

pytestmark = pytest.mark.django_db


def test_the_database_storage_is_django_storage():
    from django.core.files.base import ContentFile

    from agencies.storage import attachment_storage

    storage = attachment_storage()
    name = storage.save("attachments/test/one", ContentFile(b"bytes"))
    assert storage.exists(name) and storage.size(name) == 5
    with storage.open(name) as handle:
        assert handle.read() == b"bytes"
    storage.delete(name)
    assert not storage.exists(name)
    with pytest.raises(FileNotFoundError):
        storage.open(name)
    with pytest.raises(NotImplementedError):
        storage.url(name)
