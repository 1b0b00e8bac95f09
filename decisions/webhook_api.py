"""`/api/v1/webhooks/`: an agency's system registers, lists, reads, tests, rotates, redelivers and deletes its own
webhooks (scope `webhooks:write`). Another agency's webhook is 404, as one that does not exist. Parse, call one
service or selector, render; reads are logged, writes audited by their service."""

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from agencies.policy import Action, require
from audit.events.actions import AuditAction
from audit.services import log_read
from decisions import api, selectors, webhook_services
from decisions.serializers import (
    PingSerializer,
    WebhookDeliveryPageSerializer,
    WebhookDeliverySerializer,
    WebhookPageSerializer,
    WebhookRotatedSerializer,
    WebhookViewSerializer,
)
from mash.api_paging import CursorPages
from mash.etag import IF_NONE_MATCH, NOT_MODIFIED, conditional
from referrals.api_auth import HasScope, client_access

PROBLEM = api.PROBLEM
NOT_FOUND = OpenApiResponse(description="No such webhook of your agency (problem+json)")
CONFLICT = OpenApiResponse(description="The webhook is disabled, or the notice is not a failed one (problem+json)")
COMMON = {401: PROBLEM, 403: PROBLEM, 404: NOT_FOUND, 405: PROBLEM}
NO_STORE = {"Cache-Control": "no-store"}


class NewestFirst(CursorPages):
    ordering = ("-created_at", "-id")


class _WebhookView(APIView):
    permission_classes = [IsAuthenticated, HasScope]

    def webhook(self, request, webhook_id):
        return selectors.webhook_of_client(client_access(request), webhook_id)


class WebhookCollection(api.WebhookCollection):
    """POST registers (decisions/api.py); GET lists the agency's webhooks."""

    actions = {**api.WebhookCollection.actions, "GET": Action.WEBHOOK_MANAGE}

    @extend_schema(
        operation_id="webhooks_list",
        summary="Your agency's webhooks, newest first (active and disabled; never their secrets)",
        responses={200: WebhookPageSerializer, 401: PROBLEM, 403: PROBLEM, 405: PROBLEM},
    )
    def get(self, request):
        access = client_access(request)
        require(access, Action.WEBHOOK_MANAGE)
        pages = NewestFirst()
        page = pages.paginate_queryset(selectors.webhooks_of_client(access), request, view=self)
        log_read(AuditAction.WEBHOOK_LISTED, hub=access.hub, object_type="decisions.webhook", ids=[w.id for w in page])
        return pages.get_paginated_response(WebhookViewSerializer(page, many=True).data)


class WebhookDetail(_WebhookView):
    actions = {"GET": Action.WEBHOOK_MANAGE, "DELETE": Action.WEBHOOK_MANAGE}

    @extend_schema(
        summary="One of your agency's webhooks",
        parameters=[IF_NONE_MATCH],
        responses={200: WebhookViewSerializer, 304: NOT_MODIFIED, **COMMON},
    )
    def get(self, request, webhook_id):
        webhook = self.webhook(request, webhook_id)
        log_read(AuditAction.WEBHOOK_VIEWED, hub=webhook.hub_id, object_type="decisions.webhook", ids=[webhook.id])
        return conditional(request, WebhookViewSerializer(webhook).data)

    @extend_schema(
        summary="Delete a webhook: nothing more is sent to it, pending notices included",
        responses={204: None, **COMMON},
    )
    def delete(self, request, webhook_id):
        webhook_services.webhook_delete(access=client_access(request), webhook=self.webhook(request, webhook_id))
        return Response(status=204)


class WebhookRotate(_WebhookView):
    actions = {"POST": Action.WEBHOOK_MANAGE}

    @extend_schema(
        summary="A new secret, shown once; the previous one also signs each notice for 24 hours",
        request=None,
        responses={200: WebhookRotatedSerializer, 409: CONFLICT, **COMMON},
    )
    def post(self, request, webhook_id):
        webhook, secret = webhook_services.webhook_rotate_secret(
            access=client_access(request), webhook=self.webhook(request, webhook_id)
        )
        body = WebhookRotatedSerializer(
            {"id": webhook.id, "url": webhook.url, "secret": secret,
             "previous_secret_expires_at": webhook.previous_secret_expires_at}
        ).data  # fmt: skip
        return Response(body, headers=NO_STORE)


class WebhookPing(_WebhookView):
    actions = {"POST": Action.WEBHOOK_MANAGE}

    @extend_schema(
        summary="Send a signed webhook.ping to the webhook now and say how the receiver answered",
        request=None,
        responses={200: PingSerializer, 409: CONFLICT, **COMMON},
    )
    def post(self, request, webhook_id):
        error = webhook_services.webhook_ping(access=client_access(request), webhook=self.webhook(request, webhook_id))
        return Response(PingSerializer({"delivered": not error, "error": error}).data)


class WebhookDeliveries(_WebhookView):
    actions = {"GET": Action.WEBHOOK_MANAGE}

    @extend_schema(
        operation_id="webhooks_deliveries_list",
        summary="The notices sent to a webhook, newest first: status, attempts, last error and times",
        responses={200: WebhookDeliveryPageSerializer, **COMMON},
    )
    def get(self, request, webhook_id):
        webhook = self.webhook(request, webhook_id)
        pages = NewestFirst()
        page = pages.paginate_queryset(selectors.deliveries_of_webhook(webhook), request, view=self)
        log_read(
            AuditAction.WEBHOOK_DELIVERY_LISTED, hub=webhook.hub_id, object_type="decisions.webhookdelivery",
            ids=[d.id for d in page],
        )  # fmt: skip
        return pages.get_paginated_response(WebhookDeliverySerializer(page, many=True).data)


class WebhookRedeliver(_WebhookView):
    actions = {"POST": Action.WEBHOOK_MANAGE}

    @extend_schema(
        summary="Send a failed notice again (now, then retried for another 3 days)",
        request=None,
        responses={202: WebhookDeliverySerializer, 409: CONFLICT, **COMMON},
    )
    def post(self, request, webhook_id, delivery_id):
        delivery = webhook_services.delivery_redeliver(
            access=client_access(request), webhook=self.webhook(request, webhook_id), delivery_id=delivery_id
        )
        return Response(WebhookDeliverySerializer(delivery).data, status=202)
