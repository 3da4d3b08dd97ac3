from __future__ import annotations

import base64
import json
import re
from collections.abc import Callable
from html.parser import HTMLParser
from typing import Any

import pytest
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from jwcrypto.jwk import JWK
from oauth2_provider.models import AccessToken, Application

from django_fedcm import admin as fedcm_admin
from django_fedcm import signals
from django_fedcm.models import AccountProfile, AuditEvent, Grant, RelyingParty, SigningKey
from django_fedcm.services import crypto, keys

pytestmark = pytest.mark.django_db

User = get_user_model()

PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="
)


class FormValues(HTMLParser):
    """The values a browser would submit for the form with id ``form_id``."""

    def __init__(self, form_id: str) -> None:
        super().__init__()
        self.form_id = form_id
        self.inside = False
        self.data: dict[str, Any] = {}
        self.textarea: str | None = None
        self.select: str | None = None

    def add(self, name: str, value: str) -> None:
        if name in self.data:
            existing = self.data[name]
            self.data[name] = [*(existing if isinstance(existing, list) else [existing]), value]
        else:
            self.data[name] = value

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form" and a.get("id") == self.form_id:
            self.inside = True
        if not self.inside or ("name" not in a and tag != "option"):
            return
        if tag == "input":
            kind = a.get("type", "text")
            if kind in {"checkbox", "radio"}:
                if "checked" in a:
                    self.add(a["name"], a.get("value", "on"))
            elif kind not in {"submit", "file", "button"}:
                self.add(a["name"], a.get("value", ""))
        elif tag == "textarea":
            self.textarea = a["name"]
            self.data[a["name"]] = ""
        elif tag == "select":
            self.select = a["name"]
        elif tag == "option" and self.select and "selected" in a:
            self.add(self.select, a.get("value", ""))

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self.inside = False
        elif tag == "textarea":
            self.textarea = None
        elif tag == "select":
            self.select = None

    def handle_data(self, data: str) -> None:
        if self.textarea:
            self.data[self.textarea] += data.lstrip("\n") if not self.data[self.textarea] else data


def form_values(client: Client, url: str, form_id: str) -> dict[str, Any]:
    response = client.get(url)
    assert response.status_code == 200
    parser = FormValues(form_id)
    parser.feed(response.content.decode())
    return parser.data


def application_url(action: str, *args: Any) -> str:
    return reverse(f"admin:oauth2_provider_application_{action}", args=args)


def new_application_data(client: Client, origins: str) -> dict[str, Any]:
    data = form_values(client, application_url("add"), "application_form")
    data.update(
        {
            "name": "Shop",
            "client_id": "shop-client",
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


# =========================================================================== applications


@pytest.mark.checklist(63)
def test_application_add_page_has_relying_party_inline(admin_client: Client) -> None:
    response = admin_client.get(application_url("add"))
    content = response.content.decode()
    assert 'name="fedcm-TOTAL_FORMS"' in content
    assert "FedCM relying party" in content
    assert "scheme://host[:port]" in content


@pytest.mark.checklist(63)
def test_application_with_relying_party_is_created_and_audited(admin_client: Client) -> None:
    data = new_application_data(admin_client, "https://shop.test\nhttps://www.shop.test:8443")
    response = admin_client.post(application_url("add"), data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    application = Application.objects.get(client_id="shop-client")
    relying_party = RelyingParty.objects.get(application=application)
    assert relying_party.origins == ["https://shop.test", "https://www.shop.test:8443"]
    assert relying_party.terms_of_service_url == "https://shop.test/terms"
    actions = sorted(AuditEvent.objects.values_list("action", flat=True))
    assert actions == ["application.created", "relying_party.created"]
    created = AuditEvent.objects.get(action="application.created")
    assert "allowed_origins" in created.changes["fields"]
    # Field names only: the client secret typed into the form is not in the log.
    assert data["client_secret"]
    all_changes = json.dumps(list(AuditEvent.objects.values_list("changes", flat=True)))
    assert data["client_secret"] not in all_changes


@pytest.mark.checklist(27, 63)
@pytest.mark.parametrize(
    "origins",
    [
        "https://shop.test/path",
        "https://*.shop.test",
        "shop.test",
        "https://shop.test https://shop.test/login",
    ],
)
def test_invalid_origin_is_a_form_error_and_saves_nothing(
    admin_client: Client, origins: str
) -> None:
    data = new_application_data(admin_client, origins)
    response = admin_client.post(application_url("add"), data)
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert "allowed_origins" in errors
    assert "Not an exact origin" in str(errors["allowed_origins"])
    assert not Application.objects.exists()
    assert not RelyingParty.objects.exists()
    assert not AuditEvent.objects.exists()


@pytest.mark.checklist(63)
def test_relying_party_needs_an_origin(admin_client: Client) -> None:
    data = new_application_data(admin_client, "")
    response = admin_client.post(application_url("add"), data)
    assert response.status_code == 200
    assert "needs at least one allowed origin" in response.content.decode()
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


def test_invalid_relying_party_url_is_a_form_error(admin_client: Client) -> None:
    data = new_application_data(admin_client, "https://shop.test")
    data["fedcm-0-icon_url"] = "http://shop.test/icon.png"
    response = admin_client.post(application_url("add"), data)
    assert response.status_code == 200
    assert not Application.objects.exists()


def test_application_change_and_relying_party_change_are_audited(
    admin_client: Client, fedcm_rp: RelyingParty
) -> None:
    application = fedcm_rp.application
    application.algorithm = ""
    application.save()
    url = application_url("change", application.pk)
    data = form_values(admin_client, url, "application_form")
    data["fedcm-0-require_user_action"] = "on"
    data["allowed_origins"] = "https://rp.test https://other.test"
    response = admin_client.post(url, data)
    assert response.status_code == 302
    fedcm_rp.refresh_from_db()
    assert fedcm_rp.require_user_action is True
    assert fedcm_rp.origins == ["https://rp.test", "https://other.test"]
    changed = AuditEvent.objects.get(action="relying_party.changed")
    assert changed.changes == {"via": "admin", "fields": ["require_user_action"]}
    assert AuditEvent.objects.get(action="application.changed").changes["fields"] == [
        "allowed_origins"
    ]


def test_relying_party_inline_delete_is_audited(
    admin_client: Client, fedcm_rp: RelyingParty
) -> None:
    application = fedcm_rp.application
    application.algorithm = ""
    application.save()
    url = application_url("change", application.pk)
    data = form_values(admin_client, url, "application_form")
    data["fedcm-0-DELETE"] = "on"
    assert admin_client.post(url, data).status_code == 302
    assert not RelyingParty.objects.exists()
    assert AuditEvent.objects.filter(action="relying_party.deleted").count() == 1


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


# =========================================================================== profiles


def test_profile_inline_on_default_user_admin(admin_client: Client, fedcm_user: Any) -> None:
    assert type(admin.site.get_model_admin(User)) is fedcm_admin.FedCMUserAdmin
    assert not admin.site.is_registered(AccountProfile)
    url = reverse("admin:auth_user_change", args=[fedcm_user.pk])
    content = admin_client.get(url).content.decode()
    assert 'name="fedcm_profile-TOTAL_FORMS"' in content
    add = admin_client.get(reverse("admin:auth_user_add")).content.decode()
    assert "fedcm_profile" not in add


def test_profile_hints_are_edited_one_per_line(admin_client: Client, fedcm_user: Any) -> None:
    url = reverse("admin:auth_user_change", args=[fedcm_user.pk])
    data = form_values(admin_client, url, "user_form")
    data.update(
        {
            "fedcm_profile-0-login_hints": "alice@example.com\n\n  alice  \nalice@example.com",
            "fedcm_profile-0-domain_hints": "example.com",
            "fedcm_profile-0-label_hints": "",
            "fedcm_profile-0-picture": SimpleUploadedFile("me.png", PNG, "image/png"),
        }
    )
    response = admin_client.post(url, data)
    assert response.status_code == 302
    profile = AccountProfile.objects.get(user=fedcm_user)
    assert profile.login_hints == ["alice@example.com", "alice"]
    assert profile.domain_hints == ["example.com"]
    assert profile.label_hints == []
    assert profile.picture.name.endswith(".png")
    profile.picture.delete(save=False)
    event = AuditEvent.objects.get(action="account_profile.created")
    assert event.actor is not None and event.target_id == str(fedcm_user.pk)
    # Rendered back as lines.
    again = form_values(admin_client, url, "user_form")
    assert again["fedcm_profile-0-login_hints"] == "alice@example.com\nalice"


def test_profile_inline_change_and_delete_go_through_the_service(
    admin_client: Client, fedcm_make_user: Callable[..., Any]
) -> None:
    user = fedcm_make_user("carol", login_hints=["carol"])
    url = reverse("admin:auth_user_change", args=[user.pk])
    data = form_values(admin_client, url, "user_form")
    data["fedcm_profile-0-domain_hints"] = "example.com"
    assert admin_client.post(url, data).status_code == 302
    data = form_values(admin_client, url, "user_form")
    data["fedcm_profile-0-DELETE"] = "on"
    assert admin_client.post(url, data).status_code == 302
    assert not AccountProfile.objects.exists()
    events = AuditEvent.objects.order_by("pk").values_list("action", "changes", "target_id")
    assert list(events) == [
        ("account_profile.updated", {"via": "admin", "fields": ["domain_hints"]}, str(user.pk)),
        ("account_profile.deleted", {"via": "admin"}, str(user.pk)),
    ]


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("evil.png", b"<svg xmlns='http://www.w3.org/2000/svg'/>"),
        ("page.jpg", b"<html><script>alert(1)</script>"),
        ("anim.gif", b"GIF89a" + b"\0" * 20),
        ("big.png", PNG[:16] + b"\0" * (fedcm_admin.PICTURE_MAX_BYTES)),
    ],
)
def test_profile_picture_must_be_png_jpeg_or_webp(name: str, content: bytes) -> None:
    form = fedcm_admin.AccountProfileForm(
        data={"login_hints": "", "domain_hints": "", "label_hints": ""},
        files={"picture": SimpleUploadedFile(name, content, "image/png")},
    )
    assert not form.is_valid()
    assert "picture" in form.errors


@pytest.mark.parametrize(
    "head", [b"\xff\xd8\xff\xe0" + b"\0" * 12, b"RIFF\0\0\0\0WEBPVP8 " + b"\0" * 4]
)
def test_profile_picture_jpeg_and_webp_accepted(head: bytes) -> None:
    form = fedcm_admin.AccountProfileForm(
        data={}, files={"picture": SimpleUploadedFile("x.bin", head, "application/octet-stream")}
    )
    assert form.is_valid(), form.errors


def test_profile_hint_limits() -> None:
    too_many = "\n".join(f"h{i}" for i in range(fedcm_admin.HINTS_MAX_ITEMS + 1))
    form = fedcm_admin.AccountProfileForm(data={"login_hints": too_many})
    assert not form.is_valid() and "login_hints" in form.errors
    form = fedcm_admin.AccountProfileForm(data={"domain_hints": "x" * 256})
    assert not form.is_valid() and "domain_hints" in form.errors


def test_standalone_profile_admin_when_user_admin_is_custom(
    fedcm_user: Any, admin_user: Any
) -> None:
    from django_fedcm.services.profiles import get_or_create_profile as fedcm_make_profile

    class ProjectUserAdmin(UserAdmin):  # type: ignore[type-arg]
        pass

    site = admin.AdminSite()
    site.register(User, ProjectUserAdmin)
    fedcm_admin.register_profile_admin(site)
    assert type(site.get_model_admin(User)) is ProjectUserAdmin
    profile_admin = site.get_model_admin(AccountProfile)
    assert isinstance(profile_admin, fedcm_admin.AccountProfileAdmin)

    default = admin.AdminSite()
    default.register(User, UserAdmin)
    fedcm_admin.register_profile_admin(default)
    assert type(default.get_model_admin(User)) is fedcm_admin.FedCMUserAdmin

    # The standalone admin audits its saves too.
    from django.test import RequestFactory

    request = RequestFactory().post("/")
    request.user = admin_user
    form = profile_admin.get_form(request)(data={"user": fedcm_user.pk, "login_hints": "a\nb"})
    assert form.is_valid(), form.errors
    profile = form.save(commit=False)
    profile_admin.save_model(request, profile, form, change=False)
    assert AccountProfile.objects.get().login_hints == ["a", "b"]
    assert AuditEvent.objects.get().action == "account_profile.created"
    profile_admin.delete_model(request, profile)
    profile_admin.delete_queryset(
        request, AccountProfile.objects.filter(pk=fedcm_make_profile(admin_user).pk)
    )
    assert not AccountProfile.objects.exists()
    assert AuditEvent.objects.filter(action="account_profile.deleted").count() == 2


# =========================================================================== grants


@pytest.fixture
def revoked(fedcm_signal_log: Any) -> Any:
    return fedcm_signal_log(signals.grant_revoked)


def test_grant_changelist_per_user_and_relying_party(
    admin_client: Client,
    fedcm_user: Any,
    fedcm_make_user: Callable[..., Any],
    fedcm_make_rp: Callable[..., RelyingParty],
    fedcm_make_grant: Callable[..., Grant],
) -> None:
    shop = fedcm_make_rp("shop", origins="https://shop.test", name="Shop")
    news = fedcm_make_rp("news", origins="https://news.test", name="News")
    bob = fedcm_make_user("bob")
    fedcm_make_grant(fedcm_user, shop)
    fedcm_make_grant(bob, news)
    url = reverse("admin:django_fedcm_grant_changelist")
    response = admin_client.get(url, {"relying_party__id__exact": shop.pk})
    assert [g.user for g in response.context["cl"].result_list] == [fedcm_user]
    response = admin_client.get(url, {"q": "bob"})
    assert [g.relying_party for g in response.context["cl"].result_list] == [news]
    assert reverse("admin:django_fedcm_grant_add") not in response.content.decode()


def test_revoke_action_calls_the_grant_service(
    admin_client: Client,
    fedcm_user: Any,
    fedcm_rp: RelyingParty,
    fedcm_make_grant: Callable[..., Grant],
    revoked: list[dict[str, Any]],
) -> None:
    grant = fedcm_make_grant(fedcm_user, fedcm_rp, tokens=True)
    response = admin_client.post(
        reverse("admin:django_fedcm_grant_changelist"),
        {"action": "revoke_grants", "_selected_action": [grant.pk]},
        follow=True,
    )
    assert "Revoked 1 grant." in response.content.decode()
    assert not Grant.objects.exists()
    assert not AccessToken.objects.exists()  # the service also drops OAuth tokens
    assert [c["via"] for c in revoked] == ["admin"]
    event = AuditEvent.objects.get()
    assert event.action == "grant.revoked" and event.target_id == str(grant.pk)


def test_admin_delete_revokes_through_the_service(
    admin_client: Client,
    fedcm_user: Any,
    fedcm_make_rp: Callable[..., RelyingParty],
    fedcm_make_grant: Callable[..., Grant],
    revoked: list[dict[str, Any]],
) -> None:
    first = fedcm_make_grant(fedcm_user, fedcm_make_rp("a", origins="https://a.test"))
    second = fedcm_make_grant(fedcm_user, fedcm_make_rp("b", origins="https://b.test"))
    third = fedcm_make_grant(fedcm_user, fedcm_make_rp("c", origins="https://c.test"))
    url = reverse("admin:django_fedcm_grant_delete", args=[first.pk])
    assert admin_client.post(url, {"post": "yes"}).status_code == 302
    admin_client.post(
        reverse("admin:django_fedcm_grant_changelist"),
        {"action": "delete_selected", "_selected_action": [second.pk, third.pk], "post": "yes"},
    )
    assert not Grant.objects.exists()
    assert len(revoked) == 3
    assert AuditEvent.objects.filter(action="grant.revoked").count() == 3


# =========================================================================== signing keys


def private_material(key: SigningKey) -> list[str]:
    token = bytes(SigningKey.objects.get(pk=key.pk).private_key_encrypted)
    private = JWK.from_json(crypto.decrypt(token).decode()).export_private(as_dict=True)
    values = [token.decode(), private["d"]]
    values += [private[k] for k in ("p", "q", "dp", "dq", "qi") if k in private]
    return values


def test_signing_key_pages_never_render_private_material(
    admin_client: Client, fedcm_make_key: Callable[..., SigningKey]
) -> None:
    active = fedcm_make_key("RS256")
    retired = fedcm_make_key("EdDSA", state="retired")
    changelist = admin_client.get(reverse("admin:django_fedcm_signingkey_changelist"))
    pages = [changelist.content.decode()]
    for key in (active, retired):
        page = admin_client.get(reverse("admin:django_fedcm_signingkey_change", args=[key.pk]))
        assert page.status_code == 200
        content = page.content.decode()
        assert key.public_jwk["kid"] in content and "&quot;kty&quot;" in content
        assert 'name="_save"' not in content
        pages.append(content)
    assert active.kid in pages[0] and retired.kid in pages[0]
    for key in (active, retired):
        for secret in private_material(key):
            for page in pages:
                assert secret not in page
    assert "private" not in pages[1].lower().replace("private_key", "")
    assert reverse("admin:django_fedcm_signingkey_add") not in pages[0]


def test_signing_keys_cannot_be_added_changed_or_deleted(
    admin_client: Client, fedcm_signing_key: SigningKey
) -> None:
    assert admin_client.get(reverse("admin:django_fedcm_signingkey_add")).status_code == 403
    delete = reverse("admin:django_fedcm_signingkey_delete", args=[fedcm_signing_key.pk])
    assert admin_client.post(delete, {"post": "yes"}).status_code == 403
    change = reverse("admin:django_fedcm_signingkey_change", args=[fedcm_signing_key.pk])
    admin_client.post(change, {"state": "retired"})
    fedcm_signing_key.refresh_from_db()
    assert fedcm_signing_key.state == "active"


def test_rotate_button_rotates_and_audits(
    admin_client: Client, fedcm_signing_key: SigningKey
) -> None:
    changelist = reverse("admin:django_fedcm_signingkey_changelist")
    rotate = reverse("admin:django_fedcm_signingkey_rotate")
    assert rotate in admin_client.get(changelist).content.decode()
    assert admin_client.get(rotate).status_code == 405
    response = admin_client.post(rotate, follow=True)
    assert response.redirect_chain[-1][0] == changelist
    new = SigningKey.objects.get(state="active")
    assert new.kid != fedcm_signing_key.kid
    content = response.content.decode()
    assert f"Rotated: {new.kid} (RS256) now signs." in content
    assert f"{fedcm_signing_key.kid} stays in the JWKS until" in content
    assert not re.search(r"stays in the JWKS until [^<]*\.\.", content)  # "p.m.."
    event = AuditEvent.objects.get()
    assert event.action == "signing_key.rotated"
    assert event.changes["active_kid"] == [fedcm_signing_key.kid, new.kid]
    assert keys.signing_key().kid == new.kid  # the process cache was cleared


def test_first_rotation_from_the_admin(admin_client: Client) -> None:
    response = admin_client.post(reverse("admin:django_fedcm_signingkey_rotate"), follow=True)
    assert "stays in the JWKS until" not in response.content.decode()
    assert SigningKey.objects.get().state == "active"


def test_rotate_refusal_is_a_message(admin_client: Client, monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: Any, **kwargs: Any) -> Any:
        raise keys.KeyManagementError("Could not rotate: concurrent rotations kept conflicting.")

    monkeypatch.setattr(keys, "rotate", refuse)
    response = admin_client.post(reverse("admin:django_fedcm_signingkey_rotate"), follow=True)
    assert "concurrent rotations kept conflicting" in response.content.decode()
    assert not AuditEvent.objects.exists()


def test_rotate_needs_change_permission(fedcm_make_user: Callable[..., Any]) -> None:
    staff = fedcm_make_user("staff", is_staff=True)
    staff.user_permissions.add(Permission.objects.get(codename="view_signingkey"))
    client = Client()
    client.force_login(staff)
    changelist = client.get(reverse("admin:django_fedcm_signingkey_changelist"))
    assert changelist.status_code == 200
    rotate = reverse("admin:django_fedcm_signingkey_rotate")
    assert rotate not in changelist.content.decode()
    assert client.post(rotate).status_code == 403
    assert not SigningKey.objects.exists()


# =========================================================================== audit events


def test_audit_events_are_read_only(admin_client: Client, fedcm_rp: RelyingParty) -> None:
    from django_fedcm.services import audit

    event = audit.record(None, "relying_party.changed", fedcm_rp, {"fields": ["enabled"]})
    changelist = admin_client.get(reverse("admin:django_fedcm_auditevent_changelist"))
    assert "relying_party.changed" in changelist.content.decode()
    detail = admin_client.get(reverse("admin:django_fedcm_auditevent_change", args=[event.pk]))
    content = detail.content.decode()
    assert "&quot;enabled&quot;" in content
    assert 'name="_save"' not in content
    assert admin_client.get(reverse("admin:django_fedcm_auditevent_add")).status_code == 403
    delete = reverse("admin:django_fedcm_auditevent_delete", args=[event.pk])
    assert admin_client.post(delete, {"post": "yes"}).status_code == 403
    assert AuditEvent.objects.count() == 1


def test_picture_stream_is_rewound() -> None:
    upload = SimpleUploadedFile("me.png", PNG, "image/png")
    upload.read(4)
    fedcm_admin.validate_picture(upload)
    assert upload.read() == PNG


class _OtherFormset:
    model = Grant

    def save(self) -> None:
        self.saved = True


@pytest.mark.parametrize("model", [Application, User])
def test_other_inlines_are_saved_but_not_audited(model: Any, admin_user: Any) -> None:
    from django.test import RequestFactory

    request = RequestFactory().post("/")
    request.user = admin_user
    formset = _OtherFormset()
    admin.site.get_model_admin(model).save_formset(request, None, formset, change=True)
    assert formset.saved
    assert not AuditEvent.objects.exists()


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
    assert "OIDC_RSA_PRIVATE_KEY" in str(response.context["adminform"].form.errors)
    assert not Application.objects.exists()


def test_grant_changelist_shows_fields_and_scopes_as_plain_lists(
    admin_client: Client,
    fedcm_user: Any,
    fedcm_rp: RelyingParty,
    fedcm_make_grant: Callable[..., Grant],
) -> None:
    fedcm_make_grant(fedcm_user, fedcm_rp, fields=("email", "name"))  # scopes: openid
    html = admin_client.get(reverse("admin:django_fedcm_grant_changelist")).content.decode()
    assert '<td class="field-disclosed_fields_list">email, name</td>' in html
    assert '<td class="field-scopes_list">openid</td>' in html
    assert "[&quot;email&quot;" not in html
