"""Request bodies: JSON only, bounded in depth and size, every failure a JSON 400."""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from typing import Any

import pytest
from rest_framework.exceptions import ParseError
from rest_framework.test import APIClient

from django_fedcm.contrib.rest_framework.parsers import (
    MAX_JSON_DEPTH,
    BoundedJSONParser,
    too_deep,
)
from django_fedcm.models import Grant, RelyingParty

from .conftest import API

DEEP = "[" * 1000


def nested(depth: int) -> str:
    return "[" * depth + "]" * depth


def routes(rp: RelyingParty, grant: Grant) -> list[tuple[str, str]]:
    """Every route of the API, with each method that may carry a body."""
    return [
        ("post", API + "relying-parties/"),
        ("put", f"{API}relying-parties/{rp.pk}/"),
        ("patch", f"{API}relying-parties/{rp.pk}/"),
        ("post", f"{API}relying-parties/{rp.pk}/disable/"),
        ("post", f"{API}relying-parties/{rp.pk}/enable/"),
        ("post", API + "signing-keys/rotate/"),
        ("post", API + "signing-keys/"),
        ("delete", f"{API}me/connected-apps/{grant.pk}/"),
        ("post", API + "me/connected-apps/"),
        ("post", API + "schema/"),
        ("post", API),
    ]


def assert_parse_error(response: Any, where: str) -> None:
    assert response.status_code == 400, (where, response.status_code)
    assert response["Content-Type"] == "application/json", where
    assert response.json()["detail"].startswith("JSON parse error"), where


def send(client: APIClient, method: str, url: str, body: str, **extra: Any) -> Any:
    return getattr(client, method)(url, body, content_type="application/json", **extra)


def test_a_deeply_nested_body_is_400_on_every_route_for_any_signed_in_user(
    fedcm_api: Callable[..., APIClient],
    fedcm_user: Any,
    fedcm_superuser: Any,
    fedcm_rp: RelyingParty,
    fedcm_make_grant: Callable[..., Grant],
) -> None:
    grant = fedcm_make_grant(fedcm_user, fedcm_rp)
    # With a CSRF cookie and no token header, session authentication's CSRF
    # check reads a POST body before any permission is checked.
    user = fedcm_api(fedcm_user, csrf=True)
    user.get(API, HTTP_ACCEPT="text/html")  # the browsable API sets the cookie
    assert "csrftoken" in user.cookies
    for method, url in routes(fedcm_rp, grant):
        response = send(user, method, url, DEEP)
        if method == "post":
            assert_parse_error(response, f"{method} {url}")
        else:
            assert response.status_code == 403, (method, url)  # CSRF, body unread
    # A superuser (no CSRF enforced here) reaches every handler.
    admin = fedcm_api(fedcm_superuser)
    for method, url in routes(fedcm_rp, grant):
        response = send(admin, method, url, DEEP)
        if method == "delete":
            assert response.status_code == 404, url  # reads no body; not the admin's grant
        elif response.status_code != 405:  # 405: refused before the body is read
            assert_parse_error(response, f"{method} {url}")
    assert Grant.objects.filter(pk=grant.pk).exists()


def test_nesting_past_the_limit_is_refused_and_up_to_it_is_parsed(
    fedcm_admin_api: APIClient,
) -> None:
    too_deep = send(
        fedcm_admin_api, "post", API + "signing-keys/rotate/", nested(MAX_JSON_DEPTH + 1)
    )
    assert_parse_error(too_deep, "depth limit + 1")
    assert str(MAX_JSON_DEPTH) in too_deep.json()["detail"]
    # Parsed, then refused by the serializer as any other non-object body.
    at_limit = send(fedcm_admin_api, "post", API + "signing-keys/rotate/", nested(MAX_JSON_DEPTH))
    assert at_limit.status_code == 400
    assert "non_field_errors" in at_limit.json()


@pytest.mark.parametrize(
    ("text", "depth"),
    [
        ("1", 0),
        ('"[[[[["', 0),  # brackets in a string are text
        ('"\\"[[[["', 0),  # ... after an escaped quote too
        ("[]", 1),
        ('{"origins": ["https://a.test"]}', 2),
        ('[1, [2, [3]], {"a": {"b": []}}]', 4),
        ('{"a": "]]", "b": [[{"c": "[[["}]]}', 4),
        (nested(MAX_JSON_DEPTH), MAX_JSON_DEPTH),
    ],
)
def test_too_deep_counts_levels_outside_strings(text: str, depth: int) -> None:
    assert json.loads(text) is not None
    assert not too_deep(text, depth)
    assert too_deep(text, depth - 1) == (depth > 0)


def test_too_deep_leaves_unbalanced_bodies_to_the_parser() -> None:
    assert not too_deep("[[[", 2)
    assert too_deep("[" * 30 + "]" * 29, 20)


def parse(body: bytes, **context: Any) -> Any:
    return BoundedJSONParser().parse(io.BytesIO(body), "application/json", context)


def test_parser_reads_json() -> None:
    assert parse(b'{"name": "Shop", "n": [1, 2.5, null, true]}') == {
        "name": "Shop",
        "n": [1, 2.5, None, True],
    }
    assert parse('{"name": "Café"}'.encode("latin-1"), encoding="latin-1") == {"name": "Café"}


@pytest.mark.parametrize(
    ("body", "context"),
    [
        (b"", {}),
        (b"{", {}),
        (b'{"a": NaN}', {}),  # not JSON (DRF's STRICT_JSON)
        (b'"\xff"', {}),  # not UTF-8
        (DEEP.encode(), {}),  # unbalanced: the parser's own recursion
        (nested(1000).encode(), {}),
        (b"{}", {"encoding": "bz2_codec"}),  # not a text encoding
        (b"{}", {"encoding": "no-such-charset"}),
    ],
)
def test_parser_refuses_with_parse_error(body: bytes, context: dict[str, Any]) -> None:
    with pytest.raises(ParseError):
        parse(body, **context)


# --------------------------------------------------------------------------- size


def test_a_body_over_the_upload_limit_is_the_json_400(
    fedcm_api: Callable[..., APIClient],
    fedcm_user: Any,
    fedcm_admin_api: APIClient,
    fedcm_rp: RelyingParty,
    settings: Any,
) -> None:
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 100
    big = json.dumps({"name": "x" * 200, "origins": ["https://shop.test"]})
    user = fedcm_api(fedcm_user, csrf=True)
    user.get(API, HTTP_ACCEPT="text/html")  # CSRF cookie: authentication reads the body
    for client, method, url, accept in (
        (fedcm_admin_api, "post", API + "relying-parties/", "application/json"),
        (fedcm_admin_api, "patch", f"{API}relying-parties/{fedcm_rp.pk}/", "application/json"),
        (fedcm_admin_api, "post", API + "relying-parties/", "text/html"),
        (user, "post", API + "relying-parties/", "application/json"),
    ):
        response = send(client, method, url, big, HTTP_ACCEPT=accept)
        assert response.status_code == 400, (method, url, accept)
        if accept == "application/json":
            assert response.json() == {
                "detail": "Request body exceeded the size limit (100 bytes)."
            }
    assert RelyingParty.objects.count() == 1
    fedcm_rp.application.refresh_from_db()
    assert fedcm_rp.application.name == "Demo RP"


def test_a_body_at_the_upload_limit_is_read(fedcm_admin_api: APIClient, settings: Any) -> None:
    body = json.dumps({"name": "Shop", "origins": ["https://shop.test"]})
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = len(body)
    assert send(fedcm_admin_api, "post", API + "relying-parties/", body).status_code == 201


class Unreadable(io.BytesIO):
    def read(self, size: int | None = -1) -> bytes:
        raise AssertionError("read a body whose declared length is over the limit")


def test_parser_refuses_a_declared_length_over_the_limit_unread(settings: Any) -> None:
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10
    request = type("Request", (), {"META": {"CONTENT_LENGTH": "11"}})()
    with pytest.raises(ParseError, match="size limit"):
        BoundedJSONParser().parse(Unreadable(), "application/json", {"request": request})


@pytest.mark.parametrize("declared", [None, "", "not a number", "2"])
def test_parser_counts_what_it_reads_whatever_the_declared_length(
    settings: Any, declared: str | None
) -> None:
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10
    request = type("Request", (), {"META": {"CONTENT_LENGTH": declared}})()
    with pytest.raises(ParseError, match="size limit"):
        parse(b'{"a": "0123456789"}', request=request)
    assert parse(b'{"a": 1}', request=request) == {"a": 1}


def test_parser_without_an_upload_limit_reads_everything(settings: Any) -> None:
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = None
    assert parse(json.dumps({"a": "x" * 5_000_000}).encode())["a"] == "x" * 5_000_000
