"""FedCM profiles admin: the inline on Django's User admin (or a standalone
admin), hints one per line, picture checks; saves go through services.profiles."""

from __future__ import annotations

import base64
from collections.abc import Callable
from typing import Any

import pytest
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, RequestFactory
from django.urls import reverse

from django_fedcm import admin as fedcm_admin
from django_fedcm.admin import profiles as profiles_admin
from django_fedcm.models import AccountProfile, AuditEvent, Grant
from django_fedcm.services import profiles

from .html_forms import form_values

pytestmark = pytest.mark.django_db

User = get_user_model()

PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="
)


def test_profile_inline_on_default_user_admin(admin_client: Client, fedcm_user: Any) -> None:
    assert type(admin.site.get_model_admin(User)) is fedcm_admin.FedCMUserAdmin
    assert not admin.site.is_registered(AccountProfile)
    url = reverse("admin:auth_user_change", args=[fedcm_user.pk])
    content = admin_client.get(url).content.decode()
    assert 'name="fedcm_profile-TOTAL_FORMS"' in content
    add = admin_client.get(reverse("admin:auth_user_add")).content.decode()
    assert "fedcm_profile" not in add


def test_profile_hints_are_edited_one_per_line(
    admin_client: Client, admin_user: Any, fedcm_user: Any
) -> None:
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
    assert (event.actor, event.target_id) == (admin_user, str(fedcm_user.pk))
    assert event.changes == {
        "via": "admin",
        "fields": ["login_hints", "domain_hints", "picture"],
    }
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
        ("big.png", PNG[:16] + b"\0" * (profiles_admin.PICTURE_MAX_BYTES)),
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


def test_picture_stream_is_rewound() -> None:
    upload = SimpleUploadedFile("me.png", PNG, "image/png")
    upload.read(4)
    fedcm_admin.validate_picture(upload)
    assert upload.read() == PNG


def test_profile_hint_limits() -> None:
    too_many = "\n".join(f"h{i}" for i in range(profiles_admin.HINTS_MAX_ITEMS + 1))
    form = fedcm_admin.AccountProfileForm(data={"login_hints": too_many})
    assert not form.is_valid() and "login_hints" in form.errors
    form = fedcm_admin.AccountProfileForm(data={"domain_hints": "x" * 256})
    assert not form.is_valid() and "domain_hints" in form.errors


def test_standalone_profile_admin_when_user_admin_is_custom(
    fedcm_user: Any, admin_user: Any
) -> None:
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

    # The standalone admin saves and deletes through the service too.
    request = RequestFactory().post("/")
    request.user = admin_user
    form = profile_admin.get_form(request)(data={"user": fedcm_user.pk, "login_hints": "a\nb"})
    assert form.is_valid(), form.errors
    profile = form.save(commit=False)
    profile_admin.save_model(request, profile, form, change=False)
    assert AccountProfile.objects.get().login_hints == ["a", "b"]
    assert AuditEvent.objects.get().action == "account_profile.created"
    profile_admin.delete_model(request, profile)
    other = profiles.get_or_create_profile(admin_user)
    profile_admin.delete_queryset(request, AccountProfile.objects.filter(pk=other.pk))
    assert not AccountProfile.objects.exists()
    assert AuditEvent.objects.filter(action="account_profile.deleted").count() == 2


class _OtherFormset:
    model = Grant

    def save(self) -> None:
        self.saved = True


def test_other_user_inlines_are_saved_but_not_audited(admin_user: Any) -> None:
    request = RequestFactory().post("/")
    request.user = admin_user
    formset = _OtherFormset()
    admin.site.get_model_admin(User).save_formset(request, None, formset, change=True)
    assert formset.saved
    assert not AuditEvent.objects.exists()
