"""`/api/v1/referrals/`: agencies' systems send referrals and read the status of their own. Parse, call one service
or selector, render; errors are problem+json (mash/problem.py)."""

from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.permissions import IsAuthenticated
from rest_framework.views import APIView

from agencies.policy import Action, require
from audit.events.actions import AuditAction
from audit.services import log_read
from mash.api_paging import CursorPages
from mash.etag import IF_NONE_MATCH, NOT_MODIFIED, conditional
from mash.schemas import validated
from referrals import idempotency, selectors
from referrals.api_auth import HasScope, client_access
from referrals.models import Channel
from referrals.schemas import SINCE_PATTERN, ReferralListQuerySchema, ReferralSchema
from referrals.serializers import (
    REFERRAL_EXAMPLE,
    ReferralStatusPageSerializer,
    ReferralStatusSerializer,
)
from referrals.services import referral_create

IDEMPOTENCY_KEY = idempotency.key_parameter("referral")
PROBLEM = OpenApiResponse(description="RFC 9457 problem details (application/problem+json), with per-field errors")


UPDATED_SINCE = OpenApiParameter(
    "updated_since",
    {"type": "string", "format": "date-time", "pattern": SINCE_PATTERN},
    OpenApiParameter.QUERY,
    description="Only the referrals whose rating, status or outcome changed at or after this instant (ISO 8601 "
    "with its offset, such as 2026-11-25T09:30:00Z). Ask again from a little before your last poll began, or "
    "follow /api/v1/events/, which misses nothing.",
)


def _only(params, schema) -> dict:
    """The query string's values of the schema's fields (the paging's own, cursor and page_size, are the pager's)."""
    return {name: params[name] for name in schema().fields if name in params}


class Pages(CursorPages):
    """Newest first, by cursor: no count over the whole table, and a page costs the same however deep it is."""

    ordering = ("-received_at", "-id")


class ReferralCollection(APIView):
    permission_classes = [IsAuthenticated, HasScope]
    actions = {"GET": Action.REFERRAL_STATUS_VIEW, "POST": Action.REFERRAL_CREATE}

    @extend_schema(
        operation_id="referrals_list",
        summary="Your agency's referrals to this hub: status, rating and outcome only",
        parameters=[UPDATED_SINCE],
        responses={200: ReferralStatusPageSerializer, 401: PROBLEM, 403: PROBLEM, 405: PROBLEM, 422: PROBLEM},
    )
    def get(self, request):
        access = client_access(request)
        require(access, Action.REFERRAL_STATUS_VIEW)
        query = validated(ReferralListQuerySchema, _only(request.query_params, ReferralListQuerySchema))
        referrals = selectors.referrals_of_client(access)
        if query["updated_since"] is not None:
            referrals = referrals.filter(updated_at__gte=query["updated_since"])
        pages = Pages()
        page = pages.paginate_queryset(referrals, request, view=self)
        log_read(
            AuditAction.REFERRAL_LISTED, hub=access.hub, object_type="referrals.referral", ids=[r.id for r in page]
        )
        return pages.get_paginated_response(ReferralStatusSerializer(page, many=True).data)

    @extend_schema(
        summary="Send a referral",
        request=ReferralSchema,
        parameters=[IDEMPOTENCY_KEY],
        examples=[REFERRAL_EXAMPLE],
        responses={201: ReferralStatusSerializer, **dict.fromkeys(idempotency.CREATE_PROBLEMS, PROBLEM)},
    )
    def post(self, request):
        client = request.client

        def write():
            referral = referral_create(
                hub=client.hub, data=request.data, channel=Channel.API, referring_agency=client.agency
            )
            return 201, ReferralStatusSerializer(referral).data

        response = idempotency.create_once(
            request, what="referral", endpoint="referrals.create", write=write,
            allowed=lambda: require(client_access(request), Action.REFERRAL_CREATE),
        )  # fmt: skip
        if response.status_code == 201 and not response.has_header(idempotency.REPLAYED):
            response["Location"] = f"/api/v1/referrals/{response.data['id']}/"
        return response


class ReferralItem(APIView):
    permission_classes = [IsAuthenticated, HasScope]
    actions = {"GET": Action.REFERRAL_STATUS_VIEW}

    @extend_schema(
        summary="One of your agency's referrals: status, rating and outcome only",
        parameters=[IF_NONE_MATCH],
        responses={
            200: ReferralStatusSerializer,
            304: NOT_MODIFIED,
            401: PROBLEM,
            403: PROBLEM,
            404: PROBLEM,
            405: PROBLEM,
        },
    )
    def get(self, request, referral_id):
        access = client_access(request)
        referral = selectors.referral_of_client(access, referral_id)
        require(access, Action.REFERRAL_STATUS_VIEW, referral)
        log_read(AuditAction.REFERRAL_VIEWED, hub=access.hub, object_type="referrals.referral", ids=[referral.id])
        return conditional(request, ReferralStatusSerializer(referral).data)
