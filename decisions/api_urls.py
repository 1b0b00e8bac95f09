"""The decisions app's routes under /api/v1/ (composed into the "api-v1" namespace by mash/api_urls.py). Every route
answers an anonymous caller with 401, not a sign-in page."""

from django.contrib.auth.decorators import login_not_required
from django.urls import include, path

from decisions.api import ContributionCollection, InformationRequestCollection
from decisions.attachment_api import (
    ContributionAttachmentCollection,
    ContributionAttachmentContent,
    ReferralAttachmentCollection,
    ReferralAttachmentContent,
)
from decisions.handover_api import HandoverAcknowledgement, HandoverCollection, HandoverDetail
from decisions.webhook_api import (
    WebhookCollection,
    WebhookDeliveries,
    WebhookDetail,
    WebhookPing,
    WebhookRedeliver,
    WebhookRotate,
)


def _open(view):
    """The API authenticates with bearer tokens, so the site's sign-in redirect does not apply."""
    return login_not_required(view)


def _routes(view, namespace: str):
    return include(([path("", _open(view.as_view()), name="list")], namespace))


urlpatterns = [
    path("referrals/<uuid:referral_id>/contributions/", _routes(ContributionCollection, "contributions")),
    path(
        "referrals/<uuid:referral_id>/attachments/",
        include(
            (
                [
                    path("", _open(ReferralAttachmentCollection.as_view()), name="list"),
                    path("<uuid:attachment_id>/content/", _open(ReferralAttachmentContent.as_view()), name="content"),
                ],
                "referral-attachments",
            )
        ),
    ),
    path(
        "referrals/<uuid:referral_id>/contributions/<uuid:contribution_id>/attachments/",
        include(
            (
                [
                    path("", _open(ContributionAttachmentCollection.as_view()), name="list"),
                    path(
                        "<uuid:attachment_id>/content/", _open(ContributionAttachmentContent.as_view()), name="content"
                    ),
                ],
                "contribution-attachments",
            )
        ),
    ),
    path("information-requests/", _routes(InformationRequestCollection, "information-requests")),
    path(
        "handovers/",
        include(
            (
                [
                    path("", _open(HandoverCollection.as_view()), name="list"),
                    path("<uuid:handover_id>/", _open(HandoverDetail.as_view()), name="detail"),
                    path(
                        "<uuid:handover_id>/acknowledgement/",
                        _open(HandoverAcknowledgement.as_view()),
                        name="acknowledgement",
                    ),
                ],
                "handovers",
            )
        ),
    ),
    path(
        "webhooks/",
        include(
            (
                [
                    path("", _open(WebhookCollection.as_view()), name="list"),
                    path("<uuid:webhook_id>/", _open(WebhookDetail.as_view()), name="detail"),
                    path("<uuid:webhook_id>/rotate-secret/", _open(WebhookRotate.as_view()), name="rotate-secret"),
                    path("<uuid:webhook_id>/ping/", _open(WebhookPing.as_view()), name="ping"),
                    path("<uuid:webhook_id>/deliveries/", _open(WebhookDeliveries.as_view()), name="deliveries"),
                    path(
                        "<uuid:webhook_id>/deliveries/<uuid:delivery_id>/redeliver/",
                        _open(WebhookRedeliver.as_view()),
                        name="redeliver",
                    ),
                ],
                "webhooks",
            )
        ),
    ),
]
