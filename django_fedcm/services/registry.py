"""Client registry lookups: the one place that turns a ``client_id`` into a
:class:`~django_fedcm.models.RelyingParty` (application joined).

With ``FEDCM_CACHE`` set, a registration comes from the shared cache (no
query); any save or delete of a relying party or an application replaces the
registry's version after its commit (:func:`invalidate`, wired in
``receivers.py``), so a disabled client or a removed origin is refused on the
next request on every server. Without it, one query per request.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from django_fedcm.internal.forms import form_value
from django_fedcm.internal.origins import origin_matches
from django_fedcm.models import RelyingParty
from django_fedcm.services import shared_cache

__all__ = [
    "CLIENT_ID_MAX_LENGTH",
    "get_relying_party",
    "invalidate",
    "origin_is_registered",
    "relying_party_for_request",
]

#: ``oauth2_provider.Application.client_id`` column size; longer ids cannot exist.
CLIENT_ID_MAX_LENGTH = 255

_NAMESPACE = "registry"
_MEMO = "_fedcm_relying_party"
_UNSET = object()


def get_relying_party(client_id: str | None) -> RelyingParty | None:
    """The registration for ``client_id`` (enabled or not), or ``None``."""
    # The one input check on a client_id from the network. A NUL byte is
    # valid form/query input but not a valid PostgreSQL string literal (it
    # would raise, i.e. a 500); an over-long id would be a wasted query.
    if not client_id or len(client_id) > CLIENT_ID_MAX_LENGTH or "\x00" in client_id:
        return None
    # The version is read before the row: see services/shared_cache.py.
    version, cached = shared_cache.get(_NAMESPACE, client_id)
    if not shared_cache.is_miss(cached):
        return cached  # type: ignore[no-any-return]
    relying_party = (
        RelyingParty.objects.select_related("application")
        .filter(application__client_id=client_id)
        .first()
    )
    if relying_party is not None:  # unknown ids are not cached: anyone can send them
        shared_cache.put(_NAMESPACE, client_id, version, relying_party)
    return relying_party


def invalidate(**kwargs: Any) -> None:
    """Receiver for every registry write: forget all cached registrations
    once the write commits."""
    shared_cache.bump(_NAMESPACE)


def relying_party_for_request(request: HttpRequest) -> RelyingParty | None:
    """The registration named by the request's ``client_id`` (form body for
    POST, query string otherwise), enabled or not.

    Kept on the request: the django-cors-headers receiver and the view both
    need it, and each request costs one query, not two.
    """
    memo: Any = getattr(request, _MEMO, _UNSET)
    if memo is _UNSET:
        memo = get_relying_party(form_value(request, "client_id"))
        setattr(request, _MEMO, memo)
    return memo  # type: ignore[no-any-return]


def origin_is_registered(relying_party: RelyingParty, origin: str | None) -> bool:
    """Exact match of a request ``Origin`` against the client's origins."""
    return origin_matches(origin, relying_party.origins)
