"""Agencies' systems: OAuth2 client-credentials applications allowed to call the API for one hub."""

import uuid

from django.conf import settings
from django.db import models

from agencies.models.agencies import Agency
from agencies.models.hub import Hub


class ApiClient(models.Model):
    """An agency's system allowed to call the API for one hub: an OAuth2 client-credentials application."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    application = models.OneToOneField(
        settings.OAUTH2_PROVIDER_APPLICATION_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="mash_client",
    )
    hub = models.ForeignKey(Hub, on_delete=models.PROTECT, related_name="api_clients")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="api_clients")
    name = models.CharField(max_length=120)
    scopes = models.CharField(max_length=200, default="referrals:write referrals:read")
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["hub__name", "agency__name", "name"]

    def __str__(self):
        return f"{self.name} ({self.agency}, {self.hub})"

    @property
    def scope_set(self) -> set[str]:
        return set(self.scopes.split())
