"""The Login Status API: signing out of the IdP sends ``Set-Login:
logged-out``, after which passive mode stays silent."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tests.e2e.harness import ACCOUNT_CHOOSER, Browser

pytestmark = pytest.mark.e2e


@pytest.mark.checklist(52)
def test_sign_out_makes_passive_mode_silent(
    signed_in: Callable[[str], Any],
    rp_page: Callable[..., Browser],
    request_log: list[str],
) -> None:
    signed_in("alice")
    page = rp_page()
    page.wait_for_dialog(ACCOUNT_CHOOSER)  # signed in: the chooser appears
    page.driver.fedcm.dismiss()
    assert page.result()["name"] == "NetworkError"

    page.idp_logout()
    request_log.clear()
    page.open_rp()
    result = page.result()
    assert result["status"] == "error", result
    assert result["name"] == "NetworkError"
    page.assert_no_dialog(1.0)
    # "logged-out": the browser did not even ask the IdP (no well-known,
    # config or accounts fetch), so the IdP learns nothing about the visit.
    assert not [p for p in request_log if p.startswith(("/fedcm/", "/.well-known/"))]
