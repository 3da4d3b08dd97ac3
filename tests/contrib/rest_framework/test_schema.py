"""The OpenAPI schema: renders with DRF's generator, lists every endpoint."""

from __future__ import annotations

import warnings
from typing import Any

import pytest
from rest_framework.test import APIClient

from .conftest import API

EXPECTED = {
    "/fedcm/api/relying-parties/": {"get", "post"},
    "/fedcm/api/relying-parties/{id}/": {"get", "put", "patch"},
    "/fedcm/api/relying-parties/{id}/disable/": {"post"},
    "/fedcm/api/relying-parties/{id}/enable/": {"post"},
    "/fedcm/api/signing-keys/": {"get"},
    "/fedcm/api/signing-keys/{kid}/": {"get"},
    "/fedcm/api/signing-keys/rotate/": {"post"},
    "/fedcm/api/me/connected-apps/": {"get"},
    "/fedcm/api/me/connected-apps/{id}/": {"get", "delete"},
}


def get_schema(client: APIClient) -> Any:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        response = client.get(API + "schema/")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.oai.openapi+json")
    assert [str(w.message) for w in caught] == []
    return response.json()


def test_schema_lists_every_endpoint_without_warnings(db: None) -> None:
    schema = get_schema(APIClient())
    assert schema["openapi"].startswith("3.")
    assert schema["info"]["title"] == "django-fedcm API"
    assert {path: set(ops) for path, ops in schema["paths"].items()} == EXPECTED


def test_schema_operation_ids_are_unique_and_named(db: None) -> None:
    schema = get_schema(APIClient())
    ids = [op["operationId"] for ops in schema["paths"].values() for op in ops.values()]
    assert len(ids) == len(set(ids))
    assert {
        "listRelyingParties",
        "createRelyingParty",
        "disableRelyingParty",
        "rotateSigningKey",
        "listConnectedApps",
        "destroyConnectedApp",
    } <= set(ids)


def test_schema_describes_relying_party_fields(db: None) -> None:
    schema = get_schema(APIClient())
    component = schema["components"]["schemas"]["RelyingParty"]
    assert set(component["required"]) == {"name", "origins"}
    assert component["properties"]["client_secret"]["readOnly"] is True
    assert component["properties"]["origins"]["maxItems"] == 100
    assert component["properties"]["redirect_uris"]["maxItems"] == 100
    assert component["properties"]["origins"]["type"] == "array"
    rotate = schema["components"]["schemas"]["Rotate"]["properties"]["algorithm"]
    assert rotate["enum"] == ["RS256", "ES256", "EdDSA"]


def test_schema_only_lists_this_apps_views(db: None, settings: Any) -> None:
    # Other DRF views in the project (the browsable API root) are not part of it.
    schema = get_schema(APIClient())
    assert all(path.startswith("/fedcm/api/") for path in schema["paths"])
    assert "/fedcm/api/" not in schema["paths"]


def test_schema_describes_action_responses(db: None) -> None:
    paths = get_schema(APIClient())["paths"]
    disable = paths["/fedcm/api/relying-parties/{id}/disable/"]["post"]["responses"]
    assert set(disable) == {"200"}
    assert disable["200"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/RelyingParty"
    }
    rotate = paths["/fedcm/api/signing-keys/rotate/"]["post"]["responses"]
    assert set(rotate) == {"201"}
    assert rotate["201"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/Rotation"
    }
    assert "201" in paths["/fedcm/api/relying-parties/"]["post"]["responses"]


@pytest.mark.parametrize(
    ("accept", "content_type"),
    [
        ("application/json", "application/json"),
        ("application/vnd.oai.openapi+json", "application/vnd.oai.openapi+json"),
        ("*/*", "application/vnd.oai.openapi+json"),
        (None, "application/vnd.oai.openapi+json"),
    ],
)
def test_schema_is_served_for_application_json_too(
    db: None, accept: str | None, content_type: str
) -> None:
    extra: dict[str, Any] = {"HTTP_ACCEPT": accept} if accept else {}
    response = APIClient().get(API + "schema/", **extra)
    assert response.status_code == 200
    assert response["Content-Type"].split(";")[0] == content_type
    assert response.json() == get_schema(APIClient())


def test_schema_refuses_a_type_it_cannot_render(db: None) -> None:
    response = APIClient().get(API + "schema/", HTTP_ACCEPT="application/yaml")
    assert response.status_code == 406
    assert response["Content-Type"] == "application/json"
