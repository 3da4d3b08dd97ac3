"""Returning users: auto re-authentication from ``approved_clients``,
``mediation: "required"``, a client that refuses auto-selection, disconnect."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from django_fedcm.models import Grant
from tests.e2e.harness import ACCOUNT_CHOOSER, Browser

pytestmark = pytest.mark.e2e


def first_sign_in(page: Browser) -> dict[str, Any]:
    """A new user's passive sign-in through the chooser (records the grant
    server-side and the connection in the browser profile)."""
    page.open_rp(nonce="n-first")
    page.wait_for_dialog(ACCOUNT_CHOOSER)
    assert [a["loginState"] for a in page.accounts()] == ["SignUp"]
    page.select_account(0)
    result = page.result()
    assert result["status"] == "ok", result
    return result


@pytest.mark.checklist(18)
def test_returning_user_is_signed_in_automatically(
    signed_in: Callable[[str], Any],
    rp_page: Callable[..., Browser],
    verify_token: Callable[..., dict[str, Any]],
    e2e_rp: Any,
    request_log: list[str],
) -> None:
    alice = signed_in("alice")
    page = rp_page(auto="0")
    first_sign_in(page)
    assert Grant.objects.filter(user=alice, relying_party=e2e_rp).count() == 1

    # approved_clients now names the client: the browser re-authenticates
    # without showing the chooser (is_auto_selected=true).
    request_log.clear()
    page.open_rp(nonce="n-again")
    result = page.result()
    assert result["status"] == "ok", result
    assert result["isAutoSelected"] is True
    assert verify_token(result["token"], nonce="n-again")["sub"] == str(alice.pk)
    assert "/fedcm/assertion" in request_log
    assert Grant.objects.filter(user=alice, relying_party=e2e_rp).count() == 1


@pytest.mark.checklist(18)
def test_mediation_required_shows_the_chooser_to_a_returning_user(
    signed_in: Callable[[str], Any],
    rp_page: Callable[..., Browser],
    verify_token: Callable[..., dict[str, Any]],
) -> None:
    alice = signed_in("alice")
    page = rp_page(auto="0")
    first_sign_in(page)

    page.open_rp(nonce="n-required", mediation="required")
    page.wait_for_dialog(ACCOUNT_CHOOSER)
    # A returning account: "Sign in", no disclosure this time.
    assert [a["loginState"] for a in page.accounts()] == ["SignIn"]
    page.select_account(0)
    result = page.result()
    assert result["status"] == "ok", result
    assert result["isAutoSelected"] is False
    assert verify_token(result["token"], nonce="n-required")["sub"] == str(alice.pk)


@pytest.mark.checklist(39)
def test_client_requiring_user_action_refuses_auto_reauthentication(
    signed_in: Callable[[str], Any],
    rp_page: Callable[..., Browser],
    verify_token: Callable[..., dict[str, Any]],
    e2e_rp: Any,
) -> None:
    e2e_rp.require_user_action = True
    e2e_rp.save()
    alice = signed_in("alice")
    page = rp_page(auto="0")
    first_sign_in(page)  # a click: allowed

    # Auto re-authentication (is_auto_selected=true) is refused with an error
    # the RP can act on ...
    page.open_rp(nonce="n-auto")
    page.dismiss_error_dialog()
    result = page.result()
    assert result["status"] == "error", result
    assert result["name"] == "IdentityCredentialError"
    assert result["error"] == "access_denied"

    # ... by retrying with mediation "required": an explicit choice works.
    page.open_rp(nonce="n-click", mediation="required")
    page.wait_for_dialog(ACCOUNT_CHOOSER)
    page.select_account(0)
    result = page.result()
    assert result["status"] == "ok", result
    assert verify_token(result["token"], nonce="n-click")["sub"] == str(alice.pk)


@pytest.mark.checklist(57, 58)
def test_disconnect_removes_the_grant_and_brings_back_the_disclosure(
    signed_in: Callable[[str], Any],
    rp_page: Callable[..., Browser],
    e2e_rp: Any,
    request_log: list[str],
) -> None:
    alice = signed_in("alice")
    page = rp_page(auto="0")
    first_sign_in(page)
    assert Grant.objects.filter(user=alice, relying_party=e2e_rp).exists()

    page.open_rp(auto="0", accountHint="alice@example.com")
    page.press("disconnect")
    assert page.result("disconnect-result") == {"status": "ok"}
    assert "/fedcm/disconnect" in request_log
    assert not Grant.objects.filter(user=alice, relying_party=e2e_rp).exists()

    # Not a returning user any more: no auto re-authentication, and the
    # chooser shows the disclosure (sign-up) again.
    page.open_rp(nonce="n-after")
    page.wait_for_dialog(ACCOUNT_CHOOSER)
    assert [a["loginState"] for a in page.accounts()] == ["SignUp"]
    page.select_account(0)
    assert page.result()["status"] == "ok"
    assert Grant.objects.filter(user=alice, relying_party=e2e_rp).exists()
