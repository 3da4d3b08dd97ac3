"""Encryption at rest for private signing keys.

Private keys are stored as Fernet tokens (AES-128-CBC + HMAC-SHA256) under a
key derived with HKDF-SHA256 from each secret in
``FEDCM_KEY_ENCRYPTION_SECRETS`` (default: ``SECRET_KEY`` then
``SECRET_KEY_FALLBACKS``). The first secret encrypts; every secret decrypts,
so rotating ``SECRET_KEY`` the Django way (old value moved to
``SECRET_KEY_FALLBACKS``) keeps keys readable until ``fedcm_keys reencrypt``
has run. The trade-off is written down in docs/security.md.
"""

from __future__ import annotations

import base64
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from django_fedcm.conf import fedcm_settings

__all__ = ["KeyDecryptionError", "decrypt", "encrypt", "needs_reencryption", "reencrypt"]

_SALT = b"django-fedcm/signing-key-encryption/v1"


class KeyDecryptionError(Exception):
    """No configured secret decrypts a stored private key. Carries no key material."""


def _derive(secret: str) -> Fernet:
    raw = HKDF(algorithm=hashes.SHA256(), length=32, salt=_SALT, info=b"fernet").derive(
        secret.encode()
    )
    return Fernet(base64.urlsafe_b64encode(raw))


@lru_cache(maxsize=8)
def _multi_fernet(secrets: tuple[str, ...]) -> MultiFernet:
    return MultiFernet([_derive(secret) for secret in secrets])


def _current() -> MultiFernet:
    return _multi_fernet(tuple(fedcm_settings.KEY_ENCRYPTION_SECRETS))


def encrypt(plaintext: bytes) -> bytes:
    """Encrypt with the first (current) secret."""
    return _current().encrypt(plaintext)


def decrypt(token: bytes | memoryview) -> bytes:
    """Decrypt with any configured secret (``BinaryField`` values may be ``memoryview``)."""
    try:
        return _current().decrypt(bytes(token))
    except InvalidToken:
        raise KeyDecryptionError(
            "A stored signing key cannot be decrypted with FEDCM_KEY_ENCRYPTION_SECRETS / "
            "SECRET_KEY / SECRET_KEY_FALLBACKS."
        ) from None


def needs_reencryption(token: bytes | memoryview) -> bool:
    """True when ``token`` is not encrypted under the current secret."""
    secrets = fedcm_settings.KEY_ENCRYPTION_SECRETS
    try:
        _derive(secrets[0]).decrypt(bytes(token))
    except InvalidToken:
        return True
    return False


def reencrypt(token: bytes | memoryview) -> bytes:
    """Re-encrypt ``token`` under the current secret."""
    try:
        return _current().rotate(bytes(token))
    except InvalidToken:
        raise KeyDecryptionError("A stored signing key cannot be decrypted.") from None
