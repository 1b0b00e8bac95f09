"""API shapes of what the multi-agency part answers. The request bodies are the declared schemas
(decisions/schemas.py), which validate them and document them alike."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiExample
from rest_framework import serializers

from decisions.models import Attachment, Contribution, InformationRequest, Webhook, WebhookDelivery, WebhookDisabled
from mash.instants import ApiModelSerializer, Instant
from referrals.models import Person, PersonRole

CONTRIBUTION_EXAMPLE = OpenApiExample(
    "Police checks: known to police",
    value={
        "known": True,
        "risk_indicators": ["domestic_abuse", "previous_concerns"],
        "summary": "Two domestic incidents at the address this year; the child was present at the second.",
        "detail": "12 March: verbal argument, no offences. 2 May: assault on the mother; suspect arrested.",
        "disclosure": "shared",
    },
    request_only=True,
)


class ContributionSerializer(ApiModelSerializer):
    """The contribution as stored: what the agency shares, and under which lawful basis and disclosure level."""

    agency = serializers.UUIDField(source="agency_id", read_only=True, help_text=_("Your agency's id"))

    class Meta:
        model = Contribution
        fields = ["id", "agency", "known", "disclosure", "lawful_basis", "contributed_at"]
        read_only_fields = fields


class AttachmentSerializer(ApiModelSerializer):
    """A stored file's facts: its sanitised name, the type detected from its content, its size in bytes and its
    SHA-256 (hex), to check the copy you sent."""

    class Meta:
        model = Attachment
        fields = ["id", "name", "content_type", "size", "sha256", "added_at"]
        read_only_fields = fields


class AttachmentUploadSerializer(serializers.Serializer):
    """multipart/form-data with one part: the file (a PDF, an image, a Word document or a text file)."""

    file = serializers.FileField(help_text=_("The file; its type is read from its content, never its name"))


class AttachmentPageSerializer(serializers.Serializer):
    """One page of files, newest first; follow `next` for older ones."""

    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    results = AttachmentSerializer(many=True)


class CheckPersonSerializer(ApiModelSerializer):
    """A person named in the referral, with the details an agency's checks need: nothing of the concerns."""

    role = serializers.ChoiceField(choices=PersonRole.choices, read_only=True)
    estimated_age = serializers.IntegerField(
        read_only=True,
        allow_null=True,
        help_text=_("In whole years, as the referrer estimated it when no date of birth"),
    )

    class Meta:
        model = Person
        fields = [
            "role", "given_name", "family_name", "date_of_birth", "estimated_age", "gender", "address", "postcode",
            "nhs_number",
        ]  # fmt: skip
        read_only_fields = fields


class RequestReferralSerializer(serializers.Serializer):
    """The referral the hub asks about: its id, reference and rating."""

    id = serializers.UUIDField(read_only=True)
    reference = serializers.CharField(read_only=True)
    rating = serializers.CharField(read_only=True, help_text=_("red, amber or green: sets when your answer is due"))


class InformationRequestSerializer(ApiModelSerializer):
    """One of the hub's open requests to your agency: the referral, when the answer is due, what the hub would like
    checked, and the people to check."""

    referral = RequestReferralSerializer(read_only=True)
    due_at = Instant(source="deadline.due_at", read_only=True)
    people = CheckPersonSerializer(source="referral.persons", many=True, read_only=True)
    household = serializers.UUIDField(
        source="household_id", read_only=True, allow_null=True,
        help_text=_("The household this request was made for, asked once with its siblings' requests (the same id on "
                    "each): check each person once and answer each request alike. Null for a request about one referral."),
    )  # fmt: skip

    class Meta:
        model = InformationRequest
        fields = ["id", "referral", "state", "requested_at", "due_at", "note", "people", "household"]
        read_only_fields = fields


class InformationRequestPageSerializer(serializers.Serializer):
    """One page of your agency's open requests, newest first; follow `next` for older ones."""

    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    results = InformationRequestSerializer(many=True)


class WebhookSerializer(serializers.Serializer):
    """A webhook as registered: the secret is shown in this response only."""

    id = serializers.UUIDField(read_only=True)
    url = serializers.URLField(read_only=True)
    secret = serializers.CharField(
        read_only=True,
        help_text=_(
            "The Standard Webhooks secret (whsec_…) that verifies the webhook-signature of each notice. Shown "
            "only in this response: keep it"
        ),
    )


class WebhookRotatedSerializer(WebhookSerializer):
    """The webhook with its new secret (shown once) and until when the previous one still signs."""

    previous_secret_expires_at = Instant(
        read_only=True, help_text=_("Until then each notice is signed with the previous secret too")
    )


class WebhookViewSerializer(ApiModelSerializer):
    """One of your agency's webhooks (never its secret)."""

    disabled_reason = serializers.ChoiceField(
        WebhookDisabled.choices,
        allow_blank=True,
        read_only=True,
        help_text=_("Why it was disabled; empty while active"),
    )

    class Meta:
        model = Webhook
        fields = ["id", "url", "created_at", "disabled_at", "disabled_reason", "previous_secret_expires_at"]
        read_only_fields = fields


class WebhookPageSerializer(serializers.Serializer):
    """One page of your agency's webhooks, newest first; follow `next` for older ones."""

    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    results = WebhookViewSerializer(many=True)


class WebhookDeliverySerializer(ApiModelSerializer):
    """One notice to a webhook: `pending` (still being tried), `delivered`, or `failed` (given up after the retry
    window; it can be sent again). `id` is the notice's `webhook-id`."""

    type = serializers.CharField(source="event", read_only=True)
    referral_id = serializers.UUIDField(read_only=True)
    status = serializers.SerializerMethodField()

    class Meta:
        model = WebhookDelivery
        fields = ["id", "type", "referral_id", "status", "attempts", "last_error", "created_at", "next_attempt_at",
                  "delivered_at", "gave_up_at"]  # fmt: skip
        read_only_fields = fields

    def get_status(self, delivery) -> str:
        if delivery.delivered_at:
            return "delivered"
        return "failed" if delivery.gave_up_at else "pending"


class WebhookDeliveryPageSerializer(serializers.Serializer):
    """One page of a webhook's notices, newest first; follow `next` for older ones."""

    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    results = WebhookDeliverySerializer(many=True)


class PingSerializer(serializers.Serializer):
    """What happened to the signed webhook.ping sent just now."""

    delivered = serializers.BooleanField(help_text=_("The receiver answered 2xx"))
    error = serializers.CharField(help_text=_("What went wrong, when it did not (empty otherwise)"))
