"""views/picture.py: account pictures
(https://w3c-fedid.github.io/FedCM/#fetch-the-account-picture)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from django_fedcm.adapter import DefaultFedCMAdapter

pytestmark = pytest.mark.django_db

JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 16
GIF = b"GIF89a\x01\x00\x01\x00" + b"\x00" * 16
WEBP = b"RIFF\x24\x00\x00\x00WEBPVP8 " + b"\x00" * 16


class PrefixedIdAdapter(DefaultFedCMAdapter):
    def get_account_id(self, user: Any) -> str:
        return f"user-{user.pk}"


def body(response: Any) -> bytes:
    return b"".join(response.streaming_content)


@pytest.mark.checklist(20)
def test_picture_is_served_as_png_without_cookies_regardless_of_accept(
    fedcm_get: Callable[..., Any],
    fedcm_user: Any,
    fedcm_set_picture: Callable[..., Any],
    fedcm_png: bytes,
    django_assert_num_queries: Any,
) -> None:
    fedcm_set_picture(fedcm_user, fedcm_png)
    # Chrome sends Accept: application/json and Sec-Fetch-Dest: webidentity.
    with django_assert_num_queries(1):
        response = fedcm_get("picture", str(fedcm_user.pk), HTTP_ACCEPT="application/json")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert body(response) == fedcm_png
    assert "Location" not in response
    assert "accept" not in response.get("Vary", "").lower()
    assert "Content-Disposition" not in response
    assert response["X-Content-Type-Options"] == "nosniff"


@pytest.mark.checklist(19, 20)
def test_picture_url_from_the_accounts_endpoint_is_fetchable_without_cookies(
    client: Any,
    fedcm_get: Callable[..., Any],
    fedcm_signed_in: Any,
    fedcm_set_picture: Callable[..., Any],
    fedcm_png: bytes,
) -> None:
    fedcm_set_picture(fedcm_signed_in, fedcm_png)
    picture_url = fedcm_get("accounts").json()["accounts"][0]["picture"]
    client.logout()
    response = client.get(picture_url, secure=True, HTTP_HOST="idp.test")
    assert response.status_code == 200
    assert body(response) == fedcm_png


@pytest.mark.checklist(20)
@pytest.mark.parametrize(
    ("content", "content_type"),
    [(JPEG, "image/jpeg"), (GIF, "image/gif"), (WEBP, "image/webp")],
)
def test_picture_content_type_comes_from_the_bytes_not_the_name(
    fedcm_get: Callable[..., Any],
    fedcm_user: Any,
    fedcm_set_picture: Callable[..., Any],
    content: bytes,
    content_type: str,
) -> None:
    fedcm_set_picture(fedcm_user, content, name="picture.png")
    response = fedcm_get("picture", str(fedcm_user.pk))
    assert response["Content-Type"] == content_type


@pytest.mark.parametrize(
    "content",
    [
        b"<html><script>alert(1)</script></html>",
        b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
        b"RIFF\x24\x00\x00\x00WAVEfmt ",
        b"",
    ],
)
def test_picture_that_is_not_an_image_is_404(
    fedcm_get: Callable[..., Any],
    fedcm_user: Any,
    fedcm_set_picture: Callable[..., Any],
    content: bytes,
) -> None:
    fedcm_set_picture(fedcm_user, content, name="evil.png")
    response = fedcm_get("picture", str(fedcm_user.pk))
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"


@pytest.mark.parametrize("account_id", ["999999", "not-a-number", "1.5", "-1", "9" * 30, "\x00"])
def test_picture_of_an_unknown_account_is_404(
    fedcm_get: Callable[..., Any], account_id: str
) -> None:
    assert fedcm_get("picture", account_id).status_code == 404


def test_picture_of_an_account_without_picture_is_404(
    fedcm_get: Callable[..., Any], fedcm_make_user: Callable[..., Any]
) -> None:
    with_profile = fedcm_make_user("dave", login_hints=["dave"])
    assert fedcm_get("picture", str(with_profile.pk)).status_code == 404


def test_picture_whose_file_is_gone_is_404(
    fedcm_get: Callable[..., Any],
    fedcm_user: Any,
    fedcm_set_picture: Callable[..., Any],
    fedcm_media: Path,
) -> None:
    profile = fedcm_set_picture(fedcm_user)
    Path(profile.picture.path).unlink()
    assert fedcm_get("picture", str(fedcm_user.pk)).status_code == 404


def test_picture_of_an_inactive_account_is_404(
    fedcm_get: Callable[..., Any], fedcm_user: Any, fedcm_set_picture: Callable[..., Any]
) -> None:
    fedcm_set_picture(fedcm_user)
    fedcm_user.is_active = False
    fedcm_user.save()
    assert fedcm_get("picture", str(fedcm_user.pk)).status_code == 404


def test_picture_is_not_served_when_the_adapter_ids_differ(
    fedcm_get: Callable[..., Any],
    fedcm_user: Any,
    fedcm_set_picture: Callable[..., Any],
    settings: Any,
) -> None:
    fedcm_set_picture(fedcm_user)
    settings.FEDCM_ADAPTER = "tests.views.test_picture.PrefixedIdAdapter"
    assert fedcm_get("picture", str(fedcm_user.pk)).status_code == 404


def test_picture_refuses_post(client: Any, fedcm_user: Any) -> None:
    response = client.post(f"/fedcm/picture/{fedcm_user.pk}", secure=True)
    assert response.status_code == 405
