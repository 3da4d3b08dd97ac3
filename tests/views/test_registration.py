"""The IdP registration page (``FEDCM_IDP_REGISTRATION_ENABLED``) and the
config file's ``types``."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

URL = "/fedcm/register"


@pytest.fixture
def enabled(settings: Any) -> Any:
    settings.FEDCM_IDP_REGISTRATION_ENABLED = True
    return settings


def test_url_name() -> None:
    assert reverse("django_fedcm:idp_registration") == URL


@pytest.mark.django_db
def test_off_by_default_the_page_does_not_exist(
    client: Client, fedcm_make_user: Callable[..., Any]
) -> None:
    client.force_login(fedcm_make_user("alice"))
    assert client.get(URL).status_code == 404


@pytest.mark.django_db
@pytest.mark.parametrize("value", ["yes", 1, "True", None])
def test_only_true_turns_it_on(client: Client, settings: Any, value: Any) -> None:
    settings.FEDCM_IDP_REGISTRATION_ENABLED = value
    assert client.get(URL).status_code == 404


@pytest.mark.django_db
def test_anonymous_visitor_is_sent_to_the_login_page(client: Client, enabled: Any) -> None:
    response = client.get(URL)
    assert response.status_code == 302
    assert "next=/fedcm/register" in response["Location"]


@pytest.mark.django_db
def test_signed_in_user_gets_the_button_with_the_config_url_and_account(
    client: Client, enabled: Any, fedcm_make_user: Callable[..., Any]
) -> None:
    alice = fedcm_make_user("alice", email="alice@example.com")
    client.force_login(alice)
    response = client.get(URL)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-config-url="https://idp.test/fedcm/config.json"' in html
    assert "django_fedcm/registration.js" in html
    assert 'id="fedcm-registration-status"' in html
    assert response["X-Frame-Options"] == "DENY"
    assert "no-cache" in response["Cache-Control"]
    [account] = response.context["accounts"]
    assert account["id"] == str(alice.pk)
    assert account["email"] == "alice@example.com"
    # The account is handed to the page as inert JSON, not markup.
    start = html.index('id="fedcm-registration-accounts"')
    payload = html[html.index(">", start) + 1 : html.index("</script>", start)]
    assert json.loads(payload)[0]["id"] == str(alice.pk)


@pytest.mark.django_db
def test_a_disabled_account_hands_nothing_to_the_browser(
    client: Client, enabled: Any, fedcm_make_user: Callable[..., Any], monkeypatch: Any
) -> None:
    from django_fedcm.adapter import get_adapter

    client.force_login(fedcm_make_user("alice"))
    monkeypatch.setattr(type(get_adapter()), "is_account_enabled", lambda *a: False)
    response = client.get(URL)
    assert response.status_code == 200
    assert response.context["accounts"] == []


@pytest.mark.django_db
def test_markup_in_the_username_is_escaped(
    client: Client, enabled: Any, fedcm_make_user: Callable[..., Any]
) -> None:
    client.force_login(fedcm_make_user("<b>x</b>"))
    html = client.get(URL).content.decode()
    assert "<b>x</b>" not in html
    assert "&lt;b&gt;x&lt;/b&gt;" in html


@pytest.mark.django_db
@pytest.mark.parametrize("method", ["post", "put", "delete"])
def test_only_safe_methods(
    client: Client, enabled: Any, fedcm_make_user: Callable[..., Any], method: str
) -> None:
    client.force_login(fedcm_make_user("alice"))
    assert getattr(client, method)(URL).status_code == 405


# ------------------------------------------------------------ the config's types


def config(client: Client, path: str = "/fedcm/config.json") -> dict[str, Any]:
    response = client.get(path)
    assert response.status_code == 200
    return dict(response.json())


def test_config_lists_the_types_while_registration_is_on(client: Client, enabled: Any) -> None:
    enabled.FEDCM_IDP_REGISTRATION_TYPES = ["indieauth", "staff"]
    assert config(client)["types"] == ["indieauth", "staff"]


def test_named_configs_list_the_types_too(client: Client, enabled: Any) -> None:
    enabled.FEDCM_IDP_REGISTRATION_TYPES = ("staff",)
    enabled.FEDCM_CONFIGS = {"work": {"account_label": "work"}}
    assert config(client, "/fedcm/config/work.json")["types"] == ["staff"]


def test_no_types_while_registration_is_off(client: Client, settings: Any) -> None:
    settings.FEDCM_IDP_REGISTRATION_TYPES = ["staff"]
    assert "types" not in config(client)


def test_no_types_key_without_types(client: Client, enabled: Any) -> None:
    assert "types" not in config(client)


@pytest.mark.parametrize(
    ("value", "served"),
    [
        ("staff", None),
        (None, None),
        (["staff", 3, "", None, "other"], ["staff", "other"]),
        ([], None),
    ],
)
def test_malformed_types_are_left_out(
    client: Client, enabled: Any, value: Any, served: list[str] | None
) -> None:
    enabled.FEDCM_IDP_REGISTRATION_TYPES = value
    assert config(client).get("types") == served
