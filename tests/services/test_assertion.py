"""django_fedcm.services.assertion: the issuer and the single minting function."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import RequestFactory

from django_fedcm.models import Grant, RelyingParty
from django_fedcm.services import assertion, keys
from tests.views.fedcm_http import verify

pytestmark = pytest.mark.django_db


def test_issuer_is_the_setting_else_the_request_origin(settings: Any) -> None:
    request = RequestFactory().get("/", HTTP_HOST="idp.test", secure=True)
    settings.FEDCM_ISSUER = "https://login.example/"
    assert assertion.issuer(request) == "https://login.example"
    settings.FEDCM_ISSUER = None
    assert assertion.issuer(request) == "https://idp.test"


def test_issue_assertion_records_the_grant_and_signs(
    fedcm_signing_key: Any, fedcm_user: Any, fedcm_rp: RelyingParty
) -> None:
    request = RequestFactory().post("/", HTTP_HOST="idp.test", secure=True)
    request.session = {}  # type: ignore[assignment]
    body = assertion.issue_assertion(
        request, fedcm_rp, fedcm_user, nonce="n", params={}, fields=["email"]
    )
    claims = verify(body["token"])[1]
    assert claims["nonce"] == "n" and claims["email"] == "alice@example.com"
    assert "name" not in claims  # only the consented fields
    assert Grant.objects.get().disclosed_fields == ["email"]


def test_issue_assertion_rolls_the_grant_back_without_a_key(
    fedcm_user: Any, fedcm_rp: RelyingParty
) -> None:
    request = RequestFactory().post("/", HTTP_HOST="idp.test", secure=True)
    with pytest.raises(keys.NoActiveKey):
        assertion.issue_assertion(request, fedcm_rp, fedcm_user, nonce=None, params={}, fields=[])
    assert Grant.objects.count() == 0
