"""Sphinx configuration. Build: ``tox -e docs`` (sphinx-build -W -b html docs docs/_build)."""

from __future__ import annotations

import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
_project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]

project = "django-fedcm"
author = "django-fedcm contributors"
copyright = "2026, django-fedcm contributors"
release = _project["version"]
version = ".".join(release.split(".")[:2])

extensions = ["myst_parser"]
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
