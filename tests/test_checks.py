from __future__ import annotations

from datetime import timedelta
from types import ModuleType
from typing import Any

import pytest
from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.contrib.sessions.middleware import SessionMiddleware
from django.core.checks import run_checks
from django.db import OperationalError, ProgrammingError
from django.test import override_settings
from django.urls import include, path

from django_fedcm import checks
from django_fedcm.models import SigningKey


def ids(messages: list[Any]) -> list[str]:
    return [m.id for m in messages]


def test_good_configuration_is_silent_without_deploy(fedcm_signing_key: SigningKey) -> None:
    fedcm = [m for m in run_checks() if m.id.startswith("django_fedcm.")]
    assert fedcm == []


@pytest.mark.django_db
def test_every_message_has_a_hint() -> None:
    with override_settings(
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=False,
        CORS_ALLOW_CREDENTIALS=False,
        CORS_ALLOW_ALL_ORIGINS=True,
        FEDCM_KEY_ALGORITHM="HS256",
        FEDCM_ISSUER="http://idp.test/path",
        FEDCM_ADAPTER="nope.Adapter",
        FEDCM_BRANDING="blue",
        FEDCM_LOGIN_URL="https://elsewhere.test/login",
    ):
        messages = run_checks(include_deployment_checks=True)
    fedcm = [m for m in messages if m.id.startswith("django_fedcm.")]
    assert len(fedcm) >= 9
    assert all(m.hint for m in fedcm)


# --------------------------------------------------------------------------- session cookie


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


# --------------------------------------------------------------------------- apps, middleware


def test_required_apps() -> None:
    assert checks.check_installed_apps() == []
    apps = [a for a in settings.INSTALLED_APPS if a not in {"corsheaders", "rest_framework"}]
    with override_settings(INSTALLED_APPS=apps):
        (error,) = checks.check_installed_apps()
    assert error.id == "django_fedcm.E003"
    assert "corsheaders, rest_framework" in error.msg


MIDDLEWARE = [
    "django.contrib.sessions.middleware.SessionMiddleware",
    "corsheaders.middleware.CorsMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_fedcm.middleware.LoginStatusMiddleware",
]


def without(*names: str) -> list[str]:
    return [m for m in MIDDLEWARE if m.rsplit(".", 1)[1] not in names]


@pytest.mark.parametrize(
    ("middleware", "expected"),
    [
        (MIDDLEWARE, []),
        (without("SessionMiddleware"), ["django_fedcm.E010"]),
        (without("AuthenticationMiddleware"), ["django_fedcm.E011"]),
        (
            [MIDDLEWARE[3], *MIDDLEWARE[:3], MIDDLEWARE[4]],
            ["django_fedcm.E011"],
        ),
        (without("CorsMiddleware"), ["django_fedcm.E012"]),
        (
            [MIDDLEWARE[0], MIDDLEWARE[2], MIDDLEWARE[1], *MIDDLEWARE[3:]],
            ["django_fedcm.E012"],
        ),
        (without("LoginStatusMiddleware"), ["django_fedcm.E013"]),
        (
            [*MIDDLEWARE[:3], MIDDLEWARE[4], MIDDLEWARE[3]],
            ["django_fedcm.E013"],
        ),
        ([], ["django_fedcm.E010", "django_fedcm.E011", "django_fedcm.E012", "django_fedcm.E013"]),
    ],
)
def test_middleware_presence_and_order(middleware: list[str], expected: list[str]) -> None:
    with override_settings(MIDDLEWARE=middleware):
        assert ids(checks.check_middleware()) == expected


class CustomSessionMiddleware:  # not a subclass: does not count
    pass


def test_middleware_subclasses_count_and_unknown_entries_are_ignored() -> None:
    subclass = "tests.test_checks.FedCMSessionMiddleware"
    middleware = [subclass, "no.such.Middleware", *MIDDLEWARE[1:]]
    with override_settings(MIDDLEWARE=middleware):
        assert checks.check_middleware() == []
    with override_settings(
        MIDDLEWARE=["tests.test_checks.CustomSessionMiddleware", *MIDDLEWARE[1:]]
    ):
        assert ids(checks.check_middleware()) == ["django_fedcm.E010"]


def test_middleware_check_when_corsheaders_is_missing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(checks, "CORS_MIDDLEWARE", "not_installed.middleware.CorsMiddleware")
    assert ids(checks.check_middleware()) == ["django_fedcm.E012"]


class FedCMSessionMiddleware(SessionMiddleware):
    pass


# --------------------------------------------------------------------------- CORS


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


# --------------------------------------------------------------------------- signing keys


@pytest.mark.django_db
def test_no_active_key_warns() -> None:
    assert ids(checks.check_signing_keys()) == ["django_fedcm.W030"]


@pytest.mark.django_db
def test_active_key_is_silent_and_retired_keys_do_not_count(
    fedcm_make_key: Any,
) -> None:
    fedcm_make_key("ES256", state="retired")
    assert ids(checks.check_signing_keys()) == ["django_fedcm.W030"]
    fedcm_make_key("RS256")
    assert checks.check_signing_keys() == []


@pytest.mark.django_db
def test_undecryptable_active_key_warns(fedcm_signing_key: SigningKey) -> None:
    with override_settings(SECRET_KEY="another-secret-" + "q" * 40):
        (warning,) = checks.check_signing_keys()
    assert warning.id == "django_fedcm.W031"
    assert fedcm_signing_key.kid in warning.msg


@pytest.mark.parametrize("exc", [OperationalError("no such table"), ProgrammingError("x")])
def test_signing_key_check_tolerates_missing_tables(
    monkeypatch: pytest.MonkeyPatch, exc: Exception
) -> None:
    def broken(*args: Any, **kwargs: Any) -> Any:
        raise exc

    monkeypatch.setattr(SigningKey.objects, "filter", broken)
    (warning,) = checks.check_signing_keys()
    assert warning.id == "django_fedcm.W032"
    assert "migrate" in warning.hint


# --------------------------------------------------------------------------- key settings


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


# ------------------------------------------------------------------ issuer, adapter, branding


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
    ["no_such_module.Adapter", "django_fedcm.adapter.Nope", 42, "tests.test_checks.not_a_class"],
)
def test_adapter_must_be_importable_class(adapter: Any) -> None:
    with override_settings(FEDCM_ADAPTER=adapter):
        assert ids(checks.check_adapter()) == ["django_fedcm.E050"]


def test_adapter_default_and_custom_are_fine() -> None:
    assert checks.check_adapter() == []
    with override_settings(FEDCM_ADAPTER="tests.test_checks.NotAnAdapterClass"):
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


# --------------------------------------------------------------------------- URLs


def urlconf(*patterns: Any) -> ModuleType:
    module = ModuleType("urls")
    module.urlpatterns = list(patterns)  # type: ignore[attr-defined]
    return module


ROOT = urlconf(path("", include("django_fedcm.urls")))


@pytest.mark.checklist(62)
def test_urls_at_root_are_fine() -> None:
    with override_settings(ROOT_URLCONF=ROOT):
        assert checks.check_urls() == []


@pytest.mark.checklist(62)
def test_urls_under_i18n_prefix_are_an_error() -> None:
    with override_settings(
        ROOT_URLCONF=urlconf(*i18n_patterns(path("", include("django_fedcm.urls"))))
    ):
        assert ids(checks.check_urls()) == ["django_fedcm.E070"]
    nested = urlconf(
        *i18n_patterns(
            path("sso/", include(urlconf(path("", include("django_fedcm.urls"))).urlpatterns))
        )
    )
    with override_settings(ROOT_URLCONF=nested, FEDCM_WELL_KNOWN_ENABLED=False):
        assert ids(checks.check_urls()) == ["django_fedcm.E070"]


def test_urls_not_included_warns() -> None:
    with override_settings(ROOT_URLCONF=urlconf(path("admin/", include([])))):
        assert ids(checks.check_urls()) == ["django_fedcm.W071"]


def test_broken_root_urlconf_is_left_to_django(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken() -> Any:
        raise ImportError("no module")

    monkeypatch.setattr(checks, "get_resolver", broken)
    assert checks.check_urls() == []


def test_well_known_not_at_root_warns() -> None:
    prefixed = urlconf(path("idp/", include("django_fedcm.urls")))
    with override_settings(ROOT_URLCONF=prefixed):
        (warning,) = checks.check_urls()
    assert warning.id == "django_fedcm.W072"
    assert "/idp/.well-known/web-identity" in warning.msg
    with override_settings(ROOT_URLCONF=prefixed, FEDCM_WELL_KNOWN_ENABLED=False):
        assert checks.check_urls() == []


@pytest.mark.checklist(62)
def test_prepend_www_redirecting_the_issuer_is_an_error() -> None:
    with override_settings(ROOT_URLCONF=ROOT, PREPEND_WWW=True):
        assert ids(checks.check_urls()) == ["django_fedcm.E073"]
    with override_settings(
        ROOT_URLCONF=ROOT, PREPEND_WWW=True, FEDCM_ISSUER="https://www.idp.test"
    ):
        assert checks.check_urls() == []


@pytest.mark.parametrize(
    "login_url", ["https://other.test/login", "//other.test/login", "login/", 42, ""]
)
def test_login_url_must_be_a_path(login_url: Any) -> None:
    with override_settings(ROOT_URLCONF=ROOT, FEDCM_LOGIN_URL=login_url):
        assert ids(checks.check_urls()) == ["django_fedcm.E074"]


def test_login_url_path_is_fine() -> None:
    with override_settings(ROOT_URLCONF=ROOT, FEDCM_LOGIN_URL="/accounts/login/?next=x"):
        assert checks.check_urls() == []


# --------------------------------------------------------------------------- deploy


def test_deploy_issuer_https_is_fine() -> None:
    assert checks.check_deploy() == []


@pytest.mark.parametrize("issuer", [None, ""])
def test_deploy_warns_without_issuer(issuer: Any) -> None:
    with override_settings(FEDCM_ISSUER=issuer):
        assert ids(checks.check_deploy()) == ["django_fedcm.W080"]


@pytest.mark.checklist(60)
def test_deploy_warns_on_http_issuer() -> None:
    with override_settings(FEDCM_ISSUER="http://idp.test"):
        assert ids(checks.check_deploy()) == ["django_fedcm.W081"]
    with override_settings(FEDCM_ISSUER="https://idp.test/path"):  # E041 reports it
        assert checks.check_deploy() == []


def test_deploy_checks_only_run_with_deploy(fedcm_signing_key: SigningKey) -> None:
    with override_settings(FEDCM_ISSUER=None):
        plain = ids(run_checks())
        deploy = ids(run_checks(include_deployment_checks=True))
    assert "django_fedcm.W080" not in plain
    assert "django_fedcm.W080" in deploy


@pytest.mark.parametrize(
    ("issuer", "canonical"),
    [("https://IdP.test", "https://idp.test"), ("https://idp.test:443/", "https://idp.test")],
)
def test_issuer_not_in_canonical_form_warns(issuer: str, canonical: str) -> None:
    with override_settings(FEDCM_ISSUER=issuer):
        (warning,) = checks.check_issuer()
    assert warning.id == "django_fedcm.W046"
    assert warning.hint == f'Set FEDCM_ISSUER = "{canonical}".'


# --------------------------------------------------------------------------- W061, W090


def test_w061_use_other_account_needs_a_capable_login_page() -> None:
    with override_settings(FEDCM_SUPPORTS_USE_OTHER_ACCOUNT=True):
        assert [m.id for m in checks.check_use_other_account()] == ["django_fedcm.W061"]
    with override_settings(
        FEDCM_SUPPORTS_USE_OTHER_ACCOUNT=True, FEDCM_LOGIN_URL="/accounts/switch/"
    ):
        assert checks.check_use_other_account() == []
    assert checks.check_use_other_account() == []


def test_w090_oidc_needs_the_fedcm_validator() -> None:
    assert checks.check_oauth_validator() == []
    with override_settings(OAUTH2_PROVIDER={"OIDC_ENABLED": True}):
        assert [m.id for m in checks.check_oauth_validator()] == ["django_fedcm.W090"]
    with override_settings(OAUTH2_PROVIDER={"OIDC_ENABLED": False}):
        assert checks.check_oauth_validator() == []
