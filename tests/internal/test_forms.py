"""internal/forms.py: the request form, read once and never raising."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

import pytest
from django.test import RequestFactory

from django_fedcm.internal.forms import form_data, form_value

URLENCODED = "application/x-www-form-urlencoded"


def post(data: dict[str, str], **extra: Any) -> Any:
    return RequestFactory().post("/fedcm/assertion", urlencode(data), URLENCODED, **extra)


def test_post_reads_the_body_and_get_the_query_string() -> None:
    assert form_value(post({"client_id": "rp"}), "client_id") == "rp"
    request = RequestFactory().get("/fedcm/client_metadata", {"client_id": "rp"})
    assert form_data(request) is request.GET
    assert form_value(request, "client_id") == "rp"


def test_a_query_string_on_a_post_is_not_the_form() -> None:
    request = RequestFactory().post("/fedcm/assertion?client_id=rp", "", URLENCODED)
    assert form_value(request, "client_id") is None


@pytest.mark.parametrize(
    ("setting", "value", "body"),
    [
        ("DATA_UPLOAD_MAX_MEMORY_SIZE", 10, {"client_id": "rp", "pad": "x" * 100}),
        ("DATA_UPLOAD_MAX_NUMBER_FIELDS", 2, {f"f{n}": "x" for n in range(5)}),
    ],
)
def test_a_body_django_refuses_is_none_and_stays_none(
    settings: Any, setting: str, value: int, body: dict[str, str]
) -> None:
    setattr(settings, setting, value)
    request = post(body)
    assert form_data(request) is None
    # Django leaves an empty request.POST behind after the error; the memo
    # keeps the answer "broken" instead of "no fields".
    assert form_data(request) is None
    assert form_value(request, "client_id") is None


def test_a_multipart_body_without_boundary_is_none() -> None:
    request = RequestFactory().post("/fedcm/assertion", b"x", content_type="multipart/form-data")
    assert form_data(request) is None


def test_a_urlencoded_body_in_another_charset_is_none() -> None:
    request = RequestFactory().post(
        "/fedcm/assertion", b"client_id=rp", content_type=f"{URLENCODED}; charset=latin-1"
    )
    assert form_data(request) is None


def test_the_form_is_parsed_once(monkeypatch: pytest.MonkeyPatch) -> None:
    request = post({"client_id": "rp", "account_id": "1"})
    first = form_data(request)
    monkeypatch.setattr(type(request), "POST", property(lambda _: pytest.fail("parsed twice")))
    assert form_data(request) is first
    assert form_value(request, "account_id") == "1"


@pytest.mark.parametrize("body", [{}, {"client_id": ""}])
def test_an_absent_or_empty_field_is_none(body: dict[str, str]) -> None:
    assert form_value(post(body), "client_id") is None
