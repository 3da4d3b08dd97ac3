"""Bounded, reproducible fuzzing of every route of ``django_fedcm.urls`` and
``django_fedcm.oauth.urls`` through the Django test client.

Hypothesis generates requests — methods, FedCM and CORS headers, content
types with good and bad charsets, form fields with NUL bytes, huge values and
unicode, raw bodies, query strings, path arguments, with and without a
session or a CSRF cookie — biased towards valid values so that they get past
the first checks. Every answer must be below 500 and no exception may escape
a view (the test client re-raises them). ``derandomize`` fixes the examples,
so CI runs the same requests every time; the count is bounded per route
(``EXAMPLES``; about 2,700 requests in all).

Header values use what a WSGI server can deliver (latin-1, no control
characters); the query string, path and body carry anything, NUL included.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode, urlsplit

import pytest
from django.core.cache import caches
from django.test import Client
from django.test.client import MULTIPART_CONTENT, encode_multipart
from django.urls import URLPattern, reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from django_fedcm import urls as fedcm_urls
from django_fedcm.models import RelyingParty
from django_fedcm.oauth import urls as oauth_urls
from django_fedcm.views.base import ERROR_CODES
from tests.views.fedcm_http import IDP_HOST, RP_ORIGIN, fedcm_post

pytestmark = pytest.mark.django_db

#: Examples per route: 25 routes today, so about 2,700 requests.
EXAMPLES = 110

ROUTES: list[tuple[str, URLPattern]] = [
    (module.app_name, pattern)
    for module in (fedcm_urls, oauth_urls)
    for pattern in module.urlpatterns
    if isinstance(pattern, URLPattern)
]

FIELDS = (
    # FedCM
    "client_id",
    "account_id",
    "account_hint",
    "params",
    "nonce",
    "fields",
    "disclosure_text_shown",
    "disclosure_shown_for",
    "is_auto_selected",
    "mode",
    "top_frame_origin",
    "login_hint",
    "domain_hint",
    # pages
    "csrfmiddlewaretoken",
    "username",
    "password",
    "next",
    "action",
    "allow",
    # OAuth
    "grant_type",
    "code",
    "redirect_uri",
    "code_verifier",
    "code_challenge",
    "code_challenge_method",
    "response_type",
    "scope",
    "state",
    "prompt",
    "token",
    "token_type_hint",
    "refresh_token",
    "client_secret",
)

LATIN1_TEXT = st.text(st.characters(codec="latin-1", exclude_categories=("Cc",)), max_size=24)
ANY_TEXT = st.text(max_size=24)  # any code point but surrogates
NUL_TEXT = st.builds("{}\x00{}".format, ANY_TEXT, ANY_TEXT)
HUGE_TEXT = st.sampled_from([2_000, 70_000]).map(lambda n: "x" * n)
#: Over Django's DATA_UPLOAD_MAX_MEMORY_SIZE (2.5 MB).
OVERSIZED_BODY = b"client_id=" + b"x" * 3_000_000

CHARSETS = ("utf-8", "UTF-8", "latin-1", "utf8", "ascii", "utf-16", "no-such-charset")
CONTENT_TYPES = st.one_of(
    st.just("application/x-www-form-urlencoded"),
    st.sampled_from(CHARSETS).map("application/x-www-form-urlencoded; charset={}".format),
    st.sampled_from(
        [
            MULTIPART_CONTENT,
            "multipart/form-data",
            "multipart/form-data; boundary=",
            "application/json",
            "text/plain; charset=latin-1",
            "",
        ]
    ),
    LATIN1_TEXT,
)


@dataclass(frozen=True)
class World:
    """What the generated requests can name: a client, a signed-in user with a
    grant, a pending consent reference and a session."""

    account_id: str
    session_cookie: str
    reference: str


@pytest.fixture
def world(
    fedcm_make_rp: Callable[..., RelyingParty],
    fedcm_signing_key: Any,
    fedcm_make_user: Callable[..., Any],
    fedcm_make_grant: Callable[..., Any],
) -> World:
    for cache in caches.all():  # throttle counters: every run starts from zero
        cache.clear()
    rp = fedcm_make_rp()
    fedcm_make_rp("disabled-client", origins="https://disabled.test", enabled=False)
    user = fedcm_make_user(login_hints=["alice@hint.test"])
    fedcm_make_grant(user, rp, tokens=True)
    newcomer = fedcm_make_user("bob")
    browser = Client()
    browser.force_login(newcomer)
    answer = fedcm_post(
        browser, "id_assertion", {"client_id": "rp-client", "account_id": str(newcomer.pk)}
    ).json()
    reference = urlsplit(answer["continue_on"]).path.rsplit("/", 1)[1]
    browser.force_login(user)
    return World(str(user.pk), browser.cookies["sessionid"].value, reference)


def values(world: World) -> st.SearchStrategy[str]:
    valid = st.sampled_from(
        [
            "rp-client",
            "disabled-client",
            world.account_id,
            "alice@example.com",
            "alice@hint.test",
            "true",
            "false",
            "name,email,picture",
            "active",
            RP_ORIGIN,
            json.dumps({"nonce": "n-1"}),
            json.dumps({"nonce": "n", "response_type": "code", "scope": "openid"}),
            "authorization_code",
            "refresh_token",
            "code",
            "openid profile email",
            "S256",
            "https://rp.test/callback",
            "/fedcm/connected-apps",
            "pw-alice-123",
            "alice",
            "allow",
            "deny",
            "[" * 1000,
            "1e400",
        ]
    )
    return st.one_of(valid, ANY_TEXT, NUL_TEXT, HUGE_TEXT)


def forms(world: World) -> st.SearchStrategy[list[tuple[str, str]]]:
    names = st.one_of(st.sampled_from(FIELDS), ANY_TEXT, NUL_TEXT)
    return st.lists(st.tuples(names, values(world)), max_size=5)


def headers() -> st.SearchStrategy[dict[str, str]]:
    basic = st.builds(
        lambda user, password: "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode(),
        st.sampled_from(["rp-client", "nobody"]) | ANY_TEXT,
        ANY_TEXT,
    )
    optional = {
        "HTTP_SEC_FETCH_DEST": st.sampled_from(["webidentity", "WebIdentity", "empty", "document"])
        | LATIN1_TEXT,
        "HTTP_SEC_FETCH_MODE": st.sampled_from(["cors", "no-cors", "navigate"]),
        "HTTP_SEC_FETCH_SITE": st.sampled_from(["cross-site", "same-origin", "none"]),
        "HTTP_ORIGIN": st.sampled_from(
            [RP_ORIGIN, "https://disabled.test", "https://evil.test", "null", ""]
        )
        | LATIN1_TEXT,
        "HTTP_REFERER": st.sampled_from([f"https://{IDP_HOST}/", f"{RP_ORIGIN}/page"])
        | LATIN1_TEXT,
        "HTTP_ACCEPT": st.sampled_from(["application/json", "text/html", "*/*"]) | LATIN1_TEXT,
        "HTTP_AUTHORIZATION": basic
        | st.builds("Bearer {}".format, st.sampled_from(["at-1-1", ""]) | LATIN1_TEXT)
        | LATIN1_TEXT,
        "HTTP_X_CSRFTOKEN": st.just("a" * 32) | LATIN1_TEXT,
        "HTTP_X_FORWARDED_FOR": st.sampled_from(["203.0.113.7", "2001:db8::1"]) | LATIN1_TEXT,
        "HTTP_ACCESS_CONTROL_REQUEST_METHOD": st.just("POST"),
    }
    return st.fixed_dictionaries({}, optional=optional)


@st.composite
def requests(draw: st.DrawFn, route: tuple[str, URLPattern], world: World) -> dict[str, Any]:
    namespace, pattern = route
    known = {
        "reference": [world.reference],
        "account_id": [world.account_id],
        "code": list(ERROR_CODES),
    }
    kwargs = {
        name: draw(
            st.sampled_from(known.get(name, ["x"])) | st.from_regex(converter.regex, fullmatch=True)
        )
        for name, converter in getattr(pattern.pattern, "converters", {}).items()
    }
    path = reverse(f"{namespace}:{pattern.name}", kwargs=kwargs)
    query = draw(forms(world))
    content_type = draw(CONTENT_TYPES)
    form = draw(forms(world))
    body_kind = draw(st.sampled_from(["form", "multipart", "raw", "oversized"]))
    if body_kind == "form":
        body = urlencode(form).encode()
    elif body_kind == "multipart":
        content_type = MULTIPART_CONTENT
        body = encode_multipart("BoUnDaRyStRiNg", dict(form))
    elif body_kind == "raw":
        body = draw(st.binary(max_size=256))
    else:
        body = OVERSIZED_BODY
    return {
        "method": draw(
            st.sampled_from(["GET", "HEAD", "POST", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"])
        ),
        "path": path + ("?" + urlencode(query) if query else ""),
        "data": body,
        "content_type": content_type,
        "extra": draw(headers()),
        "session": draw(st.booleans()),
        "csrf_cookie": draw(st.booleans()),
    }


def send(world: World, request: dict[str, Any]) -> Any:
    client = Client()  # re-raises any exception a view lets escape
    if request["session"]:
        client.cookies["sessionid"] = world.session_cookie
    if request["csrf_cookie"]:
        client.cookies["csrftoken"] = "a" * 32
    return client.generic(
        request["method"],
        request["path"],
        request["data"],
        content_type=request["content_type"],
        secure=True,
        HTTP_HOST=IDP_HOST,
        **request["extra"],
    )


@pytest.mark.parametrize("route", ROUTES, ids=[f"{ns}:{p.name}" for ns, p in ROUTES])
def test_no_generated_request_gets_a_server_error(
    route: tuple[str, URLPattern], world: World
) -> None:
    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=[
            HealthCheck.function_scoped_fixture,
            HealthCheck.too_slow,
            HealthCheck.data_too_large,
            HealthCheck.large_base_example,
        ],
    )
    @given(request=requests(route, world))
    def check(request: dict[str, Any]) -> None:
        response = send(world, request)
        assert response.status_code < 500, (response.status_code, request["path"])

    check()


def test_every_route_is_fuzzed() -> None:
    """A route added to either URLconf is fuzzed without editing this file."""
    names = {f"{ns}:{p.name}" for ns, p in ROUTES}
    assert {"django_fedcm:id_assertion", "django_fedcm:login", "oauth2_provider:token"} <= names
    assert len(ROUTES) == len(fedcm_urls.urlpatterns) + len(oauth_urls.urlpatterns)
