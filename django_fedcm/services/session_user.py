"""The session's user, read in the same query as what the request needs.

Django's ``AuthenticationMiddleware`` loads ``request.user`` lazily, with a
query of its own (``ModelBackend.get_user``). The id assertion and accounts
endpoints need the user *and* their profile and grant (or approved clients):
:mod:`~django_fedcm.services.joined_read` reads all of it in one query, and
this module decides whether the user row it returns is the one Django would
have loaded, so the request costs one query instead of two.

Django's rules (``django.contrib.auth.get_user``), in order:

1. the session holds the user id and the path of the backend that signed the
   user in, and that path is in ``AUTHENTICATION_BACKENDS``;
2. the backend's ``get_user(user_id)``; for ``ModelBackend``, the row by
   primary key through the default manager, refused when
   ``user_can_authenticate`` says no (``is_active``);
3. the session's auth hash equals ``user.get_session_auth_hash()`` (an HMAC of
   the password hash with ``SECRET_KEY``); otherwise Django tries
   ``SECRET_KEY_FALLBACKS`` (and then cycles the session key) or flushes the
   session.

:func:`session_user_id` allows the shortcut only when rule 2 is exactly
``ModelBackend``'s (its ``get_user`` not overridden, a plain default manager)
and ``request.user`` has not been loaded yet; :func:`adopt` accepts the row
only when ``user_can_authenticate`` passes and the hash matches under the
current ``SECRET_KEY``. In every other case, the caller uses ``request.user``:
Django itself decides, with its own side effects (flush, key cycling), and
the request costs the query it always did. The shortcut never accepts a user
Django would refuse. ``tests/views/test_session_user.py`` holds the cases.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.auth import (
    BACKEND_SESSION_KEY,
    HASH_SESSION_KEY,
    SESSION_KEY,
    get_user_model,
    load_backend,
)
from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import ValidationError
from django.db import router
from django.db.models import Model
from django.db.models.manager import BaseManager
from django.http import HttpRequest
from django.utils.crypto import constant_time_compare
from django.utils.functional import SimpleLazyObject, empty

__all__ = ["SessionUser", "adopt", "session_user_id"]


@dataclass(frozen=True)
class SessionUser:
    """Where to read the session's user: model, database alias, primary key."""

    model: type[Model]
    alias: str
    pk: Any
    backend: ModelBackend


def _not_loaded_yet(request: HttpRequest) -> bool:
    """``request.user`` is still ``AuthenticationMiddleware``'s lazy object,
    not evaluated. Once evaluated (a middleware or the project read it),
    Django's answer stands and the shortcut would only repeat it."""
    user = request.__dict__.get("user")
    return isinstance(user, SimpleLazyObject) and user._wrapped is empty


def _plain_model_backend(path: str) -> ModelBackend | None:
    if path not in settings.AUTHENTICATION_BACKENDS:
        return None
    backend = load_backend(path)
    if not isinstance(backend, ModelBackend) or type(backend).get_user is not ModelBackend.get_user:
        return None
    return backend


def session_user_id(request: HttpRequest) -> SessionUser | None:
    """The session's user, when one query may load it with other data and
    :func:`adopt` decide; ``None``: use ``request.user``."""
    session = getattr(request, "session", None)
    if session is None or not _not_loaded_yet(request):
        return None
    try:
        raw_id = session[SESSION_KEY]
        backend_path = session[BACKEND_SESSION_KEY]
    except KeyError:
        return None  # signed out: request.user is the AnonymousUser, no query
    backend = _plain_model_backend(backend_path)
    model = get_user_model()
    manager = type(model._default_manager)
    if (
        backend is None
        or manager.get_queryset is not BaseManager.get_queryset
        or not hasattr(model, "get_session_auth_hash")
    ):
        return None
    try:
        pk = model._meta.pk.to_python(raw_id)
    except ValidationError:
        return None
    return SessionUser(model=model, alias=router.db_for_read(model), pk=pk, backend=backend)


def adopt(request: HttpRequest, found: SessionUser, user: Any) -> bool:
    """Make ``user`` (read by primary key ``found.pk``) the request's user if
    Django would: it may authenticate and the session's hash is its hash
    under the current ``SECRET_KEY``. ``False`` leaves ``request.user`` as
    it was, for Django to decide."""
    if not found.backend.user_can_authenticate(user):
        return False
    session_hash = request.session.get(HASH_SESSION_KEY)
    if not session_hash or not constant_time_compare(session_hash, user.get_session_auth_hash()):
        return False
    request.user = user
    request._cached_user = user  # type: ignore[attr-defined]  # what auth's get_user caches
    return True
