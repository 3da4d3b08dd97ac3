"""Public signals. Past-tense names; every kwarg is documented in docs/signals.md.

Receivers run inside the request (or command) that caused the event; keep
them fast and never let them raise for ordinary failures.
"""

from __future__ import annotations

from django.dispatch import Signal

__all__ = ["grant_created", "grant_revoked", "key_rotated", "token_issued"]

#: A token was issued by the id assertion endpoint (or the continuation page).
#: kwargs: ``request``, ``user``, ``relying_party``, ``claims`` (dict, the JWT payload).
token_issued = Signal()

#: A user approved a relying party for the first time.
#: kwargs: ``request`` (may be ``None``), ``user``, ``relying_party``, ``grant``.
grant_created = Signal()

#: A grant was removed (FedCM disconnect, admin, API, self-service).
#: kwargs: ``request`` (may be ``None``), ``user``, ``relying_party``, ``via`` (str).
grant_revoked = Signal()

#: The signing key set was rotated.
#: kwargs: ``activated`` (SigningKey), ``retired`` (SigningKey | None).
key_rotated = Signal()
