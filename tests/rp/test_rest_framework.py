"""django_fedcm.rp.rest_framework: Bearer ID tokens for an RP API."""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable
from typing import Any

import pytest
from rest_framework.decorators import api_view, authentication_classes, permission_classes
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.test import APIRequestFactory

from django_fedcm.rp import rest_framework
from django_fedcm.rp.rest_framework import IdTokenAuthentication


@api_view(["GET"])
@authentication_classes([IdTokenAuthentication])
@permission_classes([IsAuthenticated])
def whoami(request: Request) -> Response:
    return Response({"username": request.user.username, "sub": request.auth["sub"]})


def call(header: str | None) -> Any:
    kwargs = {"HTTP_AUTHORIZATION": header} if header is not None else {}
    response = whoami(APIRequestFactory().get("/api/whoami", **kwargs))
    response.render()
    return response


def test_valid_bearer_id_token_authenticates(
    fedcm_rp_settings: list[str], fedcm_id_token: Callable[..., str]
) -> None:
    response = call(f"Bearer {fedcm_id_token()}")
    assert response.status_code == 200
    assert response.data == {"username": "fedcm:42@idp.test", "sub": "42"}


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
    response = call(make_header(fedcm_id_token))
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
    assert call(f"Bearer {fedcm_id_token()}").status_code == 401


def test_old_contrib_path_is_a_deprecated_alias() -> None:
    sys.modules.pop("django_fedcm.contrib.rp.rest_framework", None)
    with pytest.warns(DeprecationWarning, match="django_fedcm.rp.rest_framework"):
        old = importlib.import_module("django_fedcm.contrib.rp.rest_framework")
    assert old is rest_framework
    assert old.IdTokenAuthentication is IdTokenAuthentication
