"""views/error.py: help pages for FedCM error codes
(https://w3c-fedid.github.io/FedCM/#browser-api-identity-credential-error-interface)."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.test import RequestFactory

from django_fedcm.views.base import ERROR_CODES, fedcm_error

pytestmark = pytest.mark.django_db


@pytest.mark.checklist(41, 42)
@pytest.mark.parametrize("code", ERROR_CODES)
def test_every_oauth_error_code_has_a_help_page(
    fedcm_get: Callable[..., Any], code: str, django_assert_num_queries: Any
) -> None:
    with django_assert_num_queries(0):
        response = fedcm_get("error", code, webidentity=False)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    html = response.content.decode()
    assert f"<code>{code}</code>" in html
    assert "<h1>" in html


def test_unknown_error_code_is_404(fedcm_get: Callable[..., Any]) -> None:
    assert fedcm_get("error", "no_such_code").status_code == 404


@pytest.mark.checklist(41)
def test_error_objects_point_at_a_same_site_help_page(client: Any, rf: RequestFactory) -> None:
    request = rf.get("/", secure=True, HTTP_HOST="idp.test")
    help_url = json.loads(fedcm_error(request, "access_denied").content)["error"]["url"]
    parts = urlsplit(help_url)
    assert (parts.scheme, parts.netloc) == ("https", "idp.test")
    response = client.get(parts.path, secure=True, HTTP_HOST="idp.test")
    assert response.status_code == 200
    assert b"Sign-in was not allowed" in response.content


def test_error_page_is_publicly_cacheable_without_set_login(
    client: Any, fedcm_get: Callable[..., Any], fedcm_signed_in: Any
) -> None:
    response = fedcm_get("error", "server_error")
    assert "public" in response["Cache-Control"]
    assert "Set-Login" not in response
