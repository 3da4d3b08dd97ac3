"""Docs that cannot rot: every setting, system check id and URL name has an entry.

* ``docs/settings.md``: a ``## FEDCM_<NAME>`` heading for every property of
  :class:`django_fedcm.conf.FedCMSettings`.
* ``docs/checks.md``: every id ``django_fedcm.E0NN`` / ``W0NN`` that appears in
  the ``django_fedcm/checks/`` package.
* ``docs/endpoints.md``: every URL name of ``django_fedcm.urls``, written as
  inline code (`` `accounts` ``).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.urls import URLPattern, URLResolver

from django_fedcm import urls as fedcm_urls
from django_fedcm.conf import FedCMSettings

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
CHECK_ID = re.compile(r"django_fedcm\.[EW]\d{3}")
CHECK_CODE = re.compile(r"\"([EW]\d{3})\"")


def read_doc(name: str) -> str:
    path = DOCS / name
    if not path.exists():
        pytest.fail(f"docs/{name} does not exist")
    return path.read_text(encoding="utf-8")


def setting_names() -> list[str]:
    return sorted(
        f"FEDCM_{name}"
        for cls in FedCMSettings.__mro__
        for name, value in vars(cls).items()
        if isinstance(value, property)
    )


def headings(markdown: str, level: int) -> set[str]:
    marker = "#" * level
    pattern = re.compile(rf"^{marker}\s+`?([^`\n]+?)`?\s*$", re.MULTILINE)
    return {match.group(1).strip() for match in pattern.finditer(markdown)}


def check_ids() -> list[str]:
    """Ids in the checks package, written in full or as the ``"E0NN"`` that
    ``checks.common.error()`` / ``warning()`` prefix with ``django_fedcm.``."""
    package = ROOT / "django_fedcm" / "checks"
    source = "\n".join(path.read_text(encoding="utf-8") for path in sorted(package.glob("*.py")))
    short = {f"django_fedcm.{code}" for code in CHECK_CODE.findall(source)}
    return sorted(short | set(CHECK_ID.findall(source)))


def url_names(patterns: list[URLPattern | URLResolver]) -> list[str]:
    names: list[str] = []
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            names += url_names(pattern.url_patterns)
        elif pattern.name:
            names.append(pattern.name)
    return sorted(set(names))


def test_settings_are_listed() -> None:
    # The inspection itself must find something, or the test below proves nothing.
    assert "FEDCM_ISSUER" in setting_names()


def test_every_setting_has_a_heading_in_settings_md() -> None:
    documented = headings(read_doc("settings.md"), level=2)
    missing = [name for name in setting_names() if name not in documented]
    assert not missing, f"docs/settings.md has no '## <name>' heading for: {', '.join(missing)}"


def test_settings_md_documents_no_unknown_setting() -> None:
    known = set(setting_names())
    documented = {h for h in headings(read_doc("settings.md"), level=2) if h.startswith("FEDCM_")}
    stale = sorted(documented - known)
    assert not stale, f"docs/settings.md documents settings conf.py lacks: {', '.join(stale)}"


def test_every_check_id_is_in_checks_md() -> None:
    text = read_doc("checks.md")
    assert "django_fedcm.E001" in check_ids()
    documented = set(CHECK_ID.findall(text))
    assert "django_fedcm.E001" in check_ids()  # or the inspection proves nothing
    missing = [check_id for check_id in check_ids() if check_id not in documented]
    assert not missing, f"docs/checks.md does not mention: {', '.join(missing)}"


def test_every_url_name_is_in_endpoints_md() -> None:
    names = url_names(fedcm_urls.urlpatterns)
    assert "accounts" in names
    text = read_doc("endpoints.md")
    missing = [name for name in names if f"`{name}`" not in text]
    assert not missing, f"docs/endpoints.md does not name (as `name`): {', '.join(missing)}"


@pytest.mark.parametrize(
    ("markdown", "expected"),
    [
        ("## FEDCM_ISSUER\n", {"FEDCM_ISSUER"}),
        ("## `FEDCM_ISSUER`\ntext\n### FEDCM_SUB\n", {"FEDCM_ISSUER"}),
        ("text ## FEDCM_X\n#### FEDCM_Y\n", set()),
    ],
)
def test_headings_reads_level_two_only(markdown: str, expected: set[str]) -> None:
    assert headings(markdown, level=2) == expected
