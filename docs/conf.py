"""Sphinx configuration. Build: ``tox -e docs`` (sphinx-build -W -b html docs docs/_build)."""

from __future__ import annotations

import sys
import tomllib
from pathlib import Path

import django
from django.conf import settings

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

# autodoc imports the public modules (docs/reference.md): they need a configured
# Django with the apps whose models they import.
settings.configure(
    SECRET_KEY="docs-only",  # noqa: S106 (autodoc imports models; nothing is signed)
    INSTALLED_APPS=[
        "django.contrib.admin",
        "django.contrib.auth",
        "django.contrib.contenttypes",
        "django.contrib.sessions",
        "django.contrib.messages",
        "corsheaders",
        "rest_framework",
        "oauth2_provider",
        "django_fedcm",
    ],
    DATABASES={"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}},
)
django.setup()
_project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]

project = "django-fedcm"
author = "django-fedcm contributors"
copyright = "2026, django-fedcm contributors"
release = _project["version"]
version = ".".join(release.split(".")[:2])

extensions = ["myst_parser", "sphinx.ext.autodoc"]
autodoc_default_options = {"members": True, "undoc-members": False}
autodoc_member_order = "bysource"
autodoc_typehints = "description"
# Overrides of django-oauth-toolkit methods would repeat its docstrings (not
# written for Sphinx): only our own are shown.
autodoc_inherit_docstrings = False
source_suffix = {".md": "markdown"}
root_doc = "index"
exclude_patterns = ["_build", "Thumbs.db", ".DS_Store"]

# Pages link to repository files (README, CHANGELOG, source) by relative path;
# those are not documents, so MyST must not treat them as cross-references.
myst_enable_extensions = ["colon_fence", "deflist", "fieldlist"]
myst_heading_anchors = 3
suppress_warnings = ["myst.xref_missing"]

html_theme = "furo"
html_title = f"django-fedcm {release}"
