"""The login popup honours the RP's ``loginHint`` / ``domainHint``: when the
signed-in account does not match, Chromium asks to sign in to the IdP, opens
``login_url`` with ``login_hint`` / ``domain_hint`` in the query, and the
account signed in there is the one offered to the RP."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tests.e2e.conftest import PASSWORDS
from tests.e2e.harness import ACCOUNT_CHOOSER, CONFIRM_IDP_LOGIN, Browser

pytestmark = pytest.mark.e2e


@pytest.mark.checklist(48, 49)
@pytest.mark.parametrize(
    ("hint", "matching", "other"),
    [
        ({"loginHint": "alice@example.com"}, "alice", "bob"),
        ({"domainHint": "example.org"}, "bob", "alice"),
    ],
    ids=["loginHint", "domainHint"],
)
def test_login_popup_signs_in_the_hinted_account(
    hint: dict[str, str],
    matching: str,
    other: str,
    signed_in: Callable[[str], Any],
    e2e_users: dict[str, Any],
    rp_page: Callable[..., Browser],
    verify_token: Callable[..., dict[str, Any]],
) -> None:
    signed_in(other)
    page = rp_page(nonce="n-hint", **hint)
    page.wait_for_dialog(CONFIRM_IDP_LOGIN)
    page.confirm_idp_login()
    page.wait_for_popup()
    url = page.driver.current_url
    assert "/fedcm/login?" in url
    assert ("login_hint=" in url) == ("loginHint" in hint), url
    assert ("domain_hint=" in url) == ("domainHint" in hint), url
    page.fill_login_form(matching, PASSWORDS[matching])
    page.wait_popup_closed()

    page.wait_for_dialog(ACCOUNT_CHOOSER)
    assert page.account_ids() == [str(e2e_users[matching].pk)]
    page.select_account(0)
    result = page.result()
    assert result["status"] == "ok", result
    assert verify_token(result["token"], nonce="n-hint")["sub"] == str(e2e_users[matching].pk)
