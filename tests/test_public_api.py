"""The public API is declared: docs/reference.md documents modules that have
``__all__``, and every public module is on that page."""

from __future__ import annotations

import importlib
import re
from pathlib import Path

import pytest

REFERENCE = Path(__file__).resolve().parent.parent / "docs" / "reference.md"

#: Modules a project imports (README, docs): each must declare ``__all__``
#: and appear on the reference page.
PUBLIC_MODULES = (
    "django_fedcm.adapter",
    "django_fedcm.conf",
    "django_fedcm.defaults",
    "django_fedcm.middleware",
    "django_fedcm.models",
    "django_fedcm.signals",
    "django_fedcm.throttle",
    "django_fedcm.rp",
    "django_fedcm.rp.backends",
    "django_fedcm.rp.rest_framework",
    "django_fedcm.oauth.validators",
    "django_fedcm.services.keys",
    "django_fedcm.services.grants",
    "django_fedcm.services.registrations",
    "django_fedcm.services.connected_apps",
    "django_fedcm.services.continuations",
    "django_fedcm.services.login_status",
)


def documented_modules() -> list[str]:
    return re.findall(r"^\.\. automodule:: (\S+)", REFERENCE.read_text(), re.MULTILINE)


@pytest.mark.parametrize("name", PUBLIC_MODULES)
def test_public_module_is_on_the_reference_page(name: str) -> None:
    assert name in documented_modules()


@pytest.mark.parametrize("name", documented_modules())
def test_documented_module_declares_all_and_every_name_exists(name: str) -> None:
    module = importlib.import_module(name)
    exported = getattr(module, "__all__", None)
    assert exported, f"{name} has no __all__"
    missing = [item for item in exported if not hasattr(module, item)]
    assert not missing, f"{name}.__all__ names what it lacks: {missing}"
