from __future__ import annotations

import ast
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser

from django_fedcm.models import AuditEvent, RelyingParty
from django_fedcm.services import audit

pytestmark = pytest.mark.django_db


def test_record_stores_actor_target_and_changes(fedcm_user: Any, fedcm_rp: RelyingParty) -> None:
    event = audit.record(fedcm_user, "relying_party.updated", fedcm_rp, {"fields": ["enabled"]})
    event.refresh_from_db()
    assert event.actor == fedcm_user
    assert event.action == "relying_party.updated"
    assert event.target_type == "django_fedcm.relyingparty"
    assert event.target_id == str(fedcm_rp.pk)
    assert event.target_repr == "Demo RP"
    assert event.changes == {"fields": ["enabled"]}


@pytest.mark.parametrize("actor", [None, AnonymousUser()])
def test_record_without_a_signed_in_actor(actor: Any, fedcm_rp: RelyingParty) -> None:
    event = audit.record(actor, "relying_party.updated", fedcm_rp)
    assert event.actor is None and event.changes == {}


def test_record_without_target() -> None:
    event = audit.record(None, "system.started", None)
    assert (event.target_type, event.target_id, event.target_repr) == ("", "", "")


def test_record_unsaved_target_and_long_repr() -> None:
    from oauth2_provider.models import Application

    rp = RelyingParty(application=Application(name="n" * 300))  # e.g. already deleted
    event = audit.record(None, "relying_party.deleted", rp)
    assert event.target_id == ""
    assert event.target_repr == "n" * 255
    assert AuditEvent.objects.count() == 1


def test_record_puts_via_first(fedcm_rp: RelyingParty) -> None:
    event = audit.record(None, "relying_party.updated", fedcm_rp, {"name": ["a", "b"]}, via="admin")
    assert list(event.changes.items()) == [("via", "admin"), ("name", ["a", "b"])]
    assert audit.record(None, "relying_party.deleted", fedcm_rp, via="api").changes == {
        "via": "api"
    }


# --------------------------------------------------------------------------- the only writer


PACKAGE = Path(__file__).resolve().parents[2] / "django_fedcm"


def audit_writes(path: Path) -> list[str]:
    """``audit.record(...)`` calls, imports of ``record`` and ``AuditEvent``
    writes in one module, as ``"line: code"``."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.ImportFrom) and (node.module or "").endswith("audit"):
            hit = any(alias.name == "record" for alias in node.names)
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            receiver = ast.unparse(node.func.value)
            hit = (node.func.attr == "record" and receiver.split(".")[-1] == "audit") or (
                receiver.startswith("AuditEvent") and node.func.attr != "get_field"
            )
        else:
            continue
        if hit:
            found.append(f"{node.lineno}: {ast.unparse(node)[:80]}")
    return found


def test_no_module_outside_services_records_audit_events() -> None:
    outside = {
        str(path.relative_to(PACKAGE)): hits
        for path in sorted(PACKAGE.rglob("*.py"))
        if path.relative_to(PACKAGE).parts[0] not in {"services", "migrations"}
        and (hits := audit_writes(path))
    }
    assert not outside, f"write audit events through a services/ function instead: {outside}"
    # The scan finds the real calls (so an empty result above means something).
    assert audit_writes(PACKAGE / "services" / "registrations.py")
    assert audit_writes(PACKAGE / "services" / "audit.py")
