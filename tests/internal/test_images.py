"""internal/images.py: image types by magic number."""

from __future__ import annotations

import pytest

from django_fedcm.internal.images import sniff_image_type


@pytest.mark.parametrize(
    ("head", "expected"),
    [
        (b"\x89PNG\r\n\x1a\n....", "image/png"),
        (b"\xff\xd8\xff\xe0\x00\x10JFIF\x00", "image/jpeg"),
        (b"GIF87a....", "image/gif"),
        (b"GIF89a....", "image/gif"),
        (b"RIFF\x24\x00\x00\x00WEBPVP8 ", "image/webp"),
        (b"XXXX\x24\x00\x00\x00WEBP", None),
        (b"<svg", None),
        (b"", None),
    ],
)
def test_sniff_image_type(head: bytes, expected: str | None) -> None:
    assert sniff_image_type(head) == expected
