"""django_fedcm.services.scopes: the scope ↔ field mapping both doors share."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from django_fedcm.services import scopes


def grant(fields: list[str] = (), granted: list[str] = ()) -> SimpleNamespace:  # type: ignore[assignment]
    return SimpleNamespace(disclosed_fields=list(fields), scopes=list(granted))


@pytest.mark.parametrize(
    ("value", "expected"),
    [(None, set()), ("openid  email", {"openid", "email"}), (["a", "b"], {"a", "b"})],
)
def test_split(value: object, expected: set[str]) -> None:
    assert scopes.split(value) == expected  # type: ignore[arg-type]


def test_fedcm_default_fields_equal_openid_profile_email() -> None:
    assert scopes.fields_for_scopes({"openid", "profile", "email"}) == {"name", "email", "picture"}
    assert scopes.fields_for_scopes({"openid", "read"}) == set()


def test_grant_covers_scopes_from_disclosed_fields_and_recorded_scopes() -> None:
    fedcm_grant = grant(["name", "email", "picture"])
    assert scopes.grant_covers(fedcm_grant, {"openid", "profile", "email"})
    assert not scopes.grant_covers(fedcm_grant, {"openid", "read"})
    assert scopes.grant_covers(grant([], ["read"]), {"openid", "read"})
    assert not scopes.grant_covers(grant(["name"]), {"profile"})  # picture missing
    assert not scopes.grant_covers(None, {"openid"})
