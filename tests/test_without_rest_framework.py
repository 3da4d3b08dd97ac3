"""Django REST framework is optional: the core never imports it.

A fresh interpreter where ``import rest_framework`` fails (a meta-path blocker)
and ``INSTALLED_APPS`` lacks it imports every module of django_fedcm except
the REST API (``contrib/rest_framework/``) and the RP's DRF class
(``rp/rest_framework.py`` and its old alias), and the system checks report no
error. The API package itself fails with a message that names the ``api`` extra.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

SCRIPT = r"""
import importlib
import importlib.abc
import sys
import types
import warnings
from pathlib import Path


class BlockRestFramework(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] == "rest_framework":
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)
        return None


sys.meta_path.insert(0, BlockRestFramework())
try:
    import rest_framework  # noqa: F401
except ModuleNotFoundError:
    pass
else:
    raise AssertionError("the blocker does not work")

import django
from django.conf import settings

import tests.settings as base

config = {name: getattr(base, name) for name in dir(base) if name.isupper()}
config["INSTALLED_APPS"] = [a for a in base.INSTALLED_APPS if not a.startswith("rest_framework")]
config["DATABASES"] = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}}
config["ROOT_URLCONF"] = "urls_without_api"
urlconf = types.ModuleType("urls_without_api")
sys.modules[urlconf.__name__] = urlconf
settings.configure(**config)
django.setup()

from django.core.checks import run_checks
from django.core.exceptions import ImproperlyConfigured
from django.urls import include, path

urlconf.urlpatterns = [
    path("o/", include("django_fedcm.oauth.urls")),
    path("", include("django_fedcm.urls")),
]

import django_fedcm

OPTIONAL = ("django_fedcm.contrib.rest_framework", "django_fedcm.rp.rest_framework",
            "django_fedcm.contrib.rp.rest_framework")
package = Path(django_fedcm.__file__).parent
names = []
for file in sorted(package.rglob("*.py")):
    parts = file.relative_to(package.parent).with_suffix("").parts
    name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
    if not any(name == o or name.startswith(o + ".") for o in OPTIONAL):
        names.append(name)
warnings.simplefilter("ignore", DeprecationWarning)  # the old module paths warn
for name in names:
    importlib.import_module(name)
assert len(names) > 50, names
leaked = sorted(m for m in sys.modules if m.split(".")[0] == "rest_framework")
assert not leaked, leaked

errors = [m for m in run_checks() if m.id.startswith("django_fedcm.") and m.is_serious()]
assert not errors, errors

try:
    import django_fedcm.contrib.rest_framework  # noqa: F401
except ImproperlyConfigured as exc:
    assert 'pip install "django-fedcm[api]"' in str(exc), exc
else:
    raise AssertionError("the REST API imported without Django REST framework")
print("core modules imported without rest_framework:", len(names))
"""


def test_core_imports_and_checks_pass_without_rest_framework() -> None:
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    assert "core modules imported without rest_framework" in result.stdout
