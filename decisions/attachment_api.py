"""`/api/v1/referrals/{id}/attachments/` and `/api/v1/referrals/{id}/contributions/{id}/attachments/`: an agency's system
attaches a file (multipart/form-data, one `file` part) to the referral its agency sent (a police DASH form) or to
its agency's own contribution, lists the files its agency gave there, and downloads one. The same services and the
same check as the web (decisions/services/attachments.py, mash/uploads.py): size, type by content, ClamAV; the
same audit events with the agency's system as the actor. Refusals are problem+json: a virus or a wrong type is 422
naming `file`, a file over the limit 413, the scanner down 503 with Retry-After; never a 500."""

from django.http import Http404
from django.utils.translation import gettext
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.parsers import MultiPartParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.views import APIView

from agencies.policy import Action, require, scoped
from audit.events.actions import AuditAction
from audit.services import log_read
from decisions import services
from decisions.models import Contribution
from decisions.models.attachments import Attachment
from decisions.serializers import AttachmentPageSerializer, AttachmentSerializer, AttachmentUploadSerializer
from mash.api_paging import CursorPages
from mash.downloads import file_response
from mash.json_input import BoundedJSONParser
from mash.problem import problem
from mash.uploads import KINDS, UploadRefused
from referrals import idempotency
from referrals import selectors as referral_selectors
from referrals.api_auth import HasScope, client_access

PROBLEM = OpenApiResponse(description="RFC 9457 problem details (application/problem+json), with per-field errors")
REFUSED = OpenApiResponse(
    description="The file was refused and nothing was stored: it contains a virus, or it is not a PDF, an image, a "
    "Word document or a text file, or it is empty (problem+json; `errors` names `file`)"
)
TOO_LARGE = OpenApiResponse(description="The file is over the hub's limit for attachments (problem+json)")
SCANNER_DOWN = OpenApiResponse(
    description="The virus scanner cannot be reached, so the file was not stored: retry after Retry-After seconds"
)
DOWNLOAD = OpenApiResponse(
    response=OpenApiTypes.BINARY,
    description="The file, as an attachment (Content-Disposition), with the type detected when it was stored",
)
RETRY_AFTER_SECONDS = 60
MULTIPART = {"multipart/form-data": AttachmentUploadSerializer}
# Multipart is the one documented body; JSON is parsed too, so that the bearer token is checked first (401) and a
# JSON body is told to send the file as multipart (422), not a bare 415.
PARSERS = [MultiPartParser, BoundedJSONParser]


class Pages(CursorPages):
    ordering = ("-added_at", "-id")


def _contribution(request, referral_id, contribution_id) -> Contribution:
    """The system's agency's own contribution to the referral, which it may still add to; Http404 for any other."""
    access = client_access(request)
    contribution = (
        Contribution.objects.filter(
            pk=contribution_id, referral_id=referral_id, referral__hub_id=access.hub.pk, agency_id__in=access.agency_ids
        )  # fmt: skip
        .select_related("referral")
        .first()
    )
    if contribution is None:
        raise Http404("No such contribution")
    require(access, Action.CONTRIBUTION_ATTACH, contribution)
    return contribution


def _refused(refused: UploadRefused):
    errors = [{"field": "file", "detail": refused.message_text}]
    if refused.reason == "scanner_unavailable":
        return problem(503, refused.message_text, errors=errors, headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
                       kind="unavailable")  # fmt: skip
    return problem(413 if refused.reason == "too_large" else 422, refused.message_text, errors=errors)


def _upload(request):
    files = request.FILES.getlist("file")
    if len(files) != 1:
        detail = gettext("Send one file, as the multipart/form-data part named `file`")
        return None, problem(422, detail, errors=[{"field": "file", "detail": detail}])
    return files[0], None


def _attach(request, on, endpoint: str):
    """Check (outside the transaction, so a refusal stays audited), then store once per Idempotency-Key."""
    key = idempotency.key_of(request)
    if key is None:
        return idempotency.missing_key("file")
    upload, error = _upload(request)
    if error is not None:
        return error
    client = request.client
    try:
        checked = services.attachment_check(on=on, upload=upload, client=client)
    except UploadRefused as refused:
        return _refused(refused)

    def write():
        attachment = services.attachment_store(on=on, checked=checked, client=client)
        return 201, AttachmentSerializer(attachment).data

    body = {"on": str(on.pk), "name": checked.name, "sha256": checked.sha256}
    return idempotency.run_once(client=client, endpoint=endpoint, key=key, body_hash=idempotency.request_hash(body),
                                write=write)  # fmt: skip


def _list(request, view, attachments):
    access = client_access(request)
    require(access, Action.ATTACHMENT_VIEW)  # without a current agreement: 403 naming it, not an empty list
    pages = Pages()
    page = pages.paginate_queryset(scoped(access, Action.ATTACHMENT_VIEW, attachments), request, view=view)
    log_read(AuditAction.ATTACHMENT_LISTED, hub=access.hub, object_type="decisions.attachment",
             ids=[a.id for a in page])  # fmt: skip
    return pages.get_paginated_response(AttachmentSerializer(page, many=True).data)


def _download(request, attachments, attachment_id):
    access = client_access(request)
    attachment = (
        attachments.filter(pk=attachment_id)
        .select_related("referral", "contribution__referral", "added_by_client")
        .first()
    )
    if attachment is None:
        raise Http404("No such file")
    data = services.attachment_download(attachment=attachment, access=access)
    return file_response(data, name=attachment.name, content_type=attachment.content_type)


def _add_schema(what: str, summary: str):
    return extend_schema(
        summary=summary,
        request=MULTIPART,
        parameters=[idempotency.key_parameter(what)],
        responses={
            201: AttachmentSerializer,
            400: PROBLEM,
            401: PROBLEM,
            403: PROBLEM,
            404: PROBLEM,
            405: PROBLEM,
            413: TOO_LARGE,
            415: PROBLEM,
            422: REFUSED,
            503: SCANNER_DOWN,
        },  # fmt: skip
    )


LIST_RESPONSES = {200: AttachmentPageSerializer, 401: PROBLEM, 403: PROBLEM, 404: PROBLEM, 405: PROBLEM}
# The file's bytes, in the type detected when it was stored (one of the allowed types).
DOWNLOAD_RESPONSES = {
    **{(200, content_type): DOWNLOAD for content_type in KINDS},
    **{(status, "application/problem+json"): PROBLEM for status in (401, 403, 404, 405)},
}


class ReferralAttachmentCollection(APIView):
    permission_classes = [IsAuthenticated, HasScope]
    parser_classes = PARSERS
    actions = {"GET": Action.ATTACHMENT_VIEW, "POST": Action.ATTACHMENT_ADD}

    def _referral(self, request, referral_id):
        return referral_selectors.referral_of_client(client_access(request), referral_id)

    @extend_schema(operation_id="referral_attachments_list",
                   summary="The files your agency's system attached to one of your agency's referrals",
                   responses=LIST_RESPONSES)  # fmt: skip
    def get(self, request, referral_id):
        referral = self._referral(request, referral_id)
        return _list(request, self, Attachment.objects.filter(referral=referral))

    @_add_schema("file", "Attach a document (a DASH form, say) to a referral your agency sent")
    def post(self, request, referral_id):
        return _attach(request, self._referral(request, referral_id), "attachments.referral.create")


class ReferralAttachmentContent(APIView):
    permission_classes = [IsAuthenticated, HasScope]
    actions = {"GET": Action.ATTACHMENT_VIEW}

    @extend_schema(operation_id="referral_attachment_content", summary="Download a file your agency attached",
                   responses=DOWNLOAD_RESPONSES)  # fmt: skip
    def get(self, request, referral_id, attachment_id):
        referral = referral_selectors.referral_of_client(client_access(request), referral_id)
        return _download(request, Attachment.objects.filter(referral=referral), attachment_id)


class ContributionAttachmentCollection(APIView):
    permission_classes = [IsAuthenticated, HasScope]
    parser_classes = PARSERS
    actions = {"GET": Action.CONTRIBUTION_ATTACH, "POST": Action.CONTRIBUTION_ATTACH}

    @extend_schema(operation_id="contribution_attachments_list",
                   summary="The files of your agency's contribution to a referral", responses=LIST_RESPONSES)  # fmt: skip
    def get(self, request, referral_id, contribution_id):
        contribution = _contribution(request, referral_id, contribution_id)
        return _list(request, self, Attachment.objects.filter(contribution=contribution))

    @_add_schema("file", "Attach a document to your agency's contribution to a referral (after answering)")
    def post(self, request, referral_id, contribution_id):
        contribution = _contribution(request, referral_id, contribution_id)
        return _attach(request, contribution, "attachments.contribution.create")


class ContributionAttachmentContent(APIView):
    permission_classes = [IsAuthenticated, HasScope]
    actions = {"GET": Action.CONTRIBUTION_ATTACH}

    @extend_schema(operation_id="contribution_attachment_content",
                   summary="Download a file of your agency's contribution", responses=DOWNLOAD_RESPONSES)  # fmt: skip
    def get(self, request, referral_id, contribution_id, attachment_id):
        contribution = _contribution(request, referral_id, contribution_id)
        return _download(request, Attachment.objects.filter(contribution=contribution), attachment_id)
