from __future__ import annotations

import pytest
from django.test import override_settings

from django_fedcm.services import crypto

OLD = "old-secret-" + "o" * 40
NEW = "new-secret-" + "n" * 40


def test_round_trip_and_ciphertext_is_not_plaintext() -> None:
    token = crypto.encrypt(b'{"d":"private"}')
    assert b"private" not in token
    assert crypto.decrypt(token) == b'{"d":"private"}'
    assert crypto.decrypt(memoryview(token)) == b'{"d":"private"}'  # BinaryField values


def test_secret_key_rotation_keeps_keys_readable_until_reencrypted() -> None:
    with override_settings(SECRET_KEY=OLD):
        token = crypto.encrypt(b"k")
    with override_settings(SECRET_KEY=NEW, SECRET_KEY_FALLBACKS=[OLD]):
        assert crypto.decrypt(token) == b"k"
        assert crypto.needs_reencryption(token)
        fresh = crypto.reencrypt(token)
        assert not crypto.needs_reencryption(fresh)
    with override_settings(SECRET_KEY=NEW, SECRET_KEY_FALLBACKS=[]):
        assert crypto.decrypt(fresh) == b"k"
        with pytest.raises(crypto.KeyDecryptionError):
            crypto.decrypt(token)


def test_dedicated_encryption_secrets_override_secret_key() -> None:
    with override_settings(FEDCM_KEY_ENCRYPTION_SECRETS=["dedicated"]):
        token = crypto.encrypt(b"k")
    with override_settings(SECRET_KEY=NEW, FEDCM_KEY_ENCRYPTION_SECRETS=["dedicated"]):
        assert crypto.decrypt(token) == b"k"
    with pytest.raises(crypto.KeyDecryptionError, match="FEDCM_KEY_ENCRYPTION_SECRETS"):
        crypto.decrypt(token)


def test_derived_keys_differ_per_secret() -> None:
    with override_settings(FEDCM_KEY_ENCRYPTION_SECRETS=["a"]):
        token = crypto.encrypt(b"k")
    with override_settings(FEDCM_KEY_ENCRYPTION_SECRETS=["b"]):
        assert crypto.needs_reencryption(token)
        with pytest.raises(crypto.KeyDecryptionError, match="cannot be decrypted"):
            crypto.reencrypt(token)


def test_errors_hide_the_token_and_the_cause() -> None:
    token = crypto.encrypt(b"secret-material")
    with override_settings(SECRET_KEY=NEW), pytest.raises(crypto.KeyDecryptionError) as excinfo:
        crypto.decrypt(token)
    assert token.decode() not in str(excinfo.value)
    assert excinfo.value.__suppress_context__
