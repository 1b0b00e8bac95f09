"""Conditional GETs for the API's single resources (RFC 9110 §8.8.3, §13.1.2): a strong ETag computed from the JSON
representation, and `If-None-Match` answered with 304 and no body when the client already holds it.

`conditional(request, data)` is the whole of it for an endpoint: it returns the 200 with its ETag, or the 304.
"""

import hashlib
import json

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse
from rest_framework.response import Response
from rest_framework.utils.encoders import JSONEncoder

IF_NONE_MATCH = OpenApiParameter(
    "If-None-Match",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    required=False,
    description="The ETag of the representation you hold: 304 Not Modified, with no body, while it is current",
)
NOT_MODIFIED = OpenApiResponse(description="Not modified: the representation whose ETag you sent is current")


def etag_of(data) -> str:
    """A strong validator of the representation: the SHA-256 of its JSON, keys sorted."""
    text = json.dumps(data, cls=JSONEncoder, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return '"' + hashlib.sha256(text.encode()).hexdigest()[:40] + '"'


def _matches(header: str, etag: str) -> bool:
    """If-None-Match uses the weak comparison: W/"x" matches "x"; `*` matches any current representation."""
    if header.strip() == "*":
        return True
    tags = (tag.strip() for tag in header.split(","))
    return any((tag[2:] if tag.startswith("W/") else tag) == etag for tag in tags)


def conditional(request, data, *, headers=None) -> Response:
    """200 with `data` and its ETag, or 304 (ETag, no body) when the request's If-None-Match names it."""
    etag = etag_of(data)
    headers = {**(headers or {}), "ETag": etag}
    if request.method in ("GET", "HEAD") and _matches(request.headers.get("If-None-Match", ""), etag):
        return Response(status=304, headers=headers)
    return Response(data, headers=headers)
