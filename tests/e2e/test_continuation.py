"""Continuation consent: the id assertion endpoint answers ``continue_on``,
the browser opens the IdP's consent page in a popup, and the page hands the
token over with ``IdentityProvider.resolve()``."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from selenium.webdriver.common.by import By

from django_fedcm.models import ContinuationRequest, Grant
from tests.e2e.harness import ACCOUNT_CHOOSER, Browser

pytestmark = pytest.mark.e2e


@pytest.mark.checklist(38, 44, 46)
def test_consent_popup_resolves_the_token(
    signed_in: Callable[[str], Any],
    rp_page: Callable[..., Browser],
    verify_token: Callable[..., dict[str, Any]],
    e2e_rp: Any,
) -> None:
    alice = signed_in("alice")
    # fields=[]: the browser discloses nothing, so the IdP must ask itself
    # before releasing name, email and picture.
    page = rp_page(nonce="n-consent", fields="")
    page.wait_for_dialog(ACCOUNT_CHOOSER)
    page.select_account(0)

    page.wait_for_popup()
    assert "/fedcm/continue/" in page.driver.current_url
    assert not Grant.objects.filter(user=alice).exists()
    page.wait(lambda: page.driver.find_elements(By.CSS_SELECTOR, "button[value=allow]"))
    page.driver.find_element(By.CSS_SELECTOR, "button[value=allow]").click()
    page.wait_popup_closed()

    result = page.result()
    assert result["status"] == "ok", result
    claims = verify_token(result["token"], nonce="n-consent")
    assert claims["sub"] == str(alice.pk)
    assert claims["email"] == "alice@example.com"
    grant = Grant.objects.get(user=alice, relying_party=e2e_rp)
    assert {"name", "email"} <= set(grant.disclosed_fields)
    continuation = ContinuationRequest.objects.get()
    assert continuation.used_at is not None
    assert continuation.origin == e2e_rp.origins[0]
