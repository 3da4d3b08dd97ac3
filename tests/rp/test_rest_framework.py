"""django_fedcm.rp.rest_framework: Bearer ID tokens for an RP API."""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.sessions.backends.db import SessionStore
from rest_framework.decorators import api_view, authentication_classes, permission_classes
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.test import APIRequestFactory

from django_fedcm.rp import rest_framework
from django_fedcm.rp.rest_framework import IdTokenAuthentication
from tests.rp.tokens import NONCE


@api_view(["GET"])
@authentication_classes([IdTokenAuthentication])
@permission_classes([IsAuthenticated])
def whoami(request: Request) -> Response:
    return Response({"username": request.user.username, "sub": request.auth["sub"]})


class NoNonceCheck(IdTokenAuthentication):
    check_nonce = False


@api_view(["GET"])
@authentication_classes([NoNonceCheck])
@permission_classes([IsAuthenticated])
def whoami_without_nonce(request: Request) -> Response:
    return Response({"sub": request.auth["sub"]})


def started_sign_in(nonce: str | None = NONCE) -> SessionStore:
    """A session whose page asked the IdP for a token with ``nonce``."""
    session = SessionStore()
    if nonce is not None:
        session["fedcm_nonce"] = nonce
    return session


def call(header: str | None, session: SessionStore | None = None, view: Any = whoami) -> Any:
    kwargs = {"HTTP_AUTHORIZATION": header} if header is not None else {}
    request = APIRequestFactory().get("/api/whoami", **kwargs)
    if session is not None:
        request.session = session
    response = view(request)
    response.render()
    return response


def test_valid_bearer_id_token_authenticates(
    fedcm_rp_settings: list[str], fedcm_id_token: Callable[..., str]
) -> None:
    session = started_sign_in()
    response = call(f"Bearer {fedcm_id_token()}", session)
    assert response.status_code == 200
    assert response.data == {"username": "fedcm:42@idp.test", "sub": "42"}
    assert "fedcm_nonce" not in session  # single use


@pytest.mark.parametrize(
    "session",
    [None, lambda: started_sign_in(None), lambda: started_sign_in("another-attempt")],
    ids=["no-session", "no-sign-in-started", "other-nonce"],
)
def test_token_without_the_sessions_nonce_is_401(
    fedcm_rp_settings: list[str],
    fedcm_id_token: Callable[..., str],
    session: Callable[[], SessionStore] | None,
) -> None:
    response = call(f"Bearer {fedcm_id_token()}", session() if session else None)
    assert response.status_code == 401
    assert "nonce" in str(response.data["detail"])


def test_captured_token_does_not_replay(
    fedcm_rp_settings: list[str], fedcm_id_token: Callable[..., str]
) -> None:
    token, session = fedcm_id_token(), started_sign_in()
    assert call(f"Bearer {token}", session).status_code == 200
    assert call(f"Bearer {token}", session).status_code == 401
    assert call(f"Bearer {token}", started_sign_in(None)).status_code == 401


def test_check_nonce_false_opts_out(
    fedcm_rp_settings: list[str], fedcm_id_token: Callable[..., str]
) -> None:
    response = call(f"Bearer {fedcm_id_token(nonce=None)}", view=whoami_without_nonce)
    assert response.status_code == 200
    assert response.data == {"sub": "42"}


@pytest.mark.parametrize(
    "make_header",
    [
        lambda token: f"Bearer {token(aud='other')}",
        lambda token: f"Bearer {token(exp=1)}",
        lambda token: f"Bearer {token()[:-4]}AAAA",
        lambda token: "Bearer not-a-token",
        lambda token: "Bearer a b",
    ],
    ids=["other-audience", "expired", "tampered", "garbage", "malformed-header"],
)
def test_bad_bearer_tokens_get_401_invalid_token(
    fedcm_rp_settings: list[str],
    fedcm_id_token: Callable[..., str],
    make_header: Callable[[Callable[..., str]], str],
) -> None:
    response = call(make_header(fedcm_id_token), started_sign_in())
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == 'Bearer error="invalid_token"'


def test_other_schemes_are_left_to_other_classes(fedcm_rp_settings: list[str]) -> None:
    assert call("Basic Zm9vOmJhcg==").status_code == 401
    assert call(None).status_code == 401
    assert fedcm_rp_settings == []  # no JWKS fetch for requests that are not ours


def test_non_ascii_bearer_token_is_401(fedcm_rp_settings: list[str]) -> None:
    response = whoami(APIRequestFactory().get("/api/whoami", HTTP_AUTHORIZATION="Bearer tökén"))
    response.render()
    assert response.status_code == 401


def test_inactive_local_user_is_401(
    fedcm_rp_settings: list[str], fedcm_id_token: Callable[..., str]
) -> None:
    from django.contrib.auth import get_user_model

    get_user_model().objects.create(username="fedcm:42@idp.test", is_active=False)
    assert call(f"Bearer {fedcm_id_token()}", started_sign_in()).status_code == 401


def test_old_contrib_path_is_a_deprecated_alias() -> None:
    sys.modules.pop("django_fedcm.contrib.rp.rest_framework", None)
    with pytest.warns(DeprecationWarning, match="django_fedcm.rp.rest_framework"):
        old = importlib.import_module("django_fedcm.contrib.rp.rest_framework")
    assert old is rest_framework
    assert old.IdTokenAuthentication is IdTokenAuthentication
