"""Shared fixtures. Factory fixtures are prefixed ``fedcm_``.

RSA key generation is slow, so one key per algorithm is generated per test
session and cloned into each test's database (:func:`fedcm_signing_key`).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db import connection
from django.dispatch import Signal
from django.test import Client
from oauth2_provider.models import Application

from django_fedcm.models import AccountProfile, Grant, RelyingParty, SigningKey
from django_fedcm.services import grants, keys

User = get_user_model()


@pytest.fixture(scope="session")
def _generated_keys() -> dict[str, SigningKey]:
    from django.utils import timezone

    return {
        alg: keys._new_key(alg, SigningKey.State.ACTIVE, timezone.now())
        for alg in ("RS256", "ES256", "EdDSA")
    }


@pytest.fixture(autouse=True)
def _postgres_marker(request: pytest.FixtureRequest) -> None:
    """``@pytest.mark.postgres`` tests skip on SQLite, except under
    ``FEDCM_REQUIRE_POSTGRES=1`` (the CI PostgreSQL run), where a skip would
    hide a misconfigured job: there they fail."""
    if request.node.get_closest_marker("postgres") is None:
        return
    if connection.vendor == "postgresql":
        return
    if os.environ.get("FEDCM_REQUIRE_POSTGRES") == "1":
        pytest.fail(f"FEDCM_REQUIRE_POSTGRES=1 but the test database is {connection.vendor}")
    pytest.skip("needs PostgreSQL: run with FEDCM_TEST_DATABASE=postgres")


@pytest.fixture(autouse=True)
def _fresh_key_cache() -> Iterator[None]:
    keys.clear_cache()
    cache.clear()  # FEDCM_CACHE: test transactions roll back without a commit
    yield
    keys.clear_cache()
    cache.clear()


@pytest.fixture
def fedcm_make_key(db: None, _generated_keys: dict[str, SigningKey]) -> Callable[..., SigningKey]:
    """Save a pre-generated key (state ``active`` unless told otherwise)."""
    from django.utils import timezone

    used: set[str] = set()

    def make(algorithm: str = "RS256", state: str = "active", **extra: Any) -> SigningKey:
        if algorithm in used:  # a second key of one algorithm: generate for real
            key = keys._new_key(algorithm, state, timezone.now())
        else:
            template = _generated_keys[algorithm]
            key = SigningKey(
                kid=template.kid,
                algorithm=template.algorithm,
                public_jwk=template.public_jwk,
                private_key_encrypted=template.private_key_encrypted,
            )
            used.add(algorithm)
        key.state = state
        key.activated_at = timezone.now() if state == "active" else None
        if state == "retired":
            key.retired_at = extra.pop("retired_at", timezone.now())
        for name, value in extra.items():
            setattr(key, name, value)
        key.save()
        keys.clear_cache()
        return key

    return make


@pytest.fixture
def fedcm_signing_key(fedcm_make_key: Callable[..., SigningKey]) -> SigningKey:
    """The active RS256 key."""
    return fedcm_make_key("RS256")


@pytest.fixture
def fedcm_make_rp(db: None) -> Callable[..., RelyingParty]:
    def make(
        client_id: str = "rp-client",
        origins: str = "https://rp.test",
        name: str = "Demo RP",
        **fields: Any,
    ) -> RelyingParty:
        application = Application.objects.create(
            client_id=client_id,
            name=name,
            client_type=Application.CLIENT_PUBLIC,
            authorization_grant_type=Application.GRANT_AUTHORIZATION_CODE,
            redirect_uris=f"{origins.split()[0]}/callback" if origins else "",
            allowed_origins=origins,
            algorithm=Application.RS256_ALGORITHM,
        )
        fields.setdefault("terms_of_service_url", "https://rp.test/terms")
        fields.setdefault("privacy_policy_url", "https://rp.test/privacy")
        return RelyingParty.objects.create(application=application, **fields)

    return make


@pytest.fixture
def fedcm_rp(fedcm_make_rp: Callable[..., RelyingParty]) -> RelyingParty:
    return fedcm_make_rp()


@pytest.fixture
def fedcm_make_user(db: None) -> Callable[..., Any]:
    def make(
        username: str = "alice",
        *,
        email: str | None = None,
        password: str = "pw-alice-123",
        login_hints: list[str] | None = None,
        domain_hints: list[str] | None = None,
        label_hints: list[str] | None = None,
        **fields: Any,
    ) -> Any:
        fields.setdefault("first_name", username.capitalize())
        fields.setdefault("last_name", "Example")
        user = User.objects.create_user(
            username=username,
            email=email if email is not None else f"{username}@example.com",
            password=password,
            **fields,
        )
        if login_hints or domain_hints or label_hints:
            AccountProfile.objects.create(
                user=user,
                login_hints=login_hints or [],
                domain_hints=domain_hints or [],
                label_hints=label_hints or [],
            )
        return user

    return make


@pytest.fixture
def fedcm_user(fedcm_make_user: Callable[..., Any]) -> Any:
    return fedcm_make_user()


@pytest.fixture
def fedcm_make_grant(db: None) -> Callable[..., Any]:
    """A user's approval of a relying party, plus (``tokens=True``) an OAuth
    access/refresh token pair for the same user and client."""
    from datetime import timedelta

    from django.utils import timezone
    from oauth2_provider.models import AccessToken, RefreshToken

    from django_fedcm.services.grants import record_grant

    def make(
        user: Any,
        relying_party: RelyingParty,
        *,
        fields: tuple[str, ...] = ("name", "email"),
        tokens: bool = False,
    ) -> Any:
        record_grant(user, relying_party, fields=fields, scopes=("openid",))
        grant = Grant.objects.get(user=user, relying_party=relying_party)
        if tokens:
            application = relying_party.application
            access = AccessToken.objects.create(
                user=user,
                application=application,
                token=f"at-{user.pk}-{application.pk}",
                expires=timezone.now() + timedelta(hours=1),
                scope="openid",
            )
            RefreshToken.objects.create(
                user=user,
                application=application,
                token=f"rt-{user.pk}-{application.pk}",
                access_token=access,
            )
        return grant

    return make


@pytest.fixture
def fedcm_signed_in(client: Client, fedcm_user: Any) -> Any:
    """``fedcm_user`` with a session cookie in ``client``."""
    client.force_login(fedcm_user)
    return fedcm_user


@pytest.fixture
def fedcm_asserting_user(
    fedcm_signed_in: Any, fedcm_rp: RelyingParty, fedcm_signing_key: SigningKey
) -> Any:
    """Signed in, with ``rp-client`` registered and an active key: all the id
    assertion endpoint needs to mint for this user."""
    return fedcm_signed_in


@pytest.fixture
def fedcm_returning(fedcm_asserting_user: Any, fedcm_rp: RelyingParty) -> Any:
    """The signed-in user has already approved ``rp-client`` for name, email, picture."""
    grants.record_grant(fedcm_asserting_user, fedcm_rp, fields=["name", "email", "picture"])
    return fedcm_asserting_user


@pytest.fixture
def fedcm_signal_log() -> Iterator[Callable[[Signal], list[dict[str, Any]]]]:
    """``listen(signal)`` returns a list that collects each send's kwargs until
    the test ends; every receiver is disconnected afterwards."""
    connected: list[tuple[Signal, Callable[..., None]]] = []

    def listen(signal: Signal) -> list[dict[str, Any]]:
        seen: list[dict[str, Any]] = []

        def receiver(**kwargs: Any) -> None:
            seen.append(kwargs)

        signal.connect(receiver, weak=False)
        connected.append((signal, receiver))
        return seen

    yield listen
    for signal, receiver in connected:
        signal.disconnect(receiver)
