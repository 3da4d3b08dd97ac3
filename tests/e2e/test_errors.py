"""Failures the RP must see as failures: the FedCM error API, and an origin
that is not registered for the client."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from django_fedcm.models import Grant
from tests.e2e.harness import ACCOUNT_CHOOSER, Browser

pytestmark = pytest.mark.e2e


@pytest.mark.checklist(41, 42)
def test_error_response_reaches_the_rp_with_code_and_url(
    signed_in: Callable[[str], Any],
    rp_page: Callable[..., Browser],
    e2e_sites: Any,
    settings: Any,
    request_log: list[str],
) -> None:
    settings.FEDCM_ADAPTER = "tests.e2e.adapters.DenyingAdapter"
    signed_in("alice")
    page = rp_page()
    page.wait_for_dialog(ACCOUNT_CHOOSER)
    page.select_account(0)
    # The IdP answered {"error": {...}}: Chromium shows its Error dialog and
    # settles the RP's promise only once it is dismissed.
    page.dismiss_error_dialog()

    result = page.result()
    assert result["status"] == "error", result
    assert result["name"] == "IdentityCredentialError"
    assert result["error"] == "access_denied"
    assert result["url"] == f"{e2e_sites.idp}/fedcm/error/access_denied"
    assert "/fedcm/assertion" in request_log
    assert not Grant.objects.exists()


@pytest.mark.checklist(27, 30)
def test_origin_not_registered_for_the_client_gets_no_token(
    signed_in: Callable[[str], Any],
    rp_page: Callable[..., Browser],
    e2e_rp: Any,
    request_log: list[str],
) -> None:
    # The client is registered for another origin than the page's.
    application = e2e_rp.application
    application.allowed_origins = "http://127.0.0.1:1"
    application.save()

    signed_in("alice")
    page = rp_page()
    page.wait_for_dialog(ACCOUNT_CHOOSER)
    page.select_account(0)
    page.dismiss_error_dialog()

    result = page.result()
    assert result["status"] == "error", result
    assert "token" not in result
    assert "/fedcm/assertion" in request_log
    assert not Grant.objects.exists()
