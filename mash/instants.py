"""One format for every time the API renders: ISO 8601 in UTC with `Z` (2026-11-25T09:30:00Z), whatever the
season or the path (DRF's own field follows the hub's time zone: +01:00 in summer)."""

from datetime import UTC, datetime

from django.db import models
from rest_framework import serializers


def instant(value: datetime | None) -> str | None:
    """`value` as the API writes it (for answers built outside serializers, such as webhook notices)."""
    if value is None:
        return None
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z")


class Instant(serializers.DateTimeField):
    """A read-only time in the API's one format."""

    def __init__(self, **kwargs):
        kwargs.setdefault("default_timezone", UTC)
        super().__init__(**kwargs)

    def to_representation(self, value):
        return instant(value) if isinstance(value, datetime) else super().to_representation(value)


class ApiModelSerializer(serializers.ModelSerializer):
    """A ModelSerializer whose model times render as `Instant`s."""

    serializer_field_mapping = {**serializers.ModelSerializer.serializer_field_mapping, models.DateTimeField: Instant}
