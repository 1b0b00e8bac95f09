"""`/api/v1/`: agencies' systems read the hub's open requests to them, answer them, and register webhooks for the
outcomes of their referrals. Parse, call one service, render; errors are problem+json (mash/problem.py).

An agency without a current signed information sharing agreement sees and shares nothing: 403, with the message
that names the missing agreement. A referral the agency was not asked about is 404, the same as one that does not
exist or belongs to another hub.
"""

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from agencies.policy import Action, require
from audit.events.actions import AuditAction
from audit.services import log_read
from decisions import selectors
from decisions.schemas import ContributionSchema, WebhookSchema
from decisions.serializers import (
    CONTRIBUTION_EXAMPLE,
    ContributionSerializer,
    InformationRequestPageSerializer,
    InformationRequestSerializer,
    WebhookSerializer,
)
from decisions.services import contribution_add
from decisions.webhooks import webhook_register
from mash.api_paging import CursorPages
from referrals import idempotency
from referrals.api_auth import HasScope, client_access

PROBLEM = OpenApiResponse(description="RFC 9457 problem details (application/problem+json), with per-field errors")
CONFLICT = OpenApiResponse(
    description="The request is no longer open: your agency already answered it, or the hub decided first "
    "(problem+json; `detail` says which)"
)
NO_AGREEMENT = OpenApiResponse(
    description="The token lacks the scope, or your agency has no current signed information sharing agreement "
    "with the hub (problem+json; `detail` names the agreement)"
)


class RequestPages(CursorPages):
    """Newest first, by cursor, as the referral list pages."""

    ordering = ("-requested_at", "-id")


class InformationRequestCollection(APIView):
    permission_classes = [IsAuthenticated, HasScope]
    actions = {"GET": Action.REQUEST_LIST}

    @extend_schema(
        operation_id="information_requests_list",
        summary="The hub's open requests for information to your agency, with the people to check",
        responses={200: InformationRequestPageSerializer, 401: PROBLEM, 403: NO_AGREEMENT, 405: PROBLEM},
    )
    def get(self, request):
        access = client_access(request)
        require(access, Action.REQUEST_LIST)
        pages = RequestPages()
        page = pages.paginate_queryset(selectors.requests_of_client(access), request, view=self)
        log_read(
            AuditAction.INFORMATION_REQUEST_LISTED,
            hub=access.hub,
            object_type="decisions.informationrequest",
            ids=[r.id for r in page],
            referral_ids=[str(r.referral_id) for r in page],
        )
        return pages.get_paginated_response(InformationRequestSerializer(page, many=True).data)


class ContributionCollection(APIView):
    permission_classes = [IsAuthenticated, HasScope]
    actions = {"POST": Action.CONTRIBUTE}

    @extend_schema(
        summary="Answer the hub's request to your agency about a referral: known (with what) or no trace",
        request=ContributionSchema,
        parameters=[idempotency.key_parameter("contribution")],
        examples=[CONTRIBUTION_EXAMPLE],
        responses={
            201: ContributionSerializer,
            400: PROBLEM,
            401: PROBLEM,
            403: NO_AGREEMENT,
            404: PROBLEM,
            405: PROBLEM,
            409: CONFLICT,
            413: PROBLEM,
            422: PROBLEM,
        },
    )
    def post(self, request, referral_id):
        key = idempotency.key_of(request)
        if key is None:
            return idempotency.missing_key("contribution")
        client = request.client

        def write():
            information_request = selectors.request_of_client(client_access(request), referral_id)
            contribution = contribution_add(request=information_request, data=request.data, client=client)
            return 201, ContributionSerializer(contribution).data

        return idempotency.run_once(
            client=client,
            endpoint="decisions.contributions.create",
            key=key,
            # The referral is part of the request: one key on two referrals is two different requests.
            body_hash=idempotency.request_hash({"referral": str(referral_id), "body": request.data}),
            write=write,
        )


class WebhookCollection(APIView):
    permission_classes = [IsAuthenticated, HasScope]
    actions = {"POST": Action.WEBHOOK_REGISTER}

    @extend_schema(
        summary="Register the address that hears the outcomes of your agency's referrals (signed notices)",
        request=WebhookSchema,
        responses={
            201: WebhookSerializer,
            400: PROBLEM,
            401: PROBLEM,
            403: NO_AGREEMENT,
            405: PROBLEM,
            413: PROBLEM,
            422: PROBLEM,
        },  # fmt: skip
    )
    def post(self, request):
        webhook, secret = webhook_register(client=request.client, data=request.data)
        body = WebhookSerializer({"id": webhook.id, "url": webhook.url, "secret": secret}).data
        return Response(body, status=201, headers={"Cache-Control": "no-store"})
