"""django_fedcm.checks.settings: the session cookie, CORS and FEDCM_* values."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.test import override_settings

from django_fedcm import defaults
from django_fedcm.checks import settings as checks


def ids(messages: list[Any]) -> list[str]:
    return [m.id for m in messages]


@pytest.mark.checklist(59)
def test_session_cookie_must_be_samesite_none() -> None:
    with override_settings(SESSION_COOKIE_SAMESITE="Lax"):
        assert ids(checks.check_session_cookie()) == ["django_fedcm.E001"]
    with override_settings(SESSION_COOKIE_SAMESITE=None):  # Python None is not "None"
        assert ids(checks.check_session_cookie()) == ["django_fedcm.E001"]
    assert checks.check_session_cookie() == []


@pytest.mark.checklist(59)
def test_session_cookie_must_be_secure() -> None:
    with override_settings(SESSION_COOKIE_SECURE=False):
        assert ids(checks.check_session_cookie()) == ["django_fedcm.E002"]


def test_cors_credentials_required() -> None:
    assert checks.check_cors() == []
    with override_settings(CORS_ALLOW_CREDENTIALS=False):
        assert ids(checks.check_cors()) == ["django_fedcm.E020"]
    with override_settings(CORS_ALLOW_CREDENTIALS="yes"):
        assert ids(checks.check_cors()) == ["django_fedcm.E020"]


def test_cors_allow_all_origins_warns() -> None:
    with override_settings(CORS_ALLOW_ALL_ORIGINS=True):
        assert ids(checks.check_cors()) == ["django_fedcm.W021"]
    with override_settings(CORS_ORIGIN_ALLOW_ALL=True):  # the old setting name
        assert ids(checks.check_cors()) == ["django_fedcm.W021"]
    with override_settings(CORS_ALLOW_ALL_ORIGINS=False, CORS_ORIGIN_ALLOW_ALL=True):
        assert checks.check_cors() == []


def test_key_settings_defaults_are_silent() -> None:
    assert checks.check_key_settings() == []


def test_unknown_key_algorithm() -> None:
    with override_settings(FEDCM_KEY_ALGORITHM="HS256"):
        assert ids(checks.check_key_settings()) == ["django_fedcm.E040"]


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("FEDCM_TOKEN_LIFETIME", "300"),
        ("FEDCM_TOKEN_LIFETIME", 0),
        ("FEDCM_KEY_CACHE_SECONDS", True),
        ("FEDCM_CONTINUATION_LIFETIME", -5),
        ("FEDCM_KEY_GRACE_PERIOD", None),
    ],
)
def test_durations_must_be_positive_numbers(name: str, value: Any) -> None:
    with override_settings(**{name: value}):
        assert "django_fedcm.E042" in ids(checks.check_key_settings())


def test_durations_accept_timedelta_and_float() -> None:
    with override_settings(
        FEDCM_TOKEN_LIFETIME=timedelta(minutes=5),
        FEDCM_KEY_CACHE_SECONDS=30.5,
        FEDCM_KEY_GRACE_PERIOD=timedelta(days=1),
    ):
        assert checks.check_key_settings() == []


def test_grace_period_must_cover_token_lifetime_and_cache() -> None:
    with override_settings(
        FEDCM_KEY_GRACE_PERIOD=359, FEDCM_TOKEN_LIFETIME=300, FEDCM_KEY_CACHE_SECONDS=60
    ):
        (error,) = checks.check_key_settings()
    assert error.id == "django_fedcm.E043"
    assert "at least 360 seconds" in error.hint
    with override_settings(
        FEDCM_KEY_GRACE_PERIOD=360, FEDCM_TOKEN_LIFETIME=300, FEDCM_KEY_CACHE_SECONDS=60
    ):
        assert checks.check_key_settings() == []


@pytest.mark.parametrize("value", ["one-secret-string", [""], [b"bytes"], 42])
def test_key_encryption_secrets_shape(value: Any) -> None:
    with override_settings(FEDCM_KEY_ENCRYPTION_SECRETS=value):
        assert ids(checks.check_key_settings()) == ["django_fedcm.E044"]


def test_key_encryption_secrets_list_is_fine() -> None:
    with override_settings(FEDCM_KEY_ENCRYPTION_SECRETS=("new", "old")):
        assert checks.check_key_settings() == []


@pytest.mark.parametrize("value", [0, "4096", 1.5, False])
def test_params_max_bytes(value: Any) -> None:
    with override_settings(FEDCM_PARAMS_MAX_BYTES=value):
        assert ids(checks.check_key_settings()) == ["django_fedcm.E045"]


@pytest.mark.parametrize(
    "issuer",
    ["https://idp.test/fedcm", "idp.test", "https://*.idp.test", "ftp://idp.test", 42],
)
def test_issuer_must_be_an_origin(issuer: Any) -> None:
    with override_settings(FEDCM_ISSUER=issuer):
        assert ids(checks.check_issuer()) == ["django_fedcm.E041"]


@pytest.mark.parametrize("issuer", ["https://idp.test", "https://idp.test/", "", None])
def test_issuer_origin_or_unset_is_fine(issuer: Any) -> None:
    with override_settings(FEDCM_ISSUER=issuer):
        assert checks.check_issuer() == []


class NotAnAdapterClass:
    pass


not_a_class = NotAnAdapterClass()


@pytest.mark.parametrize(
    "adapter",
    [
        "no_such_module.Adapter",
        "django_fedcm.adapter.Nope",
        42,
        "tests.checks.test_settings.not_a_class",
    ],
)
def test_adapter_must_be_importable_class(adapter: Any) -> None:
    with override_settings(FEDCM_ADAPTER=adapter):
        assert ids(checks.check_adapter()) == ["django_fedcm.E050"]


def test_adapter_default_and_custom_are_fine() -> None:
    assert checks.check_adapter() == []
    with override_settings(FEDCM_ADAPTER="tests.checks.test_settings.NotAnAdapterClass"):
        assert checks.check_adapter() == []


GOOD_BRANDING = {
    "background_color": "#1a73e8",
    "color": "#ffffff",
    "name": "IdP",
    "icons": [
        {"url": "https://idp.test/icon.png", "size": 40},
        {"url": "http://localhost:8000/icon.png"},
    ],
}


@pytest.mark.checklist(8)
@pytest.mark.parametrize("branding", [None, GOOD_BRANDING, {}])
def test_branding_good(branding: Any) -> None:
    with override_settings(FEDCM_BRANDING=branding):
        assert checks.check_branding() == []


@pytest.mark.checklist(8)
@pytest.mark.parametrize(
    ("branding", "problem"),
    [
        ("blue", "it must be a dict"),
        ({"color": 255}, "'color' must be a string"),
        ({"icons": {"url": "x"}}, "'icons' must be a list"),
        ({"icons": ["https://idp.test/i.png"]}, "icons[0] must be an object"),
        ({"icons": [{"size": 40}]}, "icons[0] has no 'url'"),
        ({"icons": [{"url": "http://idp.test/i.png"}]}, "must be an https URL"),
        ({"icons": [{"url": "/static/i.png"}]}, "must be an https URL"),
        ({"icons": [{"url": "https://idp.test/i.SVG"}]}, "is an SVG"),
        ({"icons": [{"url": "https://idp.test/i.png", "size": "40"}]}, "must be an integer"),
        ({"icons": [{"url": "https://idp.test/i.png", "size": True}]}, "must be an integer"),
    ],
)
def test_branding_bad(branding: Any, problem: str) -> None:
    with override_settings(FEDCM_BRANDING=branding):
        (error,) = checks.check_branding()
    assert error.id == "django_fedcm.E060"
    assert problem in error.msg


@pytest.mark.parametrize(
    ("issuer", "canonical"),
    [("https://IdP.test", "https://idp.test"), ("https://idp.test:443/", "https://idp.test")],
)
def test_issuer_not_in_canonical_form_warns(issuer: str, canonical: str) -> None:
    with override_settings(FEDCM_ISSUER=issuer):
        (warning,) = checks.check_issuer()
    assert warning.id == "django_fedcm.W046"
    assert warning.hint == f'Set FEDCM_ISSUER = "{canonical}".'


def test_w061_use_other_account_needs_a_capable_login_page() -> None:
    with override_settings(FEDCM_SUPPORTS_USE_OTHER_ACCOUNT=True):
        assert [m.id for m in checks.check_use_other_account()] == ["django_fedcm.W061"]
    with override_settings(
        FEDCM_SUPPORTS_USE_OTHER_ACCOUNT=True, FEDCM_LOGIN_URL="/accounts/switch/"
    ):
        assert checks.check_use_other_account() == []
    assert checks.check_use_other_account() == []


def test_defaults_and_allowed_values_come_from_defaults_py(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(defaults, "ALGORITHMS", ("RS256",))
    monkeypatch.setattr(defaults, "PARAMS_MAX_BYTES", 1234)
    monkeypatch.setattr(defaults, "CONTINUATION_LIFETIME", timedelta(minutes=2))
    with override_settings(
        FEDCM_KEY_ALGORITHM="ES256", FEDCM_PARAMS_MAX_BYTES=0, FEDCM_CONTINUATION_LIFETIME=0
    ):
        algorithm, lifetime, max_bytes = checks.check_key_settings()
    assert (algorithm.id, algorithm.hint) == ("django_fedcm.E040", "Use one of RS256.")
    assert lifetime.hint == (
        "Set FEDCM_CONTINUATION_LIFETIME to e.g. 120 or remove it for the default."
    )
    assert max_bytes.hint == "Set FEDCM_PARAMS_MAX_BYTES to e.g. 1234 or remove it for the default."


def test_duration_hint_gives_the_default_in_seconds() -> None:
    with override_settings(FEDCM_KEY_GRACE_PERIOD="a week"):
        (error,) = checks.check_key_settings()
    assert error.hint == "Set FEDCM_KEY_GRACE_PERIOD to e.g. 604800 or remove it for the default."


# FEDCM_ISSUER's host and ALLOWED_HOSTS (django_fedcm.W049)


@pytest.mark.parametrize(
    ("issuer", "debug", "allowed_hosts"),
    [
        ("https://idp.test", False, ["idp.test"]),
        ("https://IDP.test:8443", False, ["idp.test"]),
        ("https://sso.idp.test", False, [".idp.test"]),
        ("https://anything.test", False, ["*"]),
        ("http://localhost:8000", True, []),  # Django's DEBUG defaults
        ("http://app.localhost:8000", True, []),
        ("http://127.0.0.1:8000", True, []),
        ("http://[::1]:8000", True, []),
        ("http://[::1]:8000", False, ["[::1]"]),
        (None, False, []),
        ("not an origin", False, []),  # E041's business
    ],
)
def test_issuer_host_served_by_the_project_is_fine(
    issuer: Any, debug: bool, allowed_hosts: list[str]
) -> None:
    with override_settings(FEDCM_ISSUER=issuer, DEBUG=debug, ALLOWED_HOSTS=allowed_hosts):
        assert checks.check_issuer_host() == []


@pytest.mark.parametrize(
    ("issuer", "debug", "allowed_hosts", "host"),
    [
        # The quickstart's placeholder left in place on a developer's machine.
        ("https://idp.example.com", True, [], "idp.example.com"),
        ("https://idp.example.com", False, ["localhost", "127.0.0.1"], "idp.example.com"),
        ("http://localhost:8000", False, ["idp.test"], "localhost"),
        ("http://localhost:8000", False, [], "localhost"),  # no DEBUG defaults
    ],
)
def test_issuer_host_not_served_warns(
    issuer: str, debug: bool, allowed_hosts: list[str], host: str
) -> None:
    with override_settings(FEDCM_ISSUER=issuer, DEBUG=debug, ALLOWED_HOSTS=allowed_hosts):
        (warning,) = checks.check_issuer_host()
    assert warning.id == "django_fedcm.W049"
    assert repr(host) in warning.msg
    assert f'add "{host}" to ALLOWED_HOSTS' in warning.hint
