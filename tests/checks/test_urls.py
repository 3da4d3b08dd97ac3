"""django_fedcm.checks.urls: redirecting FedCM URLs and the optional REST API."""

from __future__ import annotations

from types import ModuleType
from typing import Any

import pytest
from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.test import override_settings
from django.urls import include, path

from django_fedcm.checks import urls as checks


def ids(messages: list[Any]) -> list[str]:
    return [m.id for m in messages]


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


# The REST API extra (django_fedcm.E004)

WITHOUT_DRF = [a for a in settings.INSTALLED_APPS if not a.startswith("rest_framework")]
API = path("fedcm/api/", include("django_fedcm.contrib.rest_framework.urls"))


def test_api_without_rest_framework_app_is_an_error() -> None:
    with override_settings(ROOT_URLCONF=urlconf(ROOT.urlpatterns[0], API)):
        assert checks.check_api_urls() == []  # the test settings install DRF
    with override_settings(
        ROOT_URLCONF=urlconf(ROOT.urlpatterns[0], API), INSTALLED_APPS=WITHOUT_DRF
    ):
        (error,) = checks.check_api_urls()
    assert error.id == "django_fedcm.E004"
    assert 'pip install "django-fedcm[api]"' in error.hint
    assert '"rest_framework" to INSTALLED_APPS' in error.hint


def test_api_found_under_a_nested_include() -> None:
    nested = urlconf(path("sso/", include([API])))
    with override_settings(ROOT_URLCONF=nested, INSTALLED_APPS=WITHOUT_DRF):
        assert ids(checks.check_api_urls()) == ["django_fedcm.E004"]


def test_no_api_no_rest_framework_needed() -> None:
    with override_settings(ROOT_URLCONF=ROOT, INSTALLED_APPS=WITHOUT_DRF):
        assert checks.check_api_urls() == []


def test_api_check_leaves_a_broken_root_urlconf_to_django(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken() -> Any:
        raise ImportError("no module")

    monkeypatch.setattr(checks, "get_resolver", broken)
    with override_settings(INSTALLED_APPS=WITHOUT_DRF):
        assert checks.check_api_urls() == []


# Django's LOGIN_URL (django_fedcm.W075)

SIGN_IN = path("accounts/login/", lambda request: None, name="sign_in")


@pytest.mark.parametrize(
    "login_url",
    [
        "django_fedcm:login",
        "/fedcm/login",
        "/accounts/login/",
        "sign_in",
        "https://sso.other.test/login",
        "./login",
        None,
    ],
)
def test_login_url_that_resolves_is_fine(login_url: Any) -> None:
    with override_settings(ROOT_URLCONF=urlconf(SIGN_IN, *ROOT.urlpatterns), LOGIN_URL=login_url):
        assert checks.check_login_url() == []


@pytest.mark.parametrize("login_url", ["/accounts/login/", "nowhere", "app:nowhere"])
def test_login_url_that_resolves_nowhere_warns(login_url: str) -> None:
    with override_settings(ROOT_URLCONF=ROOT, LOGIN_URL=login_url):
        (warning,) = checks.check_login_url()
    assert warning.id == "django_fedcm.W075"
    assert repr(login_url) in warning.msg
    assert 'LOGIN_URL = "django_fedcm:login"' in warning.hint


def test_login_url_under_a_language_prefix_is_fine() -> None:
    localized = urlconf(*i18n_patterns(SIGN_IN), *ROOT.urlpatterns)
    with override_settings(ROOT_URLCONF=localized, LOGIN_URL="/accounts/login/"):
        assert checks.check_login_url() == []


def test_login_url_check_leaves_a_broken_root_urlconf_to_django(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def broken(*args: Any, **kwargs: Any) -> Any:
        raise ImportError("no module")

    monkeypatch.setattr(checks, "is_valid_path", broken)
    with override_settings(LOGIN_URL="/accounts/login/"):
        assert checks.check_login_url() == []


# The OAuth door without its validator (django_fedcm.W076)

DOOR = path("o/", include("django_fedcm.oauth.urls"))


def test_oauth_door_without_the_validator_warns() -> None:
    # OAUTH2_PROVIDER = {}: what a project that sets none gets.
    with override_settings(ROOT_URLCONF=urlconf(DOOR, *ROOT.urlpatterns), OAUTH2_PROVIDER={}):
        (warning,) = checks.check_oauth_door()
    assert warning.id == "django_fedcm.W076"
    assert "FedCMOAuth2Validator" in warning.hint and "OIDC_ENABLED" in warning.hint


def test_oauth_door_found_under_a_nested_include() -> None:
    nested = urlconf(path("sso/", include([DOOR])))
    with override_settings(ROOT_URLCONF=nested, OAUTH2_PROVIDER={}):
        assert ids(checks.check_oauth_door()) == ["django_fedcm.W076"]


def test_oauth_door_with_the_validator_is_fine() -> None:
    validator = {"OAUTH2_VALIDATOR_CLASS": "django_fedcm.oauth.validators.FedCMOAuth2Validator"}
    with override_settings(ROOT_URLCONF=urlconf(DOOR), OAUTH2_PROVIDER=validator):
        assert checks.check_oauth_door() == []
    # With OIDC on, django_fedcm.W090 reports a wrong validator already.
    with override_settings(ROOT_URLCONF=urlconf(DOOR), OAUTH2_PROVIDER={"OIDC_ENABLED": True}):
        assert checks.check_oauth_door() == []


def test_no_oauth_door_needs_no_validator() -> None:
    with override_settings(ROOT_URLCONF=ROOT, OAUTH2_PROVIDER={}):
        assert checks.check_oauth_door() == []


def test_oauth_door_check_leaves_a_broken_root_urlconf_to_django(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def broken() -> Any:
        raise ImportError("no module")

    monkeypatch.setattr(checks, "get_resolver", broken)
    with override_settings(OAUTH2_PROVIDER={}):
        assert checks.check_oauth_door() == []
