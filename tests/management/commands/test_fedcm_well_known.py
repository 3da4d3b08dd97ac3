"""``manage.py fedcm_well_known``: the well-known file for an apex Django does not serve."""

from __future__ import annotations

import json
import stat
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

pytestmark = pytest.mark.django_db


def run(*args: str) -> str:
    out = StringIO()
    call_command("fedcm_well_known", *args, stdout=out, stderr=StringIO())
    return out.getvalue()


@pytest.mark.checklist(2, 3, 4)
def test_prints_the_document_the_view_serves(client: Client) -> None:
    served = client.get("/.well-known/web-identity", secure=True, HTTP_HOST="idp.test").json()
    assert json.loads(run()) == served
    assert served["provider_urls"] == ["https://idp.test/fedcm/config.json"]


@pytest.mark.checklist(2)
def test_issuer_option_overrides_the_setting(settings: Any) -> None:
    settings.FEDCM_ISSUER = None
    document = json.loads(run("--issuer", "https://login.example.com"))
    assert document == {
        "provider_urls": ["https://login.example.com/fedcm/config.json"],
        "accounts_endpoint": "https://login.example.com/fedcm/accounts",
        "login_url": "https://login.example.com/fedcm/login",
    }


def test_output_writes_a_world_readable_file(tmp_path: Path) -> None:
    target = tmp_path / "web-identity"
    target.write_text("old")
    assert run("--output", str(target)) == ""
    assert json.loads(target.read_text()) == json.loads(run())
    assert stat.S_IMODE(target.stat().st_mode) == 0o644
    assert [p.name for p in tmp_path.iterdir()] == ["web-identity"]  # no temp file left


def test_output_into_a_missing_directory_is_a_command_error(tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="does not exist"):
        run("--output", str(tmp_path / "nope" / "web-identity"))


def test_unwritable_output_is_a_command_error(tmp_path: Path) -> None:
    target = tmp_path / "dir-in-the-way"
    target.mkdir()
    with pytest.raises(CommandError, match="Cannot write"):
        run("--output", str(target))


def test_without_any_issuer_it_says_how_to_fix_it(settings: Any) -> None:
    settings.FEDCM_ISSUER = None
    with pytest.raises(CommandError, match="--issuer"):
        run()
