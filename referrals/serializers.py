"""API shapes. The input serializer documents the standard dataset for the OpenAPI schema; the rules themselves are
referrals/dataset.py, shared with the web form, and run by the service. Output: status, rating and outcome only."""

from drf_spectacular.utils import OpenApiExample
from rest_framework import serializers

from agencies.codes import ReferralSource
from referrals.models import (
    AdultRiskLocation,
    AdultRiskSource,
    AdultRiskType,
    ChildConcern,
    Consent,
    PersonRole,
    Referral,
    ReferralCohort,
)


class ReferrerSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=120)
    role = serializers.CharField(max_length=120, required=False)
    contact = serializers.CharField(max_length=200, help_text="Phone number or email address")


class PersonSerializer(serializers.Serializer):
    given_name = serializers.CharField(max_length=100, required=False)
    family_name = serializers.CharField(max_length=100)
    date_of_birth = serializers.DateField(required=False, help_text="Or estimated_age")
    estimated_age = serializers.IntegerField(min_value=0, max_value=120, required=False)
    gender = serializers.CharField(max_length=40, required=False)
    ethnicity = serializers.CharField(max_length=80, required=False)
    nhs_number = serializers.CharField(max_length=10, required=False, help_text="10 digits, Modulus 11 check digit")
    address = serializers.CharField(max_length=300, required=False)
    postcode = serializers.CharField(max_length=8, required=False, help_text="A UK postcode")


class OtherPersonSerializer(PersonSerializer):
    role = serializers.ChoiceField(choices=[c for c in PersonRole.choices if c[0] != PersonRole.SUBJECT])
    family_name = serializers.CharField(max_length=100, required=False)


class ReferralInputSerializer(serializers.Serializer):
    referrer = ReferrerSerializer()
    cohort = serializers.ChoiceField(
        choices=ReferralCohort.choices, required=False, help_text="Derived from the subject's age unless given"
    )
    received_at = serializers.DateTimeField(required=False, help_text="With its offset; defaults to now")
    source_code = serializers.ChoiceField(
        choices=ReferralSource.choices, required=False, help_text="Children in Need code; required for children"
    )
    concerns = serializers.ListField(
        child=serializers.ChoiceField(choices=ChildConcern.choices + AdultRiskType.choices),
        help_text="Children: categories of abuse; adults: SAC types of risk",
    )
    adult_risk_location = serializers.ChoiceField(choices=AdultRiskLocation.choices, required=False)
    adult_risk_source = serializers.ChoiceField(
        choices=AdultRiskSource.choices, required=False, help_text="SAC source of risk; adults only"
    )
    narrative = serializers.CharField(max_length=20000)
    immediate_risk = serializers.BooleanField(required=False, default=False)
    consent = serializers.ChoiceField(choices=Consent.choices)
    consent_reason = serializers.CharField(required=False, help_text="Required unless consent was obtained")
    subject = PersonSerializer()
    others = OtherPersonSerializer(many=True, required=False)


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


class ReferralStatusSerializer(serializers.ModelSerializer):
    """What an agency may see of its own referrals: never what other agencies contributed."""

    rating = serializers.SerializerMethodField(
        help_text="RAG rating (red, amber, green, blue) once screened; null until then"
    )
    outcome = serializers.SerializerMethodField(
        help_text="The code of the outcome the hub signed off (s47_strategy, early_help, nfa …: the README's API "
        "section lists them); null until signed off"
    )
    decided_at = serializers.DateTimeField(
        read_only=True, allow_null=True, help_text="When the decision was signed off; null until then"
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
