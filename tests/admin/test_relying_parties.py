"""Relying parties in the admin: the inline on DOT's Application page writes
through services.registrations, with the REST API's rules and audit actions."""

from __future__ import annotations

import json
from collections.abc import Callable
from types import SimpleNamespace
from typing import Any

import pytest
from django.contrib import admin
from django.test import Client, RequestFactory
from django.urls import reverse
from oauth2_provider.models import Application

from django_fedcm import admin as fedcm_admin
from django_fedcm.models import AuditEvent, Grant, RelyingParty

from .html_forms import form_values

pytestmark = pytest.mark.django_db


def application_url(action: str, *args: Any) -> str:
    return reverse(f"admin:oauth2_provider_application_{action}", args=args)


def new_application_data(
    client: Client, origins: str, client_id: str = "shop-client"
) -> dict[str, Any]:
    data = form_values(client, application_url("add"), "application_form")
    data.update(
        {
            "name": "Shop",
            "client_id": client_id,
            "client_type": "public",
            "authorization_grant_type": "authorization-code",
            "redirect_uris": "https://shop.test/callback",
            "allowed_origins": origins,
            "algorithm": "",
            "fedcm-0-enabled": "on",
            "fedcm-0-terms_of_service_url": "https://shop.test/terms",
            "fedcm-0-privacy_policy_url": "https://shop.test/privacy",
            "fedcm-0-icon_size": "40",
        }
    )
    return data


def form_errors(response: Any) -> str:
    return str(response.context["adminform"].form.errors)


def change_data(client: Client, relying_party: RelyingParty) -> tuple[str, dict[str, Any]]:
    application = relying_party.application
    application.algorithm = ""  # DOT's RS256 check needs a key this page does not care about
    application.save()
    url = application_url("change", application.pk)
    return url, form_values(client, url, "application_form")


# --------------------------------------------------------------------------- adding


@pytest.mark.checklist(63)
def test_application_add_page_has_relying_party_inline(admin_client: Client) -> None:
    response = admin_client.get(application_url("add"))
    content = response.content.decode()
    assert 'name="fedcm-TOTAL_FORMS"' in content
    assert "FedCM relying party" in content
    assert "scheme://host[:port]" in content


@pytest.mark.checklist(63)
def test_application_with_relying_party_is_created_and_audited(
    admin_client: Client, admin_user: Any
) -> None:
    data = new_application_data(admin_client, "https://shop.test\nHTTPS://WWW.shop.test:8443")
    response = admin_client.post(application_url("add"), data)
    assert response.status_code == 302, form_errors(response)
    application = Application.objects.get(client_id="shop-client")
    relying_party = RelyingParty.objects.get(application=application)
    assert relying_party.origins == ["https://shop.test", "https://www.shop.test:8443"]
    assert application.allowed_origins == "https://shop.test https://www.shop.test:8443"
    assert relying_party.terms_of_service_url == "https://shop.test/terms"
    event = AuditEvent.objects.get()  # one event for both rows
    assert (event.actor, event.action, event.target_id) == (
        admin_user,
        "relying_party.created",
        str(relying_party.pk),
    )
    assert event.changes["via"] == "admin"
    assert event.changes["client_id"] == [None, "shop-client"]
    assert event.changes["origins"] == [None, relying_party.origins]
    assert event.changes["icon_size"] == [None, 40]
    # The client secret typed into the form is not in the log.
    assert data["client_secret"]
    assert data["client_secret"] not in json.dumps(event.changes)


@pytest.mark.checklist(27, 63)
@pytest.mark.parametrize(
    ("origins", "message"),
    [
        ("https://shop.test/path", "Not an exact origin"),
        ("https://*.shop.test", "Not an exact origin"),
        ("shop.test", "Not an exact origin"),
        ("https://shop.test https://shop.test/login", "Not an exact origin"),
        ("http://shop.test", "must use https"),
        ("http://localhost:8000", "ALLOWED_SCHEMES"),  # DOT's default: https only
    ],
)
def test_invalid_origin_is_a_form_error_and_saves_nothing(
    admin_client: Client, origins: str, message: str
) -> None:
    data = new_application_data(admin_client, origins)
    response = admin_client.post(application_url("add"), data)
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert "allowed_origins" in errors
    assert message in str(errors["allowed_origins"])
    assert not Application.objects.exists()
    assert not RelyingParty.objects.exists()
    assert not AuditEvent.objects.exists()


def test_http_origin_needs_debug_even_when_dot_allows_http(
    admin_client: Client, settings: Any
) -> None:
    # DOT's own check passes http once ALLOWED_SCHEMES lists it; FedCM still
    # needs a secure context (https, localhost, or DEBUG).
    settings.OAUTH2_PROVIDER = {**settings.OAUTH2_PROVIDER, "ALLOWED_SCHEMES": ["https", "http"]}
    data = new_application_data(admin_client, "http://rp.example")
    response = admin_client.post(application_url("add"), data)
    assert response.status_code == 200
    assert "must use https" in form_errors(response)
    settings.DEBUG = True
    response = admin_client.post(application_url("add"), data)
    assert response.status_code == 302
    assert RelyingParty.objects.get().origins == ["http://rp.example"]


@pytest.mark.checklist(63)
def test_relying_party_needs_an_origin(admin_client: Client) -> None:
    data = new_application_data(admin_client, "")
    response = admin_client.post(application_url("add"), data)
    assert response.status_code == 200
    assert "allowed origins: Register at least one origin." in response.content.decode()
    assert not Application.objects.exists()


def test_new_relying_party_needs_a_name(admin_client: Client) -> None:
    data = new_application_data(admin_client, "https://shop.test")
    data["name"] = "  "
    response = admin_client.post(application_url("add"), data)
    assert response.status_code == 200
    assert "name: A name is required" in response.content.decode()
    assert not Application.objects.exists()


def test_application_without_relying_party_needs_no_origin(admin_client: Client) -> None:
    data = new_application_data(admin_client, "")
    for name in list(data):
        if name.startswith("fedcm-0-"):
            del data[name]
    # What a browser submits for the untouched extra form: its defaults.
    data.update({"fedcm-0-enabled": "on", "fedcm-0-icon_size": "40"})
    response = admin_client.post(application_url("add"), data)
    assert response.status_code == 302
    assert Application.objects.exists() and not RelyingParty.objects.exists()
    event = AuditEvent.objects.get()
    assert event.action == "application.created"
    assert "client_id" in event.changes["fields"]


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("fedcm-0-icon_url", "http://shop.test/icon.png"),
        ("fedcm-0-terms_of_service_url", "ftp://shop.test/terms"),
        ("fedcm-0-icon_size", "0"),
    ],
)
def test_invalid_relying_party_field_is_a_form_error(
    admin_client: Client, field: str, value: str
) -> None:
    data = new_application_data(admin_client, "https://shop.test")
    data[field] = value
    response = admin_client.post(application_url("add"), data)
    assert response.status_code == 200
    inline_errors = response.context["inline_admin_formsets"][0].formset.errors
    assert field.removeprefix("fedcm-0-") in inline_errors[0]
    assert not Application.objects.exists()


def test_rs256_application_saves_without_dot_rsa_key(admin_client: Client) -> None:
    # FedCMOAuth2Validator signs ID tokens with the fedcm_keys key set, so DOT's
    # "set OIDC_RSA_PRIVATE_KEY" refusal must not block an RS256 registration.
    data = new_application_data(admin_client, "https://shop.test")
    data["algorithm"] = Application.RS256_ALGORITHM
    response = admin_client.post(application_url("add"), data)
    assert response.status_code == 302
    assert Application.objects.get().algorithm == Application.RS256_ALGORITHM


def test_rs256_application_needs_dot_rsa_key_with_another_validator(
    admin_client: Client, settings: Any
) -> None:
    settings.OAUTH2_PROVIDER = {**settings.OAUTH2_PROVIDER}
    del settings.OAUTH2_PROVIDER["OAUTH2_VALIDATOR_CLASS"]
    settings.OAUTH2_PROVIDER["OIDC_ENABLED"] = False
    data = new_application_data(admin_client, "https://shop.test")
    data["algorithm"] = Application.RS256_ALGORITHM
    response = admin_client.post(application_url("add"), data)
    assert response.status_code == 200
    assert "OIDC_RSA_PRIVATE_KEY" in form_errors(response)
    assert not Application.objects.exists()


# --------------------------------------------------------------------------- first save


def quickstart_settings(settings: Any) -> None:
    """What docs/quickstart.md's settings block gives a project in development."""
    settings.DEBUG = True
    settings.OAUTH2_PROVIDER = {**settings.OAUTH2_PROVIDER, "ALLOWED_SCHEMES": ["https", "http"]}


def test_first_registration_as_the_quickstart_describes_it_saves(
    admin_client: Client, settings: Any
) -> None:
    # An RP on the developer's machine, no redirect URI (FedCM sign-in
    # redirects nowhere), RS256 without DOT's OIDC_RSA_PRIVATE_KEY.
    quickstart_settings(settings)
    data = new_application_data(admin_client, "http://127.0.0.1:8001")
    data.update({"redirect_uris": "", "algorithm": Application.RS256_ALGORITHM})
    response = admin_client.post(application_url("add"), data)
    assert response.status_code == 302, form_errors(response)
    relying_party = RelyingParty.objects.select_related("application").get()
    assert relying_party.origins == ["http://127.0.0.1:8001"]
    assert relying_party.application.redirect_uris == ""
    assert AuditEvent.objects.get().action == "relying_party.created"


def test_http_origin_error_names_the_setting_that_allows_it(admin_client: Client) -> None:
    data = new_application_data(admin_client, "http://127.0.0.1:8001")
    response = admin_client.post(application_url("add"), data)
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert 'OAUTH2_PROVIDER["ALLOWED_SCHEMES"]' in errors["allowed_origins"][0]
    assert "invalid_scheme" not in str(errors)


def test_oauth_only_application_still_needs_a_redirect_uri(admin_client: Client) -> None:
    data = new_application_data(admin_client, "")
    data.update({"redirect_uris": "", "fedcm-0-enabled": "on", "fedcm-0-icon_size": "40"})
    for name in ("fedcm-0-terms_of_service_url", "fedcm-0-privacy_policy_url"):
        del data[name]
    response = admin_client.post(application_url("add"), data)
    assert response.status_code == 200
    assert "redirect_uris cannot be empty" in form_errors(response)
    assert not Application.objects.exists()


def test_stored_relying_party_may_drop_its_redirect_uri(
    admin_client: Client, fedcm_rp: RelyingParty
) -> None:
    url, data = change_data(admin_client, fedcm_rp)
    data["redirect_uris"] = ""
    response = admin_client.post(url, data)
    assert response.status_code == 302, form_errors(response)
    fedcm_rp.application.refresh_from_db()
    assert fedcm_rp.application.redirect_uris == ""


def test_deleting_the_relying_party_brings_the_redirect_uri_rule_back(
    admin_client: Client, fedcm_rp: RelyingParty
) -> None:
    url, data = change_data(admin_client, fedcm_rp)
    data.update({"redirect_uris": "", "fedcm-0-DELETE": "on"})
    response = admin_client.post(url, data)
    assert response.status_code == 200
    assert "redirect_uris cannot be empty" in form_errors(response)
    assert RelyingParty.objects.exists()


def test_without_the_inline_a_new_application_needs_a_redirect_uri(
    fedcm_make_user: Callable[..., Any],
) -> None:
    from django.contrib.auth.models import Permission

    # Staff who may not add relying parties get no inline: nothing is kept.
    staff = fedcm_make_user("staff", is_staff=True)
    staff.user_permissions.add(
        *Permission.objects.filter(codename__in=["add_application", "view_application"])
    )
    client = Client()
    client.force_login(staff)
    data = form_values(client, application_url("add"), "application_form")
    assert "fedcm-TOTAL_FORMS" not in data
    data.update(
        {
            "name": "Shop",
            "client_id": "shop-client",
            "client_type": "public",
            "authorization_grant_type": "authorization-code",
            "redirect_uris": "",
            "algorithm": "",
        }
    )
    response = client.post(application_url("add"), data)
    assert response.status_code == 200
    assert "redirect_uris cannot be empty" in form_errors(response)


def test_missing_inline_management_form_keeps_nothing(admin_client: Client) -> None:
    data = new_application_data(admin_client, "https://shop.test")
    data["redirect_uris"] = ""
    del data["fedcm-TOTAL_FORMS"]
    response = admin_client.post(application_url("add"), data)
    assert response.status_code == 200
    assert not Application.objects.exists()


def test_redirect_uri_scheme_error_names_the_setting_once(
    admin_client: Client, fedcm_rp: RelyingParty, settings: Any
) -> None:
    settings.OAUTH2_PROVIDER = {
        **settings.OAUTH2_PROVIDER,
        "ALLOWED_REDIRECT_URI_SCHEMES": ["https"],
    }
    url, data = change_data(admin_client, fedcm_rp)
    data["redirect_uris"] = "http://127.0.0.1:8001/callback"
    response = admin_client.post(url, data)
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors["redirect_uris"]
    assert len(errors) == 1
    assert 'OAUTH2_PROVIDER["ALLOWED_REDIRECT_URI_SCHEMES"] (https)' in errors[0]
    assert "http://127.0.0.1:8001/callback" in errors[0]


def test_other_redirect_uri_errors_are_kept(admin_client: Client) -> None:
    data = new_application_data(admin_client, "https://shop.test")
    data["redirect_uris"] = "https://shop.test/callback#fragment"
    response = admin_client.post(application_url("add"), data)
    assert response.status_code == 200
    assert "redirect_uris" in response.context["adminform"].form.errors


# --------------------------------------------------------------------------- changing


def test_change_is_one_relying_party_updated_event(
    admin_client: Client, fedcm_rp: RelyingParty
) -> None:
    url, data = change_data(admin_client, fedcm_rp)
    data["fedcm-0-require_user_action"] = "on"
    data["allowed_origins"] = "https://rp.test https://OTHER.test"
    data["skip_authorization"] = "on"
    response = admin_client.post(url, data)
    assert response.status_code == 302, form_errors(response)
    fedcm_rp.refresh_from_db()
    assert fedcm_rp.require_user_action is True
    assert fedcm_rp.origins == ["https://rp.test", "https://other.test"]
    event = AuditEvent.objects.get()
    assert event.action == "relying_party.updated"
    assert event.changes == {
        "via": "admin",
        "origins": [["https://rp.test"], ["https://rp.test", "https://other.test"]],
        "require_user_action": [False, True],
        "fields": ["skip_authorization"],
    }


def test_stored_registration_keeps_origins_and_a_name(
    admin_client: Client, fedcm_rp: RelyingParty
) -> None:
    url, data = change_data(admin_client, fedcm_rp)
    data["allowed_origins"] = ""
    data["name"] = ""
    response = admin_client.post(url, data)
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert "Register at least one origin." in str(errors["allowed_origins"])
    assert "A name is required" in str(errors["name"])
    fedcm_rp.application.refresh_from_db()
    assert fedcm_rp.application.allowed_origins == "https://rp.test"
    assert not AuditEvent.objects.exists()


def test_relying_party_inline_delete_is_audited(
    admin_client: Client,
    fedcm_rp: RelyingParty,
    fedcm_user: Any,
    fedcm_make_grant: Callable[..., Grant],
) -> None:
    fedcm_make_grant(fedcm_user, fedcm_rp)
    url, data = change_data(admin_client, fedcm_rp)
    data["fedcm-0-DELETE"] = "on"
    assert admin_client.post(url, data).status_code == 302
    assert not RelyingParty.objects.exists() and not Grant.objects.exists()
    assert Application.objects.filter(pk=fedcm_rp.application_id).exists()
    event = AuditEvent.objects.get()
    assert (event.action, event.target_id) == ("relying_party.deleted", str(fedcm_rp.pk))


def test_application_delete_goes_through_the_service(
    admin_client: Client, fedcm_make_rp: Callable[..., RelyingParty]
) -> None:
    first = fedcm_make_rp("a", origins="https://a.test")
    second = fedcm_make_rp("b", origins="https://b.test")
    oauth_only = Application.objects.create(
        client_id="c", name="C", client_type="public", authorization_grant_type="client-credentials"
    )
    delete = application_url("delete", first.application_id)
    assert admin_client.post(delete, {"post": "yes"}).status_code == 302
    admin_client.post(
        application_url("changelist"),
        {
            "action": "delete_selected",
            "_selected_action": [second.application_id, oauth_only.pk],
            "post": "yes",
        },
    )
    assert not Application.objects.exists() and not RelyingParty.objects.exists()
    assert sorted(AuditEvent.objects.values_list("action", "target_repr")) == [
        ("application.deleted", "C"),
        ("relying_party.deleted", "Demo RP"),
        ("relying_party.deleted", "Demo RP"),
    ]


def test_deleting_a_registration_needs_the_relying_party_permission(
    fedcm_make_user: Callable[..., Any], fedcm_rp: RelyingParty
) -> None:
    from django.contrib.auth.models import Permission

    staff = fedcm_make_user("staff", is_staff=True)
    staff.user_permissions.add(
        *Permission.objects.filter(codename__in=["view_application", "delete_application"])
    )
    client = Client()
    client.force_login(staff)
    delete = application_url("delete", fedcm_rp.application_id)
    assert client.post(delete, {"post": "yes"}).status_code == 403
    assert RelyingParty.objects.exists() and not AuditEvent.objects.exists()


def test_other_application_inlines_are_saved_as_usual(
    admin_user: Any, fedcm_rp: RelyingParty
) -> None:
    class OtherFormSet:
        model = Grant
        saved = False

        def save(self) -> None:
            self.saved = True

    request = RequestFactory().post("/")
    request.user = admin_user
    other = OtherFormSet()
    form = SimpleNamespace(instance=fedcm_rp.application, changed_data=[], save_m2m=lambda: None)
    admin.site.get_model_admin(Application).save_related(request, form, [other], change=True)
    assert other.saved
    assert not AuditEvent.objects.exists()  # nothing changed


# --------------------------------------------------------------------------- the rest


def test_relying_party_changelist_is_read_only(
    admin_client: Client, fedcm_make_rp: Callable[..., RelyingParty]
) -> None:
    relying_party = fedcm_make_rp(origins="https://rp.test https://m.rp.test")
    response = admin_client.get(reverse("admin:django_fedcm_relyingparty_changelist"))
    content = response.content.decode()
    assert "https://rp.test https://m.rp.test" in content
    assert application_url("change", relying_party.application_id) in content
    assert reverse("admin:django_fedcm_relyingparty_add") not in content
    detail = admin_client.get(
        reverse("admin:django_fedcm_relyingparty_change", args=[relying_party.pk])
    )
    assert detail.status_code == 200
    assert 'name="_save"' not in detail.content.decode()


def test_application_list_shows_client_id_name_and_fedcm_state(
    admin_client: Client, fedcm_make_rp: Callable[..., RelyingParty]
) -> None:
    fedcm_make_rp("shop-client", origins="https://shop.test", name="Shop")
    fedcm_make_rp("off-client", origins="https://off.test", name="Off", enabled=False)
    Application.objects.create(
        client_id="oauth-only",
        name="Batch",
        client_type="confidential",
        authorization_grant_type="client-credentials",
    )
    response = admin_client.get(application_url("changelist"))
    assert response.status_code == 200
    shown = admin.site.get_model_admin(Application).get_list_display(response.wsgi_request)
    assert list(shown[:3]) == ["client_id", "name", "fedcm_enabled"]
    assert "pk" not in shown
    headers = [str(h["text"]).lower() for h in response.context["result_headers"]][1:4]
    assert headers == ["client id", "name", "fedcm enabled"]
    content = response.content.decode()
    assert "shop-client" in content and "off-client" in content and "oauth-only" in content
    assert content.count("icon-yes.svg") == 1
    assert content.count("icon-no.svg") == 1
    assert content.count("icon-unknown.svg") >= 1
    found = admin_client.get(application_url("changelist"), {"q": "shop-client"})
    assert [a.client_id for a in found.context["cl"].result_list] == ["shop-client"]


def test_application_admin_wraps_the_registered_admin() -> None:
    site = admin.AdminSite()

    class ProjectApplicationAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
        list_display = ("name",)

    site.register(Application, ProjectApplicationAdmin)
    admin_class = fedcm_admin.register_application_admin(site)
    assert issubclass(admin_class, ProjectApplicationAdmin)
    assert issubclass(admin_class, fedcm_admin.FedCMApplicationAdminMixin)
    empty = admin.AdminSite()
    admin_class = fedcm_admin.register_application_admin(empty)
    assert empty.is_registered(Application)
    assert admin_class.__mro__[2].__module__ == "oauth2_provider.admin"


# --------------------------------------------------------------------------- admin = API


#: Settings a project may run with: (DEBUG, OAUTH2_PROVIDER["ALLOWED_SCHEMES"]).
SETUPS = {
    "production": (False, ["https"]),
    "production, DOT allows http": (False, ["https", "http"]),
    "DEBUG, DOT allows http": (True, ["https", "http"]),
}


@pytest.mark.checklist(27, 63)
@pytest.mark.parametrize("setup", list(SETUPS))
@pytest.mark.parametrize(
    ("origins", "accepted_in"),
    [
        (["https://rp.example", "https://m.rp.example:8443"], set(SETUPS)),
        (["HTTPS://RP.example:443/"], set(SETUPS)),
        (["http://rp.example"], {"DEBUG, DOT allows http"}),
        (["http://localhost:8000"], {"production, DOT allows http", "DEBUG, DOT allows http"}),
        (["https://rp.example/path"], set()),
        (["https://*.rp.example"], set()),
        ([], set()),
    ],
)
def test_admin_and_api_refuse_the_same_origins(
    settings: Any,
    fedcm_make_user: Callable[..., Any],
    setup: str,
    origins: list[str],
    accepted_in: set[str],
) -> None:
    settings.DEBUG, schemes = SETUPS[setup]
    settings.OAUTH2_PROVIDER = {**settings.OAUTH2_PROVIDER, "ALLOWED_SCHEMES": schemes}
    staff = fedcm_make_user("staff", is_staff=True, is_superuser=True)
    client = Client()
    client.force_login(staff)

    api = client.post(
        "/fedcm/api/relying-parties/",
        json.dumps({"client_id": "via-api", "name": "Shop", "origins": origins}),
        content_type="application/json",
    )
    page = client.post(
        application_url("add"),
        new_application_data(client, "\n".join(origins), client_id="via-admin"),
    )

    accepted = setup in accepted_in
    assert api.status_code == (201 if accepted else 400), api.content
    assert page.status_code == (302 if accepted else 200)
    registrations = RelyingParty.objects.select_related("application")
    if not accepted:
        assert not registrations.exists() and not AuditEvent.objects.exists()
        return
    by_api = registrations.get(application__client_id="via-api")
    by_admin = registrations.get(application__client_id="via-admin")
    assert by_api.origins == by_admin.origins
    events = {e.target_id: e for e in AuditEvent.objects.all()}
    assert events[str(by_api.pk)].action == events[str(by_admin.pk)].action
    assert events[str(by_admin.pk)].action == "relying_party.created"
    assert events[str(by_api.pk)].changes["origins"] == events[str(by_admin.pk)].changes["origins"]
    assert events[str(by_admin.pk)].actor == events[str(by_api.pk)].actor == staff
