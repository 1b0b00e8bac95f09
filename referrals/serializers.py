"""API shapes of what the service answers (status, rating and outcome only) and the referral example integrators copy.
What a referral must hold is its declared schema (referrals/schemas.py), which also documents the request body."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiExample
from rest_framework import serializers

from mash.instants import ApiModelSerializer, Instant
from referrals.models import (
    Referral,
)

EXAMPLE_REFERRAL = {
    "referrer": {"name": "PC Jane Smith", "role": "Response officer", "contact": "jane.smith@police.example"},
    "source_code": "6",
    "concerns": ["neglect", "emotional"],
    "narrative": "Officers attended a domestic incident at the address; the child was present and appeared unkempt.",
    "immediate_risk": False,
    "consent": "not_obtained",
    "consent_reason": "Seeking consent could place the child at risk of harm.",
    "subject": {
        "given_name": "Alex",
        "family_name": "Example",
        "date_of_birth": "2018-05-04",
        "gender": "Female",
        "ethnicity": "White British",
        "nhs_number": "9434765919",
        "address": "1 High Street, Northtown",
        "postcode": "SW1A 1AA",
    },
    "others": [{"role": "parent_carer", "given_name": "Sam", "family_name": "Example", "estimated_age": 34}],
}
REFERRAL_EXAMPLE = OpenApiExample(
    "A child referral from police", value=EXAMPLE_REFERRAL, request_only=True, summary="Copy, then change"
)


class ReferralStatusSerializer(ApiModelSerializer):
    """What an agency may see of its own referrals: never what other agencies contributed."""

    rating = serializers.SerializerMethodField(
        help_text=_("RAG rating (red, amber, green, blue) once screened; null until then")
    )
    outcome = serializers.SerializerMethodField(
        help_text=_(
            "The code of the outcome the hub signed off (s47_strategy, early_help, nfa …: the README's API "
            "section lists them); null until signed off"
        )
    )
    decided_at = Instant(
        read_only=True, allow_null=True, help_text=_("When the decision was signed off; null until then")
    )

    class Meta:
        model = Referral
        fields = ["id", "reference", "status", "received_at", "rating", "outcome", "decided_at"]

    def get_rating(self, referral) -> str | None:
        return referral.rating or None

    def get_outcome(self, referral) -> str | None:
        return referral.outcome or None


class ReferralStatusPageSerializer(serializers.Serializer):
    """One page of the agency's referrals, newest first; follow `next` for older ones."""

    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    results = ReferralStatusSerializer(many=True)
