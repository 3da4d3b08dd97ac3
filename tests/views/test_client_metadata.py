"""views/client_metadata.py: the client metadata endpoint
(https://w3c-fedid.github.io/FedCM/#idp-api-client-id-metadata-endpoint)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

pytestmark = pytest.mark.django_db

RP_ORIGIN = "https://rp.test"


@pytest.fixture
def metadata(fedcm_get: Callable[..., Any]) -> Callable[..., Any]:
    """GET the endpoint the way Chrome does: no cookies, ``Origin`` of the RP."""

    def get(client_id: str = "rp-client", origin: str | None = RP_ORIGIN, **params: str) -> Any:
        headers = {"HTTP_ORIGIN": origin} if origin else {}
        return fedcm_get("client_metadata", data={"client_id": client_id, **params}, **headers)

    return get


@pytest.mark.checklist(22, 61)
def test_client_metadata_returns_the_clients_links(
    metadata: Callable[..., Any], fedcm_rp: Any, django_assert_num_queries: Any
) -> None:
    with django_assert_num_queries(1):
        response = metadata()
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response.json() == {
        "privacy_policy_url": "https://rp.test/privacy",
        "terms_of_service_url": "https://rp.test/terms",
    }
    assert "origin" in response["Vary"].lower()


@pytest.mark.checklist(22)
def test_client_metadata_includes_the_icon_and_omits_empty_links(
    metadata: Callable[..., Any], fedcm_make_rp: Callable[..., Any]
) -> None:
    fedcm_make_rp(
        privacy_policy_url="",
        terms_of_service_url="",
        icon_url="https://rp.test/icon.png",
        icon_size=64,
    )
    assert metadata().json() == {"icons": [{"url": "https://rp.test/icon.png", "size": 64}]}


@pytest.mark.checklist(23)
@pytest.mark.parametrize("origin", [None, "https://evil.test", "https://rp.test/", "null"])
def test_client_metadata_says_nothing_to_an_unregistered_origin(
    metadata: Callable[..., Any], fedcm_rp: Any, origin: str | None
) -> None:
    response = metadata(origin=origin)
    assert response.status_code == 404
    assert response.json() == {}


@pytest.mark.checklist(23)
def test_client_metadata_says_nothing_about_another_client(
    metadata: Callable[..., Any], fedcm_make_rp: Callable[..., Any]
) -> None:
    fedcm_make_rp("rp-client", RP_ORIGIN)
    fedcm_make_rp("other-client", "https://other.test", privacy_policy_url="https://other.test/p")
    response = metadata("other-client", origin=RP_ORIGIN)
    assert response.status_code == 404
    assert b"other.test" not in response.content


@pytest.mark.checklist(23)
def test_client_metadata_of_a_disabled_client_is_404(
    metadata: Callable[..., Any], fedcm_make_rp: Callable[..., Any]
) -> None:
    fedcm_make_rp(enabled=False)
    assert metadata().status_code == 404


@pytest.mark.checklist(23)
@pytest.mark.parametrize("client_id", ["no-such-client", "", "x" * 300, "rp-\x00client"])
def test_client_metadata_of_an_unknown_client_is_404(
    metadata: Callable[..., Any], fedcm_rp: Any, client_id: str
) -> None:
    assert metadata(client_id).status_code == 404


@pytest.mark.checklist(24)
@pytest.mark.parametrize("param", ["top_frame_origin", "top_level_origin"])
@pytest.mark.parametrize(
    ("third_party", "top", "expected"),
    [
        (True, "https://news.test", True),
        (True, RP_ORIGIN, False),
        (True, "https://RP.test:443", False),
        (True, "not an origin", True),
        (False, "https://news.test", False),
    ],
)
def test_client_metadata_reports_third_party_embedding(
    metadata: Callable[..., Any],
    fedcm_make_rp: Callable[..., Any],
    param: str,
    third_party: bool,
    top: str,
    expected: bool,
) -> None:
    fedcm_make_rp(client_is_third_party=third_party)
    body = metadata(**{param: top}).json()
    assert body["client_is_third_party_to_top_frame_origin"] is expected


@pytest.mark.checklist(24)
def test_client_metadata_omits_third_party_flag_without_top_frame(
    metadata: Callable[..., Any], fedcm_make_rp: Callable[..., Any]
) -> None:
    fedcm_make_rp(client_is_third_party=True)
    assert "client_is_third_party_to_top_frame_origin" not in metadata().json()


@pytest.mark.checklist(65)
def test_client_metadata_does_not_require_sec_fetch_dest(client: Any, fedcm_rp: Any) -> None:
    response = client.get(
        "/fedcm/client_metadata",
        {"client_id": "rp-client"},
        secure=True,
        HTTP_HOST="idp.test",
        HTTP_ORIGIN=RP_ORIGIN,
    )
    assert response.status_code == 200


def test_client_metadata_is_not_cached(metadata: Callable[..., Any], fedcm_rp: Any) -> None:
    assert metadata()["Cache-Control"] == "no-store"


def test_client_metadata_ignores_cookies(
    metadata: Callable[..., Any], fedcm_rp: Any, fedcm_signed_in: Any
) -> None:
    response = metadata()
    assert response.status_code == 200
    assert "Set-Login" not in response
    assert "cookie" not in response["Vary"].lower()
