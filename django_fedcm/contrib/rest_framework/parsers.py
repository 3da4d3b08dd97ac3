"""The API's JSON parser: bounded in size and in nesting depth.

DRF's ``JSONParser`` hands the body to :func:`json.loads`, whose recursion
on ``[[[[...`` ends in a ``RecursionError`` that DRF does not catch: a 500
on every route, raised while session authentication's CSRF check reads the
body, so before any permission is checked. And newer DRF releases read the
body through Django's ``request.body``, whose ``DATA_UPLOAD_MAX_MEMORY_SIZE``
check raises outside the parser, so Django answers its HTML 400 page (older
ones do not apply the limit to JSON at all).

:class:`BoundedJSONParser` reads the body itself and turns both into DRF's
``ParseError``: the API's JSON ``400 {"detail": ...}`` (docs/api.md, "Errors").
It is not a ``JSONParser`` subclass on purpose: DRF reads ``request.body``
before calling a ``JSONParser`` (or ``FormParser``), outside the error
handling it gives parsers.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import IO, Any

from django.conf import settings
from rest_framework import renderers
from rest_framework.exceptions import ParseError
from rest_framework.parsers import BaseParser
from rest_framework.settings import api_settings
from rest_framework.utils import json

__all__ = ["MAX_JSON_DEPTH", "BoundedJSONParser", "too_deep"]

#: Deepest nesting of arrays and objects a request body may have. The API's
#: deepest body is an object holding a list (``{"origins": [...]}``): depth 2.
MAX_JSON_DEPTH = 20


#: A JSON string (RFC 8259 §7), escapes included: its brackets are text.
_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)
#: Every byte but the four brackets, for ``bytes.translate(None, delete)``.
_NOT_BRACKETS = bytes(range(256)).translate(None, b"[]{}")
_ONE_KIND = bytes.maketrans(b"{}", b"[]")


def too_deep(text: str, limit: int) -> bool:
    """Whether the JSON document ``text`` nests arrays and objects more than
    ``limit`` levels deep, found before parsing it (the parser would recurse).

    Strings are dropped, then the brackets kept as one kind; each pass of
    ``replace("[]", "")`` removes exactly the innermost level. Every step is
    linear and runs in C: well under a second for a 2.5 MB body, less than
    parsing it. A malformed body may count wrong; ``json.loads`` refuses it.
    """
    brackets = (
        _STRING.sub("", text)
        .encode("utf-8", "surrogatepass")
        .translate(None, _NOT_BRACKETS)
        .translate(_ONE_KIND)
    )
    for _ in range(limit):
        shorter = brackets.replace(b"[]", b"")
        if len(shorter) == len(brackets):
            return False  # nothing nested left, or unbalanced: json.loads decides
        brackets = shorter
    return bool(brackets)


def _read_body(stream: IO[bytes], request: Any) -> bytes:
    """At most ``DATA_UPLOAD_MAX_MEMORY_SIZE`` bytes, as Django's ``request.body``."""
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    if limit is None:
        return stream.read()
    too_big = ParseError(f"Request body exceeded the size limit ({limit} bytes).")
    try:
        declared = int(getattr(request, "META", {}).get("CONTENT_LENGTH") or 0)
    except ValueError:
        declared = 0
    if declared > limit:
        raise too_big
    body = stream.read(limit + 1)
    if len(body) > limit:
        raise too_big
    return body


def _text_encoding(parser_context: Mapping[str, Any]) -> str:
    encoding = parser_context.get("encoding") or settings.DEFAULT_CHARSET
    try:
        # str.encode() refuses bytes-to-bytes codecs such as bz2_codec, which
        # would decompress a small body past the size limit.
        "".encode(encoding)
    except (LookupError, UnicodeError):
        raise ParseError(f'Unsupported charset "{encoding}" in the Content-Type header.') from None
    return str(encoding)


def _decode(body: bytes, encoding: str) -> str:
    try:
        return body.decode(encoding)
    except UnicodeDecodeError as exc:
        raise ParseError(f"JSON parse error - {exc}") from None


class BoundedJSONParser(BaseParser):
    """``application/json`` bodies of at most ``DATA_UPLOAD_MAX_MEMORY_SIZE``
    bytes and :data:`MAX_JSON_DEPTH` levels; anything else is ``ParseError``."""

    media_type = "application/json"
    renderer_class = renderers.JSONRenderer
    strict = api_settings.STRICT_JSON
    max_depth = MAX_JSON_DEPTH

    def parse(
        self,
        stream: IO[bytes],
        media_type: str | None = None,
        parser_context: Mapping[str, Any] | None = None,
    ) -> Any:
        context = parser_context or {}
        body = _read_body(stream, context.get("request"))
        encoding = _text_encoding(context)
        text = _decode(body, encoding)
        too_deep_error = ParseError(
            f"JSON parse error - nested deeper than {self.max_depth} levels."
        )
        if too_deep(text, self.max_depth):
            raise too_deep_error
        parse_constant = json.strict_constant if self.strict else None
        try:
            return json.loads(text, parse_constant=parse_constant)
        except RecursionError:  # unbalanced brackets ``too_deep`` left to the parser
            raise too_deep_error from None
        except ValueError as exc:
            raise ParseError(f"JSON parse error - {exc}") from None
