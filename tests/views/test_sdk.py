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


@pytest.mark.skipif(
    subprocess.run(["which", "node"], capture_output=True).returncode != 0,
    reason="node not installed",
)
def test_sdk_is_valid_javascript() -> None:
    result = subprocess.run(["node", "--check", str(sdk.SDK_FILE)], capture_output=True, timeout=30)
    assert result.returncode == 0, result.stderr.decode()


# --------------------------------------------------------------------------- SDK logic (node)

# sdk_harness.js runs sdk.js in a node vm with a fake browser (window,
# navigator, storage, location, fetch) and reports what each scenario did. Real-browser behaviour
# is proven in tests/e2e/test_sdk.py; this covers the decision branches.
NODE_HARNESS = Path(__file__).with_name("sdk_harness.js")


@pytest.fixture(scope="module")
def sdk_run() -> dict[str, Any]:
    if subprocess.run(["which", "node"], capture_output=True).returncode != 0:
        pytest.skip("node not installed")
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
