"""Client registry lookups: the one place that turns a ``client_id`` into a
:class:`~django_fedcm.models.RelyingParty` (one query, application joined)."""

from __future__ import annotations

from django_fedcm.internal.origins import origin_matches
from django_fedcm.models import RelyingParty


def get_relying_party(client_id: str | None) -> RelyingParty | None:
    """The registration for ``client_id`` (enabled or not), or ``None``."""
    # Over-long ids cannot exist; a NUL byte is valid form/query input but not
    # a valid PostgreSQL string literal (it would raise, i.e. a 500).
    if not client_id or len(client_id) > 255 or "\x00" in client_id:
        return None
    return (
        RelyingParty.objects.select_related("application")
        .filter(application__client_id=client_id)
        .first()
    )


def origin_is_registered(relying_party: RelyingParty, origin: str | None) -> bool:
    """Exact match of a request ``Origin`` against the client's origins."""
    return origin_matches(origin, relying_party.origins)
