"""The API's JSON parser: a body is read only up to the size limit, decoded as UTF-8 and measured for nesting before
`json` ever recurses into it, so that no body can exhaust the stack (a RecursionError would be a 500).

- more than API_MAX_BODY_BYTES (also when sent chunked, without Content-Length): 413;
- not UTF-8, not JSON, NaN/Infinity, or nested deeper than MAX_JSON_DEPTH arrays and objects: 400.

Every refusal is a problem+json answer (mash/api_errors.py) and nothing is stored."""

import json
import re

from django.conf import settings
from django.utils.translation import gettext
from rest_framework import status
from rest_framework.exceptions import APIException, ParseError
from rest_framework.parsers import JSONParser
from rest_framework.utils.json import strict_constant

MAX_JSON_DEPTH = 20
# A JSON string, escapes included (unrolled, so linear however long); brackets inside strings do not nest.
_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)
_BRACKET = re.compile(r"[\[\]{}]")


class BodyTooLarge(APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_code = "too_large"


def nesting_depth(text: str) -> int:
    """The deepest nesting of arrays and objects in `text`, ignoring brackets inside strings (no recursion)."""
    depth = deepest = 0
    for match in _BRACKET.finditer(_STRING.sub("", text)):
        if match.group() in "[{":
            depth += 1
            deepest = max(deepest, depth)
        else:
            depth -= 1
    return deepest


class BoundedJSONParser(JSONParser):
    """DRF's JSONParser with the limits above (set as DEFAULT_PARSER_CLASSES)."""

    def parse(self, stream, media_type=None, parser_context=None):
        limit = settings.API_MAX_BODY_BYTES
        raw = stream.read(limit + 1) if stream is not None else b""
        if len(raw) > limit:
            raise BodyTooLarge(
                gettext("Request bodies are limited to %(limit)s bytes; nothing was stored") % {"limit": limit}
            )
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            raise ParseError(gettext("The body is not UTF-8: send JSON encoded as UTF-8")) from None
        if nesting_depth(text) > MAX_JSON_DEPTH:
            raise ParseError(
                gettext("The JSON is nested too deeply: at most %(depth)s levels of arrays and objects")
                % {"depth": MAX_JSON_DEPTH}
            )
        try:
            return json.loads(text, parse_constant=strict_constant)
        except (ValueError, RecursionError) as exc:
            raise ParseError(gettext("The body is not valid JSON: %(error)s") % {"error": exc}) from None
