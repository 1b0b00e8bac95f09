"""`/api/v1/handovers/`: the receiving service's system lists the cases the hub handed to its agency (unacknowledged
first), reads one handover package, and acknowledges it (scope `handovers:write`). Another agency's handover is 404,
as one that does not exist. Parse, call one service or selector, render; reads are logged, writes audited."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from agencies.policy import Action, require
from audit.events.actions import AuditAction
from audit.services import log_read
from decisions import api
from decisions.handover import handover_acknowledge
from decisions.handover_selectors import handover_of, handovers_of
from decisions.models import Handover, HandoverState
from mash.api_paging import CursorPages
from mash.instants import ApiModelSerializer
from referrals.api_auth import HasScope, client_access

PROBLEM = api.PROBLEM
NOT_FOUND = OpenApiResponse(description="No such handover to your agency (problem+json)")
COMMON = {401: PROBLEM, 403: api.NO_AGREEMENT, 404: NOT_FOUND, 405: PROBLEM}
OBJECT = "decisions.handover"


class HandoverSerializer(ApiModelSerializer):
    """A case the hub handed to your agency: `sent` until you acknowledge it, then `acknowledged`."""

    referral_id = serializers.UUIDField(read_only=True)
    reference = serializers.CharField(source="referral.reference", read_only=True, help_text=_("The hub's reference"))
    state = serializers.ChoiceField(HandoverState.choices, read_only=True)
    acknowledged_by = serializers.CharField(
        source="acknowledged_by_name", read_only=True, help_text=_("Who acknowledged it, in words; empty until then")
    )

    class Meta:
        model = Handover
        fields = ["id", "referral_id", "reference", "state", "sent_at", "ack_due_at", "acknowledged_at",
                  "acknowledged_by"]  # fmt: skip
        read_only_fields = fields


class HandoverPackageSerializer(HandoverSerializer):
    """The handover with its package: the versioned JSON document (schema `mash.handover`, README "Handover to the
    service that works the case"), shaped like the DfE children's social care data standard."""

    package = serializers.JSONField(read_only=True)

    class Meta(HandoverSerializer.Meta):
        fields = [*HandoverSerializer.Meta.fields, "package"]
        read_only_fields = fields


class HandoverPageSerializer(serializers.Serializer):
    """One page of your agency's handovers, unacknowledged first, newest first within each; follow `next`."""

    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    results = HandoverSerializer(many=True)


class UnacknowledgedFirst(CursorPages):
    ordering = ("-state", "-sent_at", "-id")  # "sent" sorts after "acknowledged": descending puts it first


class HandoverCollection(APIView):
    permission_classes = [IsAuthenticated, HasScope]
    actions = {"GET": Action.HANDOVER_ACKNOWLEDGE}

    @extend_schema(
        operation_id="handovers_list",
        summary="The cases the hub handed to your agency to work: unacknowledged first",
        responses={200: HandoverPageSerializer, 401: PROBLEM, 403: api.NO_AGREEMENT, 405: PROBLEM},
    )
    def get(self, request):
        access = client_access(request)
        require(access, Action.HANDOVER_ACKNOWLEDGE)
        pages = UnacknowledgedFirst()
        page = pages.paginate_queryset(handovers_of(access), request, view=self)
        log_read(
            AuditAction.HANDOVER_LISTED, hub=access.hub, object_type=OBJECT, ids=[h.id for h in page],
            referral_ids=[str(h.referral_id) for h in page],
        )  # fmt: skip
        return pages.get_paginated_response(HandoverSerializer(page, many=True).data)


class HandoverDetail(APIView):
    permission_classes = [IsAuthenticated, HasScope]
    actions = {"GET": Action.HANDOVER_ACKNOWLEDGE}

    @extend_schema(
        summary="One handover to your agency, with its package", responses={200: HandoverPackageSerializer, **COMMON}
    )
    def get(self, request, handover_id):
        handover = handover_of(client_access(request), handover_id)
        log_read(
            AuditAction.HANDOVER_VIEWED, hub=handover.hub_id, object_type=OBJECT, ids=[handover.id],
            referral_ids=[str(handover.referral_id)],
        )  # fmt: skip
        return Response(HandoverPackageSerializer(handover).data)


class HandoverAcknowledgement(APIView):
    permission_classes = [IsAuthenticated, HasScope]
    actions = {"POST": Action.HANDOVER_ACKNOWLEDGE}

    @extend_schema(
        summary="Acknowledge a handover: your service has the case. Acknowledging again answers the same",
        request=None,
        responses={200: HandoverSerializer, **COMMON},
    )
    def post(self, request, handover_id):
        handover = handover_of(client_access(request), handover_id)
        handover = handover_acknowledge(handover=handover, client=request.client)
        return Response(HandoverSerializer(handover).data)
