"""`/api/v1/referrals/`: agencies' systems send referrals and read the status of their own. Parse, call one service
or selector, render; errors are problem+json (mash/problem.py)."""

import hashlib
import json

from django.db import IntegrityError, transaction
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.pagination import CursorPagination
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from audit.services import log_read
from mash.problem import problem
from referrals import selectors
from referrals.api_auth import HasScope
from referrals.models import Channel, IdempotencyRecord
from referrals.serializers import (
    REFERRAL_EXAMPLE,
    ReferralInputSerializer,
    ReferralStatusPageSerializer,
    ReferralStatusSerializer,
)
from referrals.services import referral_create

IDEMPOTENCY_KEY = OpenApiParameter(
    "Idempotency-Key",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    required=True,
    description="A unique value per referral (a UUID, say). Retrying with the same key and body replays the first "
    "response; the same key with a different body is refused (422). Keys are kept for at least 24 hours.",
)
PROBLEM = OpenApiResponse(description="RFC 9457 problem details (application/problem+json), with per-field errors")


class Pages(CursorPagination):
    """Newest first, by cursor: no count over the whole table, and a page costs the same however deep it is."""

    ordering = ("-received_at", "-id")
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200


class ReferralCollection(APIView):
    permission_classes = [IsAuthenticated, HasScope]
    required_scopes = {"GET": "referrals:read", "POST": "referrals:write"}

    @extend_schema(
        summary="Your agency's referrals to this hub: status, rating and outcome only",
        responses={200: ReferralStatusPageSerializer, 401: PROBLEM, 403: PROBLEM, 405: PROBLEM},
    )
    def get(self, request):
        client = request.client
        pages = Pages()
        page = pages.paginate_queryset(selectors.referrals_of_client(client), request, view=self)
        log_read("referral.listed", hub=client.hub, object_type="referrals.referral", ids=[r.id for r in page])
        return pages.get_paginated_response(ReferralStatusSerializer(page, many=True).data)

    @extend_schema(
        summary="Send a referral",
        request=ReferralInputSerializer,
        parameters=[IDEMPOTENCY_KEY],
        examples=[REFERRAL_EXAMPLE],
        responses={
            201: ReferralStatusSerializer,
            400: PROBLEM,
            401: PROBLEM,
            403: PROBLEM,
            405: PROBLEM,
            413: PROBLEM,
            422: PROBLEM,
        },
    )
    def post(self, request):
        key = request.headers.get("Idempotency-Key", "")
        if not key or len(key) > 255 or not key.isprintable():
            return problem(400, "Send an Idempotency-Key header (1 to 255 characters): a new one for each referral")
        client = request.client
        body_hash = hashlib.sha256(json.dumps(request.data, sort_keys=True, default=str).encode()).hexdigest()
        with transaction.atomic():
            try:
                with transaction.atomic():
                    record = IdempotencyRecord.objects.create(
                        client=client, endpoint="referrals.create", key=key, request_hash=body_hash
                    )
            except IntegrityError:
                # The first request with this key has committed (a concurrent one waited for it on the index).
                return _replay(client, key, body_hash)
            referral = referral_create(
                hub=client.hub, data=request.data, channel=Channel.API, referring_agency=client.agency
            )
            body = ReferralStatusSerializer(referral).data
            record.response_status, record.response_body = 201, body
            record.save(update_fields=["response_status", "response_body"])
        return Response(body, status=201, headers={"Location": f"/api/v1/referrals/{referral.id}/"})


def _replay(client, key: str, body_hash: str) -> Response:
    first = IdempotencyRecord.objects.get(client=client, endpoint="referrals.create", key=key)
    if first.request_hash != body_hash:
        return problem(422, "This Idempotency-Key was already used with a different request body; nothing was stored")
    return Response(first.response_body, status=first.response_status, headers={"Idempotent-Replayed": "true"})


class ReferralItem(APIView):
    permission_classes = [IsAuthenticated, HasScope]
    required_scopes = {"GET": "referrals:read"}

    @extend_schema(
        summary="One of your agency's referrals: status, rating and outcome only",
        responses={200: ReferralStatusSerializer, 401: PROBLEM, 403: PROBLEM, 404: PROBLEM, 405: PROBLEM},
    )
    def get(self, request, referral_id):
        client = request.client
        referral = selectors.referral_of_client(client, referral_id)
        log_read("referral.viewed", hub=client.hub, object_type="referrals.referral", ids=[referral.id])
        return Response(ReferralStatusSerializer(referral).data)
