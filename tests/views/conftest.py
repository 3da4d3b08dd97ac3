"""Fixtures for the view tests: pictures, media and a browser-like GET.

Requests look like the browser's: ``Sec-Fetch-Dest: webidentity`` on FedCM
fetches, HTTPS, host ``idp.test`` (``FEDCM_ISSUER`` in tests/settings.py).
"""

from __future__ import annotations

import struct
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.core.files.base import ContentFile
from django.test import Client

from django_fedcm.models import AccountProfile

#: What every FedCM fetch carries (https://w3c-fedid.github.io/FedCM/#idp-api);
#: no cookies are implied.
WEBIDENTITY = {"HTTP_SEC_FETCH_DEST": "webidentity", "HTTP_ACCEPT": "application/json"}
IDP = {"secure": True, "HTTP_HOST": "idp.test"}


def png_bytes(size: int = 2) -> bytes:
    """A valid ``size`` x ``size`` grey PNG."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", size, size, 8, 0, 0, 0, 0)
    raw = b"".join(b"\x00" + b"\x80" * size for _ in range(size))
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )


@pytest.fixture
def fedcm_png() -> bytes:
    return png_bytes()


@pytest.fixture
def fedcm_media(settings: Any, tmp_path: Path) -> Path:
    """Uploaded files go to a per-test directory."""
    settings.MEDIA_ROOT = str(tmp_path)
    return tmp_path


@pytest.fixture
def fedcm_set_picture(fedcm_media: Path) -> Callable[..., AccountProfile]:
    """Store ``content`` (a PNG by default) as the user's profile picture."""

    def set_picture(
        user: Any, content: bytes | None = None, name: str = "me.png"
    ) -> AccountProfile:
        profile, _ = AccountProfile.objects.get_or_create(user=user)
        profile.picture.save(name, ContentFile(png_bytes() if content is None else content))
        return profile

    return set_picture


@pytest.fixture
def fedcm_get(client: Client) -> Callable[..., Any]:
    """GET an app URL by name, from the IdP host over HTTPS, like the browser."""
    from django.urls import reverse

    def get(
        name: str,
        *args: Any,
        webidentity: bool = True,
        data: dict[str, str] | None = None,
        **headers: Any,
    ) -> Any:
        extra = {**IDP, **(WEBIDENTITY if webidentity else {}), **headers}
        return client.get(reverse(f"django_fedcm:{name}", args=args), data or {}, **extra)

    return get
