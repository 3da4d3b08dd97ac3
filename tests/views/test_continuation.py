"""The ``continue_on`` consent page
(https://w3c-fedid.github.io/FedCM/#dom-identityassertionresponse-continue_on; checklist 46, 47)."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.dispatch import Signal
from django.test import Client
from django.utils import timezone

from django_fedcm import signals
from django_fedcm.models import ContinuationRequest, Grant, RelyingParty
from django_fedcm.services import continuations
from tests.views.fedcm_http import IDP_HOST, fedcm_post, verify

pytestmark = pytest.mark.django_db

STATIC_JS = Path(__file__).resolve().parents[2] / "django_fedcm/static/django_fedcm/continuation.js"


@pytest.fixture
def continue_on(client: Client, fedcm_asserting_user: Any) -> str:
    """The path of a fresh continuation, obtained from the id assertion endpoint."""
    data = {
        "client_id": "rp-client",
        "account_id": str(fedcm_asserting_user.pk),
        "params": json.dumps({"nonce": "nonce-46"}),
        "fields": "name,email",
    }
    url = fedcm_post(client, "id_assertion", data).json()["continue_on"]
    return urlsplit(url).path


@pytest.fixture
def issued(fedcm_signal_log: Callable[[Signal], list[dict[str, Any]]]) -> list[dict[str, Any]]:
    return fedcm_signal_log(signals.token_issued)


def get(client: Client, path: str) -> Any:
    return client.get(path, secure=True, HTTP_HOST=IDP_HOST)


def post(client: Client, path: str, action: str) -> Any:
    return client.post(path, {"action": action}, secure=True, HTTP_HOST=IDP_HOST)


def script_data(response: Any) -> dict[str, Any]:
    match = re.search(
        r'<script id="fedcm-continuation" type="application/json">(.*?)</script>',
        response.content.decode(),
        re.S,
    )
    assert match is not None
    return dict(json.loads(match.group(1)))


@pytest.mark.checklist(46)
def test_46_consent_page_shows_client_fields_and_links(client: Client, continue_on: str) -> None:
    response = get(client, continue_on)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Sign in to Demo RP" in html and "https://rp.test" in html
    assert "Your name" in html and "Your email address" in html
    assert "Your profile picture" not in html  # not requested
    assert 'href="https://rp.test/terms"' in html and 'href="https://rp.test/privacy"' in html
    assert 'name="csrfmiddlewaretoken"' in html
    assert script_data(response) == {"action": "none"}
    assert "no-store" in response["Cache-Control"]
    assert response["X-Frame-Options"] == "DENY"
    assert ContinuationRequest.objects.get().used_at is None  # looking uses nothing up


@pytest.mark.checklist(46)
def test_46_consent_page_uses_the_shared_page_layout(client: Client, continue_on: str) -> None:
    html = get(client, continue_on).content.decode()
    assert "django_fedcm/fedcm.css" in html and "django_fedcm/continuation.js" in html
    assert 'class="fedcm-card"' in html
    # no-referrer would make the Allow POST's Origin "null" and fail Django's CSRF check.
    assert 'content="no-referrer"' not in html
    assert html.index('value="cancel"') < html.index('value="allow"')  # primary action last


@pytest.mark.checklist(46)
def test_46_allow_resolves_a_token_for_the_original_client_and_nonce(
    client: Client,
    fedcm_asserting_user: Any,
    continue_on: str,
    fedcm_rp: RelyingParty,
    issued: list[Any],
) -> None:
    response = post(client, continue_on, "allow")
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    data = script_data(response)
    assert data["action"] == "resolve"
    assert data["accountId"] == str(fedcm_asserting_user.pk)
    header, claims = verify(data["token"])
    assert header["typ"] == "JWT"
    assert claims["aud"] == "rp-client" and claims["nonce"] == "nonce-46"
    assert claims["sub"] == str(fedcm_asserting_user.pk) and claims["iss"] == "https://idp.test"
    assert claims["email"] == "alice@example.com" and "picture" not in claims
    grant = Grant.objects.get(user=fedcm_asserting_user, relying_party=fedcm_rp)
    assert grant.disclosed_fields == ["email", "name"]
    assert ContinuationRequest.objects.get().used_at is not None
    assert len(issued) == 1
    assert '<script src="/static/django_fedcm/continuation.js"' in response.content.decode()


@pytest.mark.checklist(46)
def test_46_structured_token_is_resolved_as_an_object(
    client: Client, continue_on: str, fedcm_rp: RelyingParty
) -> None:
    fedcm_rp.structured_tokens = True
    fedcm_rp.save()
    token = script_data(post(client, continue_on, "allow"))["token"]
    assert verify(token["id_token"])[1]["aud"] == "rp-client"


@pytest.mark.checklist(46)
def test_46_replayed_reference_mints_nothing(
    client: Client, continue_on: str, issued: list[Any]
) -> None:
    post(client, continue_on, "allow")
    grants_before = list(Grant.objects.values_list("pk", "disclosed_fields", "last_used_at"))
    for response in (post(client, continue_on, "allow"), get(client, continue_on)):
        assert response.status_code == 410
        assert script_data(response) == {"action": "none"}
        assert "already completed" in response.content.decode()
    assert len(issued) == 1
    assert (
        list(Grant.objects.values_list("pk", "disclosed_fields", "last_used_at")) == grants_before
    )


@pytest.mark.checklist(46)
def test_46_claim_is_single_use_even_for_a_stale_copy(continue_on: str) -> None:
    state = ContinuationRequest.objects.get()
    stale = ContinuationRequest.objects.get()
    assert continuations.claim(state) is True
    assert continuations.claim(stale) is False  # the conditional UPDATE matched 0 rows


@pytest.mark.checklist(46)
def test_46_expired_reference_mints_nothing(
    client: Client, continue_on: str, issued: list[Any]
) -> None:
    ContinuationRequest.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    for response in (get(client, continue_on), post(client, continue_on, "allow")):
        assert response.status_code == 410
        assert "expired" in response.content.decode()
    assert issued == [] and Grant.objects.count() == 0
    assert ContinuationRequest.objects.get().used_at is None


@pytest.mark.checklist(46)
def test_46_another_users_reference_is_unknown_to_them(
    client: Client, continue_on: str, fedcm_make_user: Any, issued: list[Any]
) -> None:
    mallory = Client()
    mallory.force_login(fedcm_make_user("mallory"))
    for response in (get(mallory, continue_on), post(mallory, continue_on, "allow")):
        assert response.status_code == 404
    assert issued == [] and Grant.objects.count() == 0
    assert ContinuationRequest.objects.get().used_at is None
    assert get(client, continue_on).status_code == 200  # still usable by its owner


@pytest.mark.checklist(46)
@pytest.mark.parametrize("reference", ["nope", "x" * 43, "x" * 500])
def test_46_unknown_reference(client: Client, fedcm_asserting_user: Any, reference: str) -> None:
    response = get(client, f"/fedcm/continue/{reference}")
    assert response.status_code == 404
    assert "unknown" in response.content.decode()


@pytest.mark.checklist(46)
def test_46_signed_out_user_gets_403(client: Client, continue_on: str, issued: list[Any]) -> None:
    client.logout()
    assert get(client, continue_on).status_code == 403
    assert post(client, continue_on, "allow").status_code == 403
    assert issued == []


@pytest.mark.checklist(46)
@pytest.mark.parametrize("change", ["disable", "drop_origin"])
def test_46_client_changes_after_the_request_are_honoured(
    client: Client, continue_on: str, fedcm_rp: RelyingParty, change: str, issued: list[Any]
) -> None:
    if change == "disable":
        fedcm_rp.enabled = False
        fedcm_rp.save()
    else:
        fedcm_rp.application.allowed_origins = "https://new.rp.test"
        fedcm_rp.application.save()
    assert post(client, continue_on, "allow").status_code == 403
    assert issued == [] and ContinuationRequest.objects.get().used_at is None


@pytest.mark.checklist(46)
def test_46_form_is_csrf_protected(
    fedcm_asserting_user: Any, continue_on: str, issued: list[Any]
) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(fedcm_asserting_user)
    assert post(client, continue_on, "allow").status_code == 403
    assert issued == [] and ContinuationRequest.objects.get().used_at is None


@pytest.mark.checklist(47)
def test_47_cancel_closes_and_uses_up_the_reference(
    client: Client, continue_on: str, issued: list[Any]
) -> None:
    response = post(client, continue_on, "cancel")
    assert response.status_code == 200
    assert script_data(response) == {"action": "close"}
    assert issued == [] and Grant.objects.count() == 0
    assert ContinuationRequest.objects.get().used_at is not None
    assert post(client, continue_on, "allow").status_code == 410


@pytest.mark.checklist(46, 47)
def test_46_47_script_resolves_or_closes() -> None:
    source = STATIC_JS.read_text(encoding="utf-8")
    assert "IdentityProvider.resolve(data.token, {accountId: data.accountId})" in source
    assert "IdentityProvider.close()" in source


def test_unknown_action_and_method(client: Client, continue_on: str, issued: list[Any]) -> None:
    assert post(client, continue_on, "maybe").status_code == 400
    response = client.put(continue_on, secure=True, HTTP_HOST=IDP_HOST)
    assert response.status_code == 405
    assert issued == [] and ContinuationRequest.objects.get().used_at is None


def test_no_active_key_keeps_the_reference_usable(
    client: Client, continue_on: str, fedcm_signing_key: Any
) -> None:
    fedcm_signing_key.delete()
    from django_fedcm.services import keys

    keys.clear_cache()
    assert post(client, continue_on, "allow").status_code == 503
    assert ContinuationRequest.objects.get().used_at is None and Grant.objects.count() == 0


def test_query_counts(client: Client, continue_on: str, django_assert_num_queries: Any) -> None:
    from django_fedcm.services import keys

    keys.signing_key()
    # session, user, continuation (client joined)
    with django_assert_num_queries(3):
        assert get(client, continue_on).status_code == 200
    # continuation, session, user; then in the view's transaction: savepoint,
    # claim, the grant with the profile, the grant upsert, release
    with django_assert_num_queries(8):
        assert post(client, continue_on, "allow").status_code == 200


@pytest.mark.checklist(46)
def test_46_real_csrf_round_trip_with_the_popup_origin(
    fedcm_asserting_user: Any, continue_on: str
) -> None:
    # The consent form is a same-origin POST from the popup; the browser sends
    # Origin: https://idp.test, which Django's CSRF check compares with the host.
    # (A page-level "no-referrer" policy would make that Origin "null" and
    # every Allow a 403, so the page must not set one.)
    client = Client(enforce_csrf_checks=True)
    client.force_login(fedcm_asserting_user)
    page = get(client, continue_on)
    assert b"no-referrer" not in page.content.replace(b'rel="noopener noreferrer"', b"")
    match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.content.decode())
    assert match is not None
    data = {"action": "allow", "csrfmiddlewaretoken": match.group(1)}
    refused = client.post(continue_on, data, secure=True, HTTP_HOST=IDP_HOST, HTTP_ORIGIN="null")
    assert refused.status_code == 403
    response = client.post(
        continue_on, data, secure=True, HTTP_HOST=IDP_HOST, HTTP_ORIGIN="https://idp.test"
    )
    assert response.status_code == 200
    assert script_data(response)["action"] == "resolve"


@pytest.mark.checklist(46)
def test_46_consent_page_is_not_frameable_without_the_clickjacking_middleware(
    continue_on: str, fedcm_asserting_user: Any, settings: Any
) -> None:
    # An "Allow" button in a frame is a clickjacking target: the view says
    # DENY itself rather than relying on the project's middleware.
    settings.MIDDLEWARE = [
        m
        for m in settings.MIDDLEWARE
        if m != "django.middleware.clickjacking.XFrameOptionsMiddleware"
    ]
    fresh = Client()  # a new handler: the middleware chain is built per client
    fresh.force_login(fedcm_asserting_user)
    assert get(fresh, continue_on)["X-Frame-Options"] == "DENY"


@pytest.mark.checklist(46)
def test_46_code_request_no_longer_valid_is_refused_not_a_crash(
    client: Client, fedcm_asserting_user: Any, fedcm_rp: RelyingParty, issued: list[Any]
) -> None:
    # The OAuth params were valid when the id assertion endpoint stored them;
    # the client lost the code grant before the user clicked Allow.
    from oauth2_provider.models import Grant as CodeGrant

    from tests.oauth.conftest import make_pkce

    params = {
        "response_type": "code",
        "scope": "openid read",
        "code_challenge": make_pkce().challenge,
        "code_challenge_method": "S256",
    }
    data = {
        "client_id": "rp-client",
        "account_id": str(fedcm_asserting_user.pk),
        "params": json.dumps(params),
    }
    path = urlsplit(fedcm_post(client, "id_assertion", data).json()["continue_on"]).path
    application = fedcm_rp.application
    application.authorization_grant_type = "client-credentials"
    application.save()

    assert get(client, path).status_code == 403
    response = post(client, path, "allow")
    assert response.status_code == 403
    assert script_data(response) == {"action": "none"}
    assert not CodeGrant.objects.exists()
    assert not Grant.objects.exists()
