"""Sign-in scenarios: passive, active, the login popup, the "confirm IdP
login" path, loginHint / domainHint filtering."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.sessions.models import Session

from django_fedcm.models import Grant
from tests.e2e.conftest import PASSWORDS
from tests.e2e.harness import ACCOUNT_CHOOSER, CONFIRM_IDP_LOGIN, Browser

pytestmark = pytest.mark.e2e


@pytest.mark.checklist(13, 32, 34, 59)
def test_passive_sign_in(
    signed_in: Callable[[str], Any],
    rp_page: Callable[..., Browser],
    verify_token: Callable[..., dict[str, Any]],
    e2e_rp: Any,
) -> None:
    alice = signed_in("alice")
    page = rp_page(nonce="n-passive")
    page.wait_for_dialog(ACCOUNT_CHOOSER)
    [account] = page.accounts()
    assert account["accountId"] == str(alice.pk)
    assert account["name"] == "Alice Example"
    # A new user: the disclosure, with the client metadata endpoint's links.
    assert account["loginState"] == "SignUp"
    assert account["termsOfServiceUrl"] == f"{e2e_rp.origins[0]}/terms"
    page.select_account(0)

    result = page.result()
    assert result["status"] == "ok", result
    assert result["isAutoSelected"] is False
    claims = verify_token(result["token"], nonce="n-passive")
    assert claims["sub"] == str(alice.pk)
    assert claims["aud"] == "e2e-rp"
    assert claims["email"] == "alice@example.com"
    grant = Grant.objects.get(user=alice, relying_party=e2e_rp)
    assert set(grant.disclosed_fields) >= {"name", "email"}


@pytest.mark.checklist(32)
def test_active_sign_in(
    signed_in: Callable[[str], Any],
    rp_page: Callable[..., Browser],
    verify_token: Callable[..., dict[str, Any]],
    e2e_rp: Any,
    request_log: list[str],
) -> None:
    alice = signed_in("alice")
    page = rp_page(mode="active", nonce="n-active")
    assert page.result_pending()
    page.assert_no_dialog(0.5)  # active mode waits for the button
    page.press("sign-in")
    page.wait_for_dialog(ACCOUNT_CHOOSER)
    assert page.account_ids() == [str(alice.pk)]
    page.select_account(0)

    result = page.result()
    assert result["status"] == "ok", result
    assert verify_token(result["token"], nonce="n-active")["sub"] == str(alice.pk)
    assert Grant.objects.filter(user=alice, relying_party=e2e_rp).exists()
    assert "/fedcm/assertion" in request_log


@pytest.mark.checklist(48, 49, 51)
def test_active_signed_out_user_signs_in_through_login_popup(
    e2e_users: dict[str, Any],
    rp_page: Callable[..., Browser],
    verify_token: Callable[..., dict[str, Any]],
    e2e_rp: Any,
) -> None:
    bob = e2e_users["bob"]
    page = rp_page(mode="active", nonce="n-popup")
    page.press("sign-in")  # no IdP session: the browser opens login_url

    page.wait_for_popup()
    assert "/fedcm/login" in page.driver.current_url
    page.fill_login_form("bob", PASSWORDS["bob"])
    # Set-Login: logged-in + IdentityProvider.close() end the popup.
    page.wait_popup_closed()

    page.wait_for_dialog(ACCOUNT_CHOOSER)
    assert page.account_ids() == [str(bob.pk)]
    page.select_account(0)
    result = page.result()
    assert result["status"] == "ok", result
    assert verify_token(result["token"], nonce="n-popup")["sub"] == str(bob.pk)
    assert Grant.objects.filter(user=bob, relying_party=e2e_rp).exists()


@pytest.mark.checklist(16, 49)
def test_expired_session_confirms_idp_login(
    signed_in: Callable[[str], Any],
    rp_page: Callable[..., Browser],
    verify_token: Callable[..., dict[str, Any]],
    e2e_rp: Any,
) -> None:
    alice = signed_in("alice")
    # The session dies server-side; the browser still believes "logged-in".
    Session.objects.all().delete()

    page = rp_page(nonce="n-expired")
    page.wait_for_dialog(CONFIRM_IDP_LOGIN)  # the accounts endpoint answered 401
    page.confirm_idp_login()
    page.wait_for_popup()
    page.fill_login_form("alice", PASSWORDS["alice"])
    page.wait_popup_closed()

    page.wait_for_dialog(ACCOUNT_CHOOSER)
    page.select_account(0)
    result = page.result()
    assert result["status"] == "ok", result
    assert verify_token(result["token"], nonce="n-expired")["sub"] == str(alice.pk)
    assert Grant.objects.filter(user=alice, relying_party=e2e_rp).count() == 1


@pytest.mark.checklist(19)
@pytest.mark.parametrize(
    ("hint", "signed_in_as"),
    [
        ({"loginHint": "alice@example.com"}, "alice"),
        ({"loginHint": "bob"}, "bob"),
        ({"domainHint": "example.com"}, "alice"),
        ({"domainHint": "example.org"}, "bob"),
    ],
    ids=["loginHint-email", "loginHint-username", "domainHint-com", "domainHint-org"],
)
def test_hint_matching_the_account_lists_it(
    hint: dict[str, str],
    signed_in_as: str,
    signed_in: Callable[[str], Any],
    rp_page: Callable[..., Browser],
    verify_token: Callable[..., dict[str, Any]],
) -> None:
    user = signed_in(signed_in_as)
    page = rp_page(nonce="n-hint", **hint)
    page.wait_for_dialog(ACCOUNT_CHOOSER)
    assert page.account_ids() == [str(user.pk)]
    page.select_account(0)
    result = page.result()
    assert result["status"] == "ok", result
    assert verify_token(result["token"], nonce="n-hint")["sub"] == str(user.pk)


@pytest.mark.checklist(19)
@pytest.mark.parametrize(
    ("hint", "signed_in_as"),
    [
        ({"loginHint": "bob@example.org"}, "alice"),
        ({"domainHint": "example.com"}, "bob"),
    ],
    ids=["loginHint", "domainHint"],
)
def test_hint_matching_no_account_asks_to_sign_in_to_the_idp(
    hint: dict[str, str],
    signed_in_as: str,
    signed_in: Callable[[str], Any],
    rp_page: Callable[..., Browser],
    request_log: list[str],
) -> None:
    """The filter removes the only signed-in account: no chooser, Chromium's
    "sign in to the IdP" dialog instead; cancelled, the RP gets NetworkError
    and nothing was asked of the id assertion endpoint."""
    signed_in(signed_in_as)
    page = rp_page(nonce="n-hint", **hint)
    page.wait_for_dialog(CONFIRM_IDP_LOGIN)
    page.driver.fedcm.dismiss()
    result = page.result()
    assert result == {**result, "status": "error", "name": "NetworkError"}
    assert "/fedcm/accounts" in request_log
    assert "/fedcm/assertion" not in request_log
