"""`POST /api/v1/households/`: an agency's system sends one contact about a family (referrals/households.py) and gets
each child's referral. The same authentication, scope (the policy's, for recording a referral) and Idempotency-Key
handling as `POST /api/v1/referrals/`; errors are problem+json with a message per field."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import serializers
from rest_framework.permissions import IsAuthenticated
from rest_framework.views import APIView

from agencies.policy import Action, require
from referrals import idempotency
from referrals.api import PROBLEM
from referrals.api_auth import HasScope, client_access
from referrals.households import HouseholdSchema, household_create
from referrals.models import Channel
from referrals.serializers import EXAMPLE_REFERRAL

IDEMPOTENCY_KEY = idempotency.key_parameter("household contact")
EXAMPLE_HOUSEHOLD = {
    **{k: v for k, v in EXAMPLE_REFERRAL.items() if k not in ("subject", "others")},
    "children": [
        {"given_name": "Alex", "family_name": "Example", "date_of_birth": "2018-05-04", "postcode": "SW1A 1AA"},
        {"given_name": "Bo", "family_name": "Example", "date_of_birth": "2021-09-12", "postcode": "SW1A 1AA"},
    ],
    "adults": [
        {"role": "parent_carer", "given_name": "Sam", "family_name": "Example", "estimated_age": 34},
        {"role": "household", "given_name": "Lee", "family_name": "Other",
         "relationships": [{"child": 1, "role": "parent_carer"}]},
    ],
}  # fmt: skip


class ChildReferralSerializer(serializers.Serializer):
    id = serializers.UUIDField(help_text=_("The child's referral: read it at /api/v1/referrals/{id}/"))
    reference = serializers.CharField()
    child = serializers.IntegerField(help_text=_("The child's place in the contact's `children`, from 0"))


class HouseholdCreatedSerializer(serializers.Serializer):
    """The household and each child's referral, in the order the children were sent."""

    id = serializers.UUIDField()
    reference = serializers.CharField()
    referrals = ChildReferralSerializer(many=True)


class HouseholdCollection(APIView):
    permission_classes = [IsAuthenticated, HasScope]
    actions = {"POST": Action.REFERRAL_CREATE}

    @extend_schema(
        summary="Send one contact about a household: a referral for each child",
        request=HouseholdSchema,
        parameters=[IDEMPOTENCY_KEY],
        examples=[OpenApiExample("Two children and two adults", value=EXAMPLE_HOUSEHOLD, request_only=True)],
        responses={201: HouseholdCreatedSerializer, **dict.fromkeys(idempotency.CREATE_PROBLEMS, PROBLEM)},
    )
    def post(self, request):
        client = request.client

        def write():
            household = household_create(
                hub=client.hub, data=request.data, channel=Channel.API, referring_agency=client.agency
            )
            referrals = [{"id": r.pk, "reference": r.reference, "child": i} for i, r in enumerate(household.created)]
            body = {"id": household.pk, "reference": household.reference, "referrals": referrals}
            return 201, HouseholdCreatedSerializer(body).data

        return idempotency.create_once(
            request, what="household contact", endpoint="households.create", write=write,
            allowed=lambda: require(client_access(request), Action.REFERRAL_CREATE),
        )  # fmt: skip
