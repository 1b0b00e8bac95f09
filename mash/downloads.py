"""The one way a stored file leaves the service: as a download, never shown inline, never sniffed by the browser,
never cached, with the type detected when it was uploaded and its name safely encoded (RFC 6266 / RFC 5987)."""

from django.http import HttpResponse
from django.utils.http import content_disposition_header


def file_response(data: bytes, *, name: str, content_type: str) -> HttpResponse:
    response = HttpResponse(data, content_type=content_type or "application/octet-stream")
    response["Content-Disposition"] = content_disposition_header(as_attachment=True, filename=name or "file")
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "no-store"
    response["Content-Length"] = str(len(data))
    return response
