"""``GET /fedcm/sdk.js``: the relying-party JavaScript SDK, served by the IdP.

The file is static (``django_fedcm/static/django_fedcm/sdk.js``) and served
byte for byte, so its Subresource Integrity hash is a property of the release
and is written in docs/rp-integration.md (a test keeps the two equal).

Versioned URLs: ``/fedcm/sdk.js?v=<version>`` where ``version`` is derived
from the file's content (:func:`sdk_version`). With the current version the
response may be cached for a year (``immutable``); any other request gets a
short cache, so an unversioned ``<script src>`` picks up a new release within
minutes. ``Access-Control-Allow-Origin: *`` lets RP pages load it with
``integrity`` + ``crossorigin="anonymous"`` (SRI needs a CORS response for a
cross-origin script).
"""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.views.decorators.http import require_safe

from django_fedcm.services import discovery

__all__ = [
    "LONG_CACHE",
    "SDK",
    "SDK_FILE",
    "SHORT_CACHE",
    "sdk",
    "sdk_integrity",
    "sdk_url",
    "sdk_version",
    "view",
]

SDK_FILE = Path(__file__).resolve().parent.parent / "static" / "django_fedcm" / "sdk.js"

LONG_CACHE = "public, max-age=31536000, immutable"
SHORT_CACHE = "public, max-age=300"


@dataclass(frozen=True)
class SDK:
    content: bytes
    version: str
    integrity: str


@lru_cache(maxsize=1)
def sdk() -> SDK:
    content = SDK_FILE.read_bytes()
    digest = hashlib.sha384(content).digest()
    return SDK(
        content=content,
        version=hashlib.sha384(content).hexdigest()[:16],
        integrity="sha384-" + base64.b64encode(digest).decode(),
    )


def sdk_version() -> str:
    return sdk().version


def sdk_integrity() -> str:
    """The ``integrity`` attribute value (``sha384-…``)."""
    return sdk().integrity


def sdk_url(request: HttpRequest | None = None) -> str:
    """Absolute, versioned URL of the SDK (for ``<script src>``)."""
    path = reverse("django_fedcm:sdk")
    return f"{discovery.base_origin(request)}{path}?v={sdk_version()}"


@require_safe
def view(request: HttpRequest) -> HttpResponse:
    current = sdk()
    response = HttpResponse(current.content, content_type="text/javascript; charset=utf-8")
    versioned = request.GET.get("v") == current.version
    response["Cache-Control"] = LONG_CACHE if versioned else SHORT_CACHE
    response["ETag"] = f'"{current.version}"'
    response["Access-Control-Allow-Origin"] = "*"
    response["X-Content-Type-Options"] = "nosniff"
    # Cross-origin pages embed it: allow that under COEP/CORP isolation too.
    response["Cross-Origin-Resource-Policy"] = "cross-origin"
    return response
