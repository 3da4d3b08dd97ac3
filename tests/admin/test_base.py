"""The admin package: importing it registers every admin; ReadOnlyAdmin."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib import admin
from django.test import RequestFactory
from oauth2_provider.models import Application

from django_fedcm import admin as fedcm_admin
from django_fedcm.admin.base import ReadOnlyAdmin
from django_fedcm.models import AuditEvent, Grant, RelyingParty, SigningKey


def test_every_admin_is_registered() -> None:
    registered = {
        model: type(admin.site.get_model_admin(model))
        for model in (Application, RelyingParty, Grant, SigningKey, AuditEvent)
    }
    assert registered == {
        Application: fedcm_admin.FedCMApplicationAdmin,
        RelyingParty: fedcm_admin.RelyingPartyAdmin,
        Grant: fedcm_admin.GrantAdmin,
        SigningKey: fedcm_admin.SigningKeyAdmin,
        AuditEvent: fedcm_admin.AuditEventAdmin,
    }
    assert set(fedcm_admin.__all__) <= set(vars(fedcm_admin))


@pytest.mark.parametrize("model", [RelyingParty, SigningKey, AuditEvent])
def test_read_only_admins_allow_looking_only(model: Any, admin_user: Any) -> None:
    model_admin = admin.site.get_model_admin(model)
    assert isinstance(model_admin, ReadOnlyAdmin)
    request = RequestFactory().get("/")
    request.user = admin_user
    assert not model_admin.has_add_permission(request)
    assert not model_admin.has_change_permission(request)
    assert not model_admin.has_delete_permission(request)
    assert model_admin.has_view_permission(request)
