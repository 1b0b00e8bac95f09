"""`GET /api/v1/events/`: the calling agency's change feed (referrals/events.py), oldest first, by cursor. An agency
that missed notices resumes from the last `cursor` it was given (or `after=<event id>`) and recovers everything."""

from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.utils.urls import remove_query_param, replace_query_param
from rest_framework.views import APIView

from agencies.policy import Action, require
from audit.events.actions import AuditAction
from audit.services import log_read
from mash.schemas import validated
from referrals import events
from referrals.api_auth import HasScope, client_access
from referrals.schemas import EventsQuerySchema

PROBLEM = OpenApiResponse(description="RFC 9457 problem details (application/problem+json), with per-field errors")
PAGE_SIZE = 50


class EventReferralSerializer(serializers.Serializer):
    """The referral an event is about: its id (for GET /api/v1/referrals/{id}/) and the hub's reference."""

    id = serializers.UUIDField()
    reference = serializers.CharField()


class EventSerializer(serializers.Serializer):
    """One event of your agency's: what happened to which referral, and when."""

    id = serializers.CharField(help_text=_("The event's stable id: `after=<id>` resumes after it"))
    type = serializers.ChoiceField(choices=events.EVENT_TYPES)
    occurred_at = serializers.DateTimeField(help_text=_("When it happened (UTC)"))
    referral = EventReferralSerializer()
    data = serializers.DictField(
        help_text=_(
            "referral.rated: {rating}; referral.decided: {outcome}; information_request.opened: "
            "{information_request_id, due_at}; otherwise {}"
        )
    )


class EventPageSerializer(serializers.Serializer):
    """One page of events, oldest first. `next` is the following page while there is one; `cursor` always resumes
    after the last event shown (keep it, and ask with it later for what happened since)."""

    next = serializers.URLField(allow_null=True)
    cursor = serializers.RegexField(events.CURSOR_PATTERN)
    results = EventSerializer(many=True)


class EventCollection(APIView):
    permission_classes = [IsAuthenticated, HasScope]
    actions = {"GET": Action.EVENTS_VIEW}

    @extend_schema(
        operation_id="events_list",
        summary="Your agency's events: its referrals received, rated, decided and amended, and requests opened to it",
        parameters=[
            OpenApiParameter(
                "cursor",
                {"type": "string", "pattern": events.CURSOR_PATTERN},
                description="Resume after this cursor: the `cursor` of the last page you read, as given",
            ),
            OpenApiParameter(
                "after",
                {"type": "integer", "minimum": 0, "maximum": events.MAX_ID},
                description="Resume after the event with this id (404 if there is none; `cursor` wins if both are sent)",
            ),
        ],
        responses={200: EventPageSerializer, 401: PROBLEM, 403: PROBLEM, 404: PROBLEM, 405: PROBLEM, 422: PROBLEM},
    )
    def get(self, request):
        access = client_access(request)
        require(access, Action.EVENTS_VIEW)
        query = validated(EventsQuerySchema, {k: request.query_params[k] for k in ("cursor", "after", "page_size")
                                              if k in request.query_params})  # fmt: skip
        after = _position(query)
        page, more = events.page_of(events.events_of_client(access), after, query["page_size"] or PAGE_SIZE)
        references = events.references_of(page)
        results = [events.shown(event, references) for event in page]
        last = events.Position(page[-1].txid, page[-1].id) if page else after
        log_read(
            AuditAction.REFERRAL_EVENTS_LISTED,
            hub=access.hub,
            object_type="audit.auditevent",
            ids=[e.id for e in page],
            referral_ids=sorted({r["referral"]["id"] for r in results}),
        )
        url = remove_query_param(replace_query_param(request.build_absolute_uri(), "cursor", last.cursor()), "after")
        body = {"next": url if more else None, "cursor": last.cursor(), "results": results}
        return Response(EventPageSerializer(body).data)


def _position(query) -> events.Position:
    if query["cursor"]:
        position = events.Position.of_cursor(query["cursor"])
        if position is None:
            raise ValidationError(
                {"cursor": [gettext("This cursor is not one the feed gave: resume with the last one you kept")]}
            )
        return position
    if query["after"] is not None:
        position = events.position_of_event(query["after"])
        if position is None:
            raise Http404(gettext("No event has this id: resume with the last id or cursor you read"))
        return position
    return events.START
