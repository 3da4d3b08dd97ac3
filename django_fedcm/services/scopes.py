"""OAuth scopes ↔ FedCM fields: the one mapping both doors share.

A FedCM grant records *fields* (``name``, ``email``, ``picture``, ...; what
the browser disclosed) and, for OAuth, *scopes*. The OIDC standard scopes map
onto fields so that a user who approved a client through one door is not
asked again through the other, and so that a token carries the same claims
whichever door issued it: ``openid profile email`` ⇔ FedCM's default fields
``name, email, picture`` (OIDC Core §5.4; adapter ``get_claims``).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

__all__ = ["SCOPE_FIELDS", "fields_for_scopes", "grant_covers", "scopes_covered_by", "split"]

#: OIDC scope → FedCM fields whose claims it releases.
SCOPE_FIELDS: dict[str, frozenset[str]] = {
    "openid": frozenset(),
    "profile": frozenset({"name", "picture"}),
    "email": frozenset({"email"}),
    "phone": frozenset({"tel"}),
}


def split(scope: str | Iterable[str] | None) -> set[str]:
    """A scope parameter (space-separated string or list) as a set."""
    if scope is None:
        return set()
    if isinstance(scope, str):
        return set(scope.split())
    return {str(s) for s in scope}


def fields_for_scopes(scopes: Iterable[str]) -> set[str]:
    """FedCM fields whose claims the scopes release."""
    fields: set[str] = set()
    for scope in scopes:
        fields |= SCOPE_FIELDS.get(scope, frozenset())
    return fields


def scopes_covered_by(grant: Any) -> set[str]:
    """Scopes a FedCM grant already covers: the OAuth scopes it recorded, plus
    every OIDC scope whose fields the user disclosed through FedCM."""
    if grant is None:
        return set()
    disclosed = set(grant.disclosed_fields)
    covered = set(grant.scopes)
    covered |= {scope for scope, fields in SCOPE_FIELDS.items() if fields <= disclosed}
    return covered


def grant_covers(grant: Any, scopes: Iterable[str]) -> bool:
    """True when ``grant`` (a :class:`django_fedcm.models.Grant` or ``None``)
    already covers every requested scope: no consent needed."""
    return grant is not None and set(scopes) <= scopes_covered_by(grant)
