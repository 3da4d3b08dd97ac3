"""Fixtures of the API tests: clients for each permission boundary."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth.models import Permission
from rest_framework.test import APIClient

API = "/fedcm/api/"


@pytest.fixture
def fedcm_make_staff(fedcm_make_user: Callable[..., Any]) -> Callable[..., Any]:
    """A staff user holding exactly the given ``django_fedcm`` permissions
    (codenames such as ``"view_relyingparty"``)."""

    def make(*codenames: str, username: str = "staff", **fields: Any) -> Any:
        fields.setdefault("is_staff", True)
        user = fedcm_make_user(username, **fields)
        if codenames:
            perms = Permission.objects.filter(
                content_type__app_label="django_fedcm", codename__in=codenames
            )
            assert perms.count() == len(codenames), codenames
            user.user_permissions.add(*perms)
        return user

    return make


@pytest.fixture
def fedcm_api(db: None) -> Callable[..., APIClient]:
    """An ``APIClient`` signed in (session) as ``user``; anonymous for ``None``."""

    def make(user: Any = None, *, csrf: bool = False) -> APIClient:
        client = APIClient(enforce_csrf_checks=csrf)
        if user is not None:
            client.force_login(user)
        return client

    return make


@pytest.fixture
def fedcm_superuser(fedcm_make_user: Callable[..., Any]) -> Any:
    return fedcm_make_user("root", is_staff=True, is_superuser=True)


@pytest.fixture
def fedcm_admin_api(fedcm_api: Callable[..., APIClient], fedcm_superuser: Any) -> APIClient:
    return fedcm_api(fedcm_superuser)
