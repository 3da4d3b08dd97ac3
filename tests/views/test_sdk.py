"""``/fedcm/sdk.js`` (django_fedcm.views.sdk): served byte for byte, versioned,
with the integrity hash the docs publish."""

from __future__ import annotations

import base64
import hashlib
import json
import re
import subprocess
import urllib.parse
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from django_fedcm.views import sdk
from tests.machine import require_program

DOCS = Path(__file__).resolve().parents[2] / "docs" / "rp-integration.md"


def get(client: Client, query: str = "") -> Any:
    return client.get(f"/fedcm/sdk.js{query}", secure=True, HTTP_HOST="idp.test")


def test_serves_the_static_file_for_cross_origin_script_tags(
    db: None, client: Client, django_assert_num_queries: Any
) -> None:
    with django_assert_num_queries(0):
        response = get(client)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/javascript; charset=utf-8"
    assert response.content == sdk.SDK_FILE.read_bytes()
    assert response["Access-Control-Allow-Origin"] == "*"  # SRI needs CORS cross-origin
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["ETag"] == f'"{sdk.sdk_version()}"'


def test_current_version_is_cached_for_a_year_anything_else_briefly(client: Client) -> None:
    assert get(client, f"?v={sdk.sdk_version()}")["Cache-Control"] == sdk.LONG_CACHE
    assert get(client)["Cache-Control"] == sdk.SHORT_CACHE
    assert get(client, "?v=0000")["Cache-Control"] == sdk.SHORT_CACHE


def test_integrity_is_the_sha384_of_the_served_bytes(client: Client) -> None:
    digest = hashlib.sha384(get(client).content).digest()
    assert sdk.sdk_integrity() == "sha384-" + base64.b64encode(digest).decode()


def test_documented_integrity_and_version_match_the_file() -> None:
    """Change sdk.js → update docs/rp-integration.md (this test says the values)."""
    text = DOCS.read_text()
    assert sdk.sdk_integrity() in text, f"docs need integrity={sdk.sdk_integrity()}"
    assert f"sdk.js?v={sdk.sdk_version()}" in text, f"docs need v={sdk.sdk_version()}"
    assert len(set(re.findall(r"sha384-[A-Za-z0-9+/=]+", text))) == 1  # no stale hash


def test_sdk_url_is_absolute_and_versioned(settings: Any) -> None:
    assert sdk.sdk_url() == f"https://idp.test/fedcm/sdk.js?v={sdk.sdk_version()}"


def test_only_safe_methods(client: Client) -> None:
    assert client.post("/fedcm/sdk.js").status_code == 405


def test_sdk_is_valid_javascript() -> None:
    require_program("node")
    result = subprocess.run(["node", "--check", str(sdk.SDK_FILE)], capture_output=True, timeout=30)
    assert result.returncode == 0, result.stderr.decode()


# --------------------------------------------------------------------------- SDK logic (node)

# sdk_harness.js runs sdk.js in a node vm with a fake browser (window,
# navigator, storage, location, fetch) and reports what each scenario did. Real-browser behaviour
# is proven in tests/e2e/test_sdk.py; this covers the decision branches.
NODE_HARNESS = Path(__file__).with_name("sdk_harness.js")


@pytest.fixture(scope="module")
def sdk_run() -> dict[str, Any]:
    require_program("node")
    result = subprocess.run(
        ["node", str(NODE_HARNESS), str(sdk.SDK_FILE)], capture_output=True, timeout=60
    )
    assert result.returncode == 0, result.stderr.decode()
    data: dict[str, Any] = json.loads(result.stdout)
    return data


def test_sdk_returns_the_fedcm_token(sdk_run: dict[str, Any]) -> None:
    assert sdk_run["fedcm_token"]["ok"] == {
        "flow": "fedcm",
        "token": "id-token",
        "isAutoSelected": False,
        "configURL": "https://idp.test/fedcm/config.json",
    }


def test_sdk_builds_the_fedcm_request_with_nonce_hints_and_pkce(sdk_run: dict[str, Any]) -> None:
    run = sdk_run["fedcm_params_get_nonce_and_pkce"]
    provider = run["provider"]
    assert provider["configURL"] == "https://idp.test/fedcm/config.json"
    assert (provider["clientId"], provider["loginHint"], provider["domainHint"]) == (
        "c",
        "a@x",
        "x",
    )
    params = provider["params"]
    assert params["nonce"] == "n" and params["code_challenge_method"] == "S256"
    verifier = run["result"]["codeVerifier"]
    digest = hashlib.sha256(verifier.encode()).digest()
    assert params["code_challenge"] == base64.urlsafe_b64encode(digest).rstrip(b"=").decode()
    assert run["mode"] == "active" and run["signal"] is True
    assert run["result"]["token"] == "code-1"


def test_sdk_redirect_fallback_carries_state_pkce_and_hints(sdk_run: dict[str, Any]) -> None:
    run = sdk_run["no_fedcm_redirects"]
    assert run["result"]["reason"] == "fedcm_unavailable"
    [url] = run["navigations"]
    query = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(url).query))
    assert url.startswith("https://idp.test/o/authorize/?")
    saved = run["saved"]
    assert query == {
        "response_type": "code",
        "client_id": "c",
        "redirect_uri": "https://rp.test/cb",
        "scope": "openid email",
        "state": saved["state"],
        "code_challenge": base64.urlsafe_b64encode(
            hashlib.sha256(saved["codeVerifier"].encode()).digest()
        )
        .rstrip(b"=")
        .decode(),
        "code_challenge_method": "S256",
        "nonce": "n",
        "login_hint": "a@x",
    }


@pytest.mark.parametrize(
    ("scenario", "expected"),
    [
        ("rejection_redirects", "fedcm_failed"),
        ("null_credential_redirects", "fedcm_failed"),
        ("stalled_fedcm_times_out", "timeout"),
    ],
)
def test_sdk_falls_back_for_each_failure(
    sdk_run: dict[str, Any], scenario: str, expected: str
) -> None:
    assert sdk_run[scenario] == expected


def test_sdk_without_fallback_rejects(sdk_run: dict[str, Any]) -> None:
    assert sdk_run["no_fedcm_no_fallback"]["outcome"]["error"] == "fedcm_unavailable"
    assert sdk_run["no_fedcm_no_fallback"]["navigations"] == []
    assert sdk_run["rejection_without_fallback_rethrows"]["error"] == "NetworkError"
    assert sdk_run["fallback_needs_redirect_uri"]["error"] == "redirect_uri_required"
    assert sdk_run["client_id_required"]["error"] == "TypeError"
    assert sdk_run["disconnect_without_fedcm"]["error"] == "fedcm_unavailable"


def test_sdk_callback_is_single_use_and_checked(sdk_run: dict[str, Any]) -> None:
    first = sdk_run["callback_ok_once"]["first"]
    assert first["code"] == "k" and first["redirectUri"] == "https://rp.test/cb"
    assert first["nonce"] == "n" and len(first["codeVerifier"]) == 43
    assert sdk_run["callback_ok_once"]["second"] == "state_mismatch"
    assert sdk_run["callback_errors"] == [
        "access_denied",
        "issuer_mismatch",
        "invalid_response",
        "state_mismatch",
    ]


def test_sdk_configure_rejects_unknown_options(sdk_run: dict[str, Any]) -> None:
    assert sdk_run["configure_checks_names"] == {
        "timeout": 5,
        "configURL": "https://idp.test/fedcm/config.json",
        "unknown": "TypeError",
    }


# --------------------------------------------------------------------------- keepSignedIn (node)

MINUTE = 60_000


def test_renewal_uses_silent_fedcm_before_exp_and_reports_it(sdk_run: dict[str, Any]) -> None:
    run = sdk_run["renew_fedcm_before_exp"]
    assert run["planned"] == 4 * MINUTE  # exp (5 min) - margin (1 min)
    assert (run["before"], run["gets"]) == (0, 1)
    assert run["mediation"] == "silent"
    assert run["provider"] == {"clientId": "c", "params": {"nonce": "n-1"}, "loginHint": "a@x"}
    assert run["events"] == [
        {
            "type": "fedcm:renewed",
            "at": 4 * MINUTE,
            "method": "fedcm",
            "isAutoSelected": True,
            "expiresIn": 5 * MINUTE,
        }
    ]
    assert run["tokenIsString"]
    # The next silent renewal waits out the browser's ten-minute quiet period.
    assert run["next"] == 4 * MINUTE + 10 * MINUTE + 1000


def test_renewal_of_a_short_token_waits_half_its_life(sdk_run: dict[str, Any]) -> None:
    assert sdk_run["renew_short_token_at_half_life"] == 10_000


def test_renewal_respects_the_quiet_period_after_an_automatic_sign_in(
    sdk_run: dict[str, Any],
) -> None:
    assert sdk_run["renew_waits_for_the_quiet_period_after_auto_sign_in"] == {
        "afterAuto": 10 * MINUTE + 1000,
        "afterChoice": 4 * MINUTE,  # an explicit choice lifts the quiet period
        "recordCleared": True,
        "inMemory": 10 * MINUTE + 1000,  # storage disabled: remembered in the page
        "toldAuto": 10 * MINUTE + 1000,  # keepSignedIn({isAutoSelected}) from the page
        "toldChosen": 4 * MINUTE,
    }


def test_renewal_failures_retry_with_backoff_then_sign_out(sdk_run: dict[str, Any]) -> None:
    run = sdk_run["renew_fedcm_failures_retry_then_sign_out"]
    assert run["gets"] == [4 * MINUTE, 4 * MINUTE + 30_000, 4 * MINUTE + 90_000]
    assert [(e["type"], e.get("attempt"), e.get("retryAt")) for e in run["events"]] == [
        ("fedcm:renewal-failed", 1, 4 * MINUTE + 30_000),
        ("fedcm:renewal-failed", 2, 4 * MINUTE + 90_000),
        ("fedcm:renewal-failed", 3, None),
        ("fedcm:signed-out", None, None),
    ]
    assert run["events"][-1]["reason"] == "renewal_failed"
    assert run["events"][-1]["error"] == "NetworkError"
    assert run["running"] is False


def test_renew_now_inside_the_quiet_period_retries_when_it_ends(sdk_run: dict[str, Any]) -> None:
    run = sdk_run["renew_now_inside_the_quiet_period_retries_after_it"]
    assert run["failed"] == {
        "type": "fedcm:renewal-failed",
        "at": MINUTE,
        "retryAt": 10 * MINUTE + 1000,
    }
    assert run["then"] == [{"type": "fedcm:renewed", "at": 10 * MINUTE + 1000}]
    assert run["gets"] == [MINUTE, 10 * MINUTE + 1000]


def test_an_idp_error_ends_renewal_without_retry(sdk_run: dict[str, Any]) -> None:
    # The IdP refused (e.g. a client that requires user action): asking again
    # would show the user the same error.
    assert sdk_run["renew_idp_error_is_final"] == {
        "gets": 1,
        "events": [
            {"type": "fedcm:renewal-failed", "error": "access_denied", "retryAt": None},
            {"type": "fedcm:signed-out", "error": "access_denied", "reason": "rejected"},
        ],
    }


def test_renewed_token_without_exp_is_a_failure(sdk_run: dict[str, Any]) -> None:
    assert sdk_run["renew_token_without_exp_fails"] == [
        {"type": "fedcm:renewal-failed", "error": "invalid_token"},
        {"type": "fedcm:signed-out", "error": "invalid_token", "reason": "renewal_failed"},
    ]


def test_renewal_through_the_rp_refresh_endpoint(sdk_run: dict[str, Any]) -> None:
    run = sdk_run["renew_refresh_endpoint"]
    assert run["posts"] == [{"at": 4 * MINUTE, "url": "/auth/refresh"}]
    assert (run["method"], run["credentials"], run["body"], run["signal"]) == (
        "POST",
        "same-origin",
        "{}",
        True,
    )
    assert run["headers"] == {
        "Content-Type": "application/json",
        "Accept": "application/json",
        "X-CSRFToken": "csrf",
    }
    [event] = run["events"]
    assert event["type"] == "fedcm:renewed" and event["method"] == "refresh"
    assert (event["token"], event["expiresIn"]) == ("x", 5 * MINUTE)
    assert event["response"]["id_token"] == "x"


def test_refresh_endpoint_answers(sdk_run: dict[str, Any]) -> None:
    runs = sdk_run["renew_refresh_answers"]
    # 401: the RP backend lost the refresh token; no retry.
    assert runs["rejected"]["events"] == [
        {"type": "fedcm:renewal-failed", "error": "invalid_grant", "attempt": 1},
        {"type": "fedcm:signed-out", "error": "invalid_grant", "reason": "rejected"},
    ]
    # 503, then an id_token whose exp schedules the next renewal.
    assert [e["type"] for e in runs["retried"]["events"]] == [
        "fedcm:renewal-failed",
        "fedcm:renewed",
    ]
    status = runs["retried"]["status"]
    assert status["attempt"] == 0 and status["running"] is True
    assert status["expiresAt"] - status["nextRenewalAt"] == MINUTE
    assert [e["error"] for e in runs["unreadable"]["events"]] == [
        "invalid_response",
        "http_502",
        "http_502",
    ]
    assert [e["error"] for e in runs["stalled"]["events"]] == ["timeout", "timeout", "timeout"]
    assert runs["stalled"]["events"][-1]["reason"] == "renewal_failed"


def test_sign_out_and_a_new_session_stop_renewal(sdk_run: dict[str, Any]) -> None:
    assert sdk_run["renew_sign_out_and_replace_stop_the_session"] == {
        "replaced": False,
        "gets": 0,
        "late": None,
        "events": [{"type": "fedcm:signed-out", "reason": "sign_out", "method": "fedcm"}],
    }
    # stop() during a request: the same request is shared, its answer ignored.
    assert sdk_run["renew_stopped_in_flight_is_silent"] == {"gets": 1, "result": None, "events": 0}


def test_a_hidden_tab_renews_when_shown(sdk_run: dict[str, Any]) -> None:
    assert sdk_run["renew_hidden_tab_waits_until_visible"] == {
        "whileHidden": 0,
        "afterShown": [10 * MINUTE + 1000],
        "events": ["fedcm:renewed"],
    }


def test_a_wait_longer_than_one_timer_is_rearmed(sdk_run: dict[str, Any]) -> None:
    assert sdk_run["renew_long_wait_rearms_the_timer"] == {"early": 0, "gets": [57_599]}


def test_keep_signed_in_checks_its_options(sdk_run: dict[str, Any]) -> None:
    assert sdk_run["renew_checks_its_options"] == ["TypeError"] * 5
