"""Deprecated import paths of modules that moved into ``django_fedcm.services``."""

from __future__ import annotations

import importlib
import sys

import pytest

MOVED = ("assertion", "audit", "continuations", "grants", "keys", "login_status", "tokens")


@pytest.mark.parametrize("name", MOVED)
def test_old_path_is_the_service_module_and_warns(name: str) -> None:
    sys.modules.pop(f"django_fedcm.{name}", None)
    with pytest.warns(DeprecationWarning, match=f"django_fedcm.services.{name}"):
        old = importlib.import_module(f"django_fedcm.{name}")
    assert old is importlib.import_module(f"django_fedcm.services.{name}")
