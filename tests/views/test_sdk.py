"""``/fedcm/sdk.js`` (django_fedcm.views.sdk): served byte for byte, versioned,
with the integrity hash the docs publish."""

from __future__ import annotations

import base64
import hashlib
import re
import subprocess
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
