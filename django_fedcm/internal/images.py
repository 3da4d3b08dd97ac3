"""Image type by magic number: the only bytes the IdP serves or accepts as an
account picture are PNG, JPEG, GIF and WebP, whatever the file name says."""

from __future__ import annotations

#: (magic prefix, offset, content type). WebP is ``RIFF????WEBP``.
_SIGNATURES: tuple[tuple[bytes, int, str], ...] = (
    (b"\x89PNG\r\n\x1a\n", 0, "image/png"),
    (b"\xff\xd8\xff", 0, "image/jpeg"),
    (b"GIF87a", 0, "image/gif"),
    (b"GIF89a", 0, "image/gif"),
    (b"WEBP", 8, "image/webp"),
)


def sniff_image_type(head: bytes) -> str | None:
    """The image content type of a file starting with ``head``, or ``None``."""
    for magic, offset, content_type in _SIGNATURES:
        if head[offset : offset + len(magic)] == magic:
            if content_type == "image/webp" and not head.startswith(b"RIFF"):
                continue
            return content_type
    return None
