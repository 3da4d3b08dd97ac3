from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from datetime import timedelta
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.db import OperationalError
from django.test import override_settings
from django.utils import timezone
from jwcrypto.jwk import JWK

from django_fedcm.models import AuditEvent, SigningKey
from django_fedcm.services import crypto, keys

pytestmark = pytest.mark.django_db

MakeKey = Callable[..., SigningKey]


def run(*args: str) -> str:
    out = StringIO()
    call_command("fedcm_keys", *args, stdout=out, stderr=StringIO())
    return out.getvalue()


def snapshot() -> list[tuple[Any, ...]]:
    return list(
        SigningKey.objects.order_by("pk").values_list(
            "kid", "state", "activated_at", "retired_at", "private_key_encrypted"
        )
    )


def private_d(key: SigningKey) -> str:
    jwk = JWK.from_json(crypto.decrypt(key.private_key_encrypted).decode())
    return str(jwk.export_private(as_dict=True)["d"])


# --------------------------------------------------------------------------- rotate


def test_rotate_creates_first_key_with_default_algorithm() -> None:
    out = run("rotate")
    key = SigningKey.objects.get()
    assert key.state == "active" and key.algorithm == "RS256"
    assert f"Active signing key: {key.kid} (RS256, created)" in out
    assert "Retired" not in out
    event = AuditEvent.objects.get()
    assert event.action == "signing_key.rotated" and event.actor is None
    assert event.changes == {
        "via": "fedcm_keys",
        "active_kid": [None, key.kid],
        "algorithm": "RS256",
        "created": True,
    }


def test_rotate_with_algorithm_retires_previous(fedcm_make_key: MakeKey) -> None:
    old = fedcm_make_key("RS256")
    out = run("rotate", "--algorithm", "ES256")
    old.refresh_from_db()
    new = SigningKey.objects.get(state="active")
    assert new.algorithm == "ES256" and old.state == "retired"
    assert f"Retired {old.kid}; it stays in the JWKS until" in out
    assert AuditEvent.objects.get().changes["active_kid"] == [old.kid, new.kid]


@override_settings(FEDCM_KEY_ALGORITHM="EdDSA")
def test_rotate_default_algorithm_follows_setting() -> None:
    run("rotate")
    assert SigningKey.objects.get().algorithm == "EdDSA"


def test_rotate_promotes_prepublished_key(fedcm_make_key: MakeKey) -> None:
    fedcm_make_key("RS256")
    upcoming = fedcm_make_key("ES256", state="next")
    out = run("rotate")
    upcoming.refresh_from_db()
    assert upcoming.state == "active"
    assert "promoted the pre-published key" in out
    assert SigningKey.objects.count() == 2


def test_rotate_unknown_algorithm_is_a_clear_error_and_changes_nothing(
    fedcm_make_key: MakeKey,
) -> None:
    fedcm_make_key("RS256")
    before = snapshot()
    with pytest.raises(CommandError, match="Unknown algorithm 'HS256'; choose one of RS256"):
        run("rotate", "--algorithm", "HS256")
    assert snapshot() == before
    assert not AuditEvent.objects.exists()


def test_missing_subcommand_is_an_error() -> None:
    with pytest.raises(CommandError):
        run()


# --------------------------------------------------------------------------- prepublish


def test_prepublish_creates_next_key_published_before_signing(fedcm_make_key: MakeKey) -> None:
    active = fedcm_make_key("RS256")
    out = run("prepublish", "--algorithm", "ES256")
    upcoming = SigningKey.objects.get(state="next")
    assert upcoming.algorithm == "ES256"
    assert f"Pre-published {upcoming.kid} (ES256)" in out
    assert [k["kid"] for k in keys.jwks()["keys"]] == [active.kid, upcoming.kid]
    assert keys.signing_key().kid == active.kid
    assert AuditEvent.objects.get().action == "signing_key.prepublished"


def test_prepublish_twice_is_refused(fedcm_make_key: MakeKey) -> None:
    fedcm_make_key("ES256", state="next")
    before = snapshot()
    with pytest.raises(CommandError, match="already published"):
        run("prepublish")
    assert snapshot() == before


def test_prepublish_unknown_algorithm(fedcm_make_key: MakeKey) -> None:
    with pytest.raises(CommandError, match="Unknown algorithm"):
        run("prepublish", "--algorithm", "none")
    assert not SigningKey.objects.exists()


# --------------------------------------------------------------------------- list


def test_list_without_keys_says_how_to_create_one() -> None:
    assert "fedcm_keys rotate" in run("list")


@override_settings(FEDCM_KEY_GRACE_PERIOD=3600)
def test_list_shows_every_key_and_no_key_material(fedcm_make_key: MakeKey) -> None:
    retired_at = timezone.now() - timedelta(minutes=10)
    active = fedcm_make_key("RS256")
    upcoming = fedcm_make_key("ES256", state="next")
    retired = fedcm_make_key("EdDSA", state="retired", retired_at=retired_at)
    out = run("list")
    lines = out.splitlines()
    assert lines[0].split() == [
        "KID", "ALG", "STATE", "CREATED", "ACTIVATED", "RETIRED", "PUBLISHED", "UNTIL"
    ]  # fmt: skip
    by_kid = {line.split()[0]: line for line in lines[1:]}
    assert set(by_kid) == {active.kid, upcoming.kid, retired.kid}
    assert "active" in by_kid[active.kid] and "while not retired" in by_kid[active.kid]
    until = timezone.localtime(retired_at + timedelta(hours=1)).strftime("%Y-%m-%d %H:%M:%S")
    assert until in by_kid[retired.kid]
    for key in (active, upcoming, retired):
        assert private_d(key) not in out
        assert bytes(key.private_key_encrypted).decode() not in out


# --------------------------------------------------------------------------- retire


def test_retire_deletes_an_expired_retired_key(fedcm_make_key: MakeKey) -> None:
    fedcm_make_key("RS256")
    old = fedcm_make_key("ES256", state="retired", retired_at=timezone.now() - timedelta(days=30))
    out = run("retire", old.kid)
    assert not SigningKey.objects.filter(kid=old.kid).exists()
    assert f"Deleted {old.kid}" in out
    event = AuditEvent.objects.get()
    assert event.action == "signing_key.deleted" and old.kid in event.target_repr


def test_retire_dry_run_changes_nothing(fedcm_make_key: MakeKey) -> None:
    old = fedcm_make_key("ES256", state="retired", retired_at=timezone.now() - timedelta(days=30))
    before = snapshot()
    assert f"Would delete {old.kid}" in run("retire", old.kid, "--dry-run")
    assert snapshot() == before
    assert not AuditEvent.objects.exists()


def test_retire_active_key_is_refused(fedcm_make_key: MakeKey) -> None:
    active = fedcm_make_key("RS256")
    before = snapshot()
    for extra in ([], ["--force"]):
        with pytest.raises(CommandError, match="is the active signing key; rotate first"):
            run("retire", active.kid, *extra)
    assert snapshot() == before


def test_retire_unknown_kid_is_refused(fedcm_make_key: MakeKey) -> None:
    fedcm_make_key("RS256")
    before = snapshot()
    with pytest.raises(CommandError, match="No signing key with kid 'nope'"):
        run("retire", "nope")
    assert snapshot() == before


def test_retire_key_in_grace_period_needs_force(fedcm_make_key: MakeKey) -> None:
    fedcm_make_key("RS256")
    recent = fedcm_make_key("ES256", state="retired")
    upcoming = fedcm_make_key("EdDSA", state="next")
    before = snapshot()
    for kid, why in ((recent.kid, "is still published"), (upcoming.kid, "is the pre-published")):
        with pytest.raises(CommandError, match=f"{why}.*; pass --force"):
            run("retire", kid)
    assert snapshot() == before
    run("retire", recent.kid, "--force")
    run("retire", upcoming.kid, "--force")
    assert list(SigningKey.objects.values_list("state", flat=True)) == ["active"]
    assert AuditEvent.objects.filter(changes__force=True).count() == 2


# --------------------------------------------------------------------------- prune


def test_prune_deletes_only_expired_keys(fedcm_make_key: MakeKey) -> None:
    active = fedcm_make_key("RS256")
    recent = fedcm_make_key("ES256", state="retired")
    old = fedcm_make_key("EdDSA", state="retired", retired_at=timezone.now() - timedelta(days=30))
    out = run("prune")
    assert f"Deleted 1 key(s): {old.kid}." in out
    assert set(SigningKey.objects.values_list("kid", flat=True)) == {active.kid, recent.kid}
    assert AuditEvent.objects.get().action == "signing_key.pruned"


def test_prune_dry_run_changes_nothing(fedcm_make_key: MakeKey) -> None:
    fedcm_make_key("RS256")
    old = fedcm_make_key("EdDSA", state="retired", retired_at=timezone.now() - timedelta(days=30))
    before = snapshot()
    assert f"Would delete 1 key(s): {old.kid}." in run("prune", "--dry-run")
    assert snapshot() == before
    assert not AuditEvent.objects.exists()


def test_prune_never_touches_active_or_next_keys(fedcm_make_key: MakeKey) -> None:
    fedcm_make_key("RS256", created_at=timezone.now() - timedelta(days=400))
    fedcm_make_key("ES256", state="next")
    before = snapshot()
    assert "Nothing to prune" in run("prune")
    assert snapshot() == before


# --------------------------------------------------------------------------- reencrypt


def test_reencrypt_after_secret_key_rotation(fedcm_make_key: MakeKey) -> None:
    with override_settings(SECRET_KEY="old-secret-" + "x" * 40):
        key = keys._new_key("ES256", "active", timezone.now())
        key.save()
    rotated = override_settings(
        SECRET_KEY="new-secret-" + "y" * 40, SECRET_KEY_FALLBACKS=["old-secret-" + "x" * 40]
    )
    with rotated:
        before = snapshot()
        assert f"Would re-encrypt 1 key(s): {key.kid}." in run("reencrypt", "--dry-run")
        assert snapshot() == before
        assert f"Re-encrypted 1 key(s): {key.kid}." in run("reencrypt")
        assert AuditEvent.objects.get().action == "signing_key.reencrypted"
        assert "already encrypted" in run("reencrypt")
    with override_settings(SECRET_KEY="new-secret-" + "y" * 40):  # old secret gone
        keys.clear_cache()
        assert keys.signing_key().kid == key.kid


def test_reencrypt_with_unreadable_key_is_a_clear_error(fedcm_make_key: MakeKey) -> None:
    key = fedcm_make_key("ES256")
    before = snapshot()
    with (
        override_settings(SECRET_KEY="unrelated-secret-" + "z" * 40),
        pytest.raises(CommandError, match="cannot be decrypted") as excinfo,
    ):
        run("reencrypt")
    assert snapshot() == before
    assert private_d(key) not in str(excinfo.value)
    assert bytes(key.private_key_encrypted).decode() not in str(excinfo.value)


# --------------------------------------------------------------------------- failures


def test_database_error_becomes_command_error_without_row_details(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def broken(*args: Any, **kwargs: Any) -> Any:
        raise OperationalError("no such table: x\nDETAIL:  Failing row contains (secret)")

    monkeypatch.setattr(keys, "rotate", broken)
    with pytest.raises(CommandError) as excinfo:
        run("rotate")
    assert str(excinfo.value) == (
        "Database error: no such table: x. Has `manage.py migrate` been run?"
    )


def test_database_error_without_message(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*args: Any, **kwargs: Any) -> Any:
        raise OperationalError()

    monkeypatch.setattr(keys, "prune", broken)
    with pytest.raises(CommandError, match="Database error: OperationalError"):
        run("prune")


@pytest.mark.parametrize(
    "argv", [["rotate", "--algorithm", "HS256"], ["prepublish", "--algorithm", "x"]]
)
def test_command_line_error_exits_non_zero_without_traceback(argv: list[str]) -> None:
    root = Path(__file__).resolve().parents[3]
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "tests.settings", "PYTHONPATH": str(root)}
    proc = subprocess.run(
        [sys.executable, "-m", "django", "fedcm_keys", "--skip-checks", *argv],
        capture_output=True,
        text=True,
        cwd=root,
        env=env,
        timeout=60,
        check=False,
    )
    assert proc.returncode == 1
    assert "CommandError: Unknown algorithm" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_rotate_says_when_a_fresh_key_takes_over(fedcm_signing_key: SigningKey) -> None:
    """With FEDCM_CACHE, the old key signs until every server publishes the new one."""
    SigningKey.objects.filter(pk=fedcm_signing_key.pk).update(
        created_at=timezone.now() - timedelta(days=1)
    )
    out = run("rotate")
    new = SigningKey.objects.get(state="active")
    start = keys.signs_from(new).isoformat(timespec="milliseconds")
    assert (
        f"It signs from {start}, once every server publishes it; "
        f"{fedcm_signing_key.kid} signs until then" in out
    )
    assert keys.signing_key().kid == fedcm_signing_key.kid
    upcoming = run("prepublish")
    assert "Pre-published" in upcoming
    SigningKey.objects.filter(state="next").update(created_at=timezone.now() - timedelta(hours=1))
    assert "It signs from" not in run("rotate")  # pre-published an hour ago: at once
