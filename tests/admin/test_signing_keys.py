"""Signing keys admin: public parts only, and the Rotate button (keys.rotate)."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth.models import Permission
from django.test import Client
from django.urls import reverse
from jwcrypto.jwk import JWK

from django_fedcm.models import AuditEvent, SigningKey
from django_fedcm.services import crypto, keys

pytestmark = pytest.mark.django_db


def private_material(key: SigningKey) -> list[str]:
    token = bytes(SigningKey.objects.get(pk=key.pk).private_key_encrypted)
    private = JWK.from_json(crypto.decrypt(token).decode()).export_private(as_dict=True)
    values = [token.decode(), private["d"]]
    values += [private[k] for k in ("p", "q", "dp", "dq", "qi") if k in private]
    return values


def test_signing_key_pages_never_render_private_material(
    admin_client: Client, fedcm_make_key: Callable[..., SigningKey]
) -> None:
    active = fedcm_make_key("RS256")
    retired = fedcm_make_key("EdDSA", state="retired")
    changelist = admin_client.get(reverse("admin:django_fedcm_signingkey_changelist"))
    pages = [changelist.content.decode()]
    for key in (active, retired):
        page = admin_client.get(reverse("admin:django_fedcm_signingkey_change", args=[key.pk]))
        assert page.status_code == 200
        content = page.content.decode()
        assert key.public_jwk["kid"] in content and "&quot;kty&quot;" in content
        assert 'name="_save"' not in content
        pages.append(content)
    assert active.kid in pages[0] and retired.kid in pages[0]
    for key in (active, retired):
        for secret in private_material(key):
            for page in pages:
                assert secret not in page
    assert "private" not in pages[1].lower().replace("private_key", "")
    assert reverse("admin:django_fedcm_signingkey_add") not in pages[0]


def test_signing_keys_cannot_be_added_changed_or_deleted(
    admin_client: Client, fedcm_signing_key: SigningKey
) -> None:
    assert admin_client.get(reverse("admin:django_fedcm_signingkey_add")).status_code == 403
    delete = reverse("admin:django_fedcm_signingkey_delete", args=[fedcm_signing_key.pk])
    assert admin_client.post(delete, {"post": "yes"}).status_code == 403
    change = reverse("admin:django_fedcm_signingkey_change", args=[fedcm_signing_key.pk])
    admin_client.post(change, {"state": "retired"})
    fedcm_signing_key.refresh_from_db()
    assert fedcm_signing_key.state == "active"


def test_rotate_button_rotates_and_audits(
    admin_client: Client, admin_user: Any, fedcm_signing_key: SigningKey
) -> None:
    changelist = reverse("admin:django_fedcm_signingkey_changelist")
    rotate = reverse("admin:django_fedcm_signingkey_rotate")
    assert rotate in admin_client.get(changelist).content.decode()
    assert admin_client.get(rotate).status_code == 405
    response = admin_client.post(rotate, follow=True)
    assert response.redirect_chain[-1][0] == changelist
    new = SigningKey.objects.get(state="active")
    assert new.kid != fedcm_signing_key.kid
    content = response.content.decode()
    assert f"Rotated: {new.kid} (RS256) now signs." in content
    assert f"{fedcm_signing_key.kid} stays in the JWKS until" in content
    assert not re.search(r"stays in the JWKS until [^<]*\.\.", content)  # "p.m.."
    event = AuditEvent.objects.get()  # one event, written by keys.rotate
    assert (event.actor, event.action) == (admin_user, "signing_key.rotated")
    assert event.changes == {
        "via": "admin",
        "active_kid": [fedcm_signing_key.kid, new.kid],
        "algorithm": "RS256",
        "created": True,
    }
    assert keys.signing_key().kid == new.kid  # the process cache was cleared


def test_first_rotation_from_the_admin(admin_client: Client) -> None:
    response = admin_client.post(reverse("admin:django_fedcm_signingkey_rotate"), follow=True)
    assert "stays in the JWKS until" not in response.content.decode()
    assert SigningKey.objects.get().state == "active"


def test_rotate_refusal_is_a_message(admin_client: Client, monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: Any, **kwargs: Any) -> Any:
        raise keys.KeyManagementError("Could not rotate: concurrent rotations kept conflicting.")

    monkeypatch.setattr(keys, "rotate", refuse)
    response = admin_client.post(reverse("admin:django_fedcm_signingkey_rotate"), follow=True)
    assert "concurrent rotations kept conflicting" in response.content.decode()
    assert not AuditEvent.objects.exists()


def test_rotate_needs_change_permission(fedcm_make_user: Callable[..., Any]) -> None:
    staff = fedcm_make_user("staff", is_staff=True)
    staff.user_permissions.add(Permission.objects.get(codename="view_signingkey"))
    client = Client()
    client.force_login(staff)
    changelist = client.get(reverse("admin:django_fedcm_signingkey_changelist"))
    assert changelist.status_code == 200
    rotate = reverse("admin:django_fedcm_signingkey_rotate")
    assert rotate not in changelist.content.decode()
    assert client.post(rotate).status_code == 403
    assert not SigningKey.objects.exists()


def test_rotate_button_says_when_a_fresh_key_takes_over(
    admin_client: Client, fedcm_signing_key: SigningKey
) -> None:
    """With FEDCM_CACHE, a key that was not pre-published signs only once every
    server publishes it; the old key signs until then (docs/deployment.md)."""
    from datetime import timedelta

    from django.utils import timezone

    SigningKey.objects.filter(pk=fedcm_signing_key.pk).update(
        created_at=timezone.now() - timedelta(days=1)
    )
    keys.clear_cache()
    response = admin_client.post(reverse("admin:django_fedcm_signingkey_rotate"), follow=True)
    new = SigningKey.objects.get(state="active")
    content = response.content.decode()
    assert re.search(
        rf"Rotated: {new.kid} \(RS256\) signs from \d{{4}}-\d\d-\d\d [\d:]{{8}}", content
    )
    assert keys.signing_key().kid == fedcm_signing_key.kid
