"""When did the user authenticate? The ID token's ``auth_time`` claim (OIDC
Core §2).

Django records ``last_login`` per *user*, which a sign-in in another browser
also moves. So the moment of this session's sign-in is stored in the session
itself (``user_logged_in`` receiver, wired in ``AppConfig.ready()``), and
``last_login`` is only the fallback for sessions that started before this app
was installed.
"""

from __future__ import annotations

import time
from typing import Any

from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.http import HttpRequest

__all__ = ["SESSION_KEY", "auth_time", "record"]

#: Session key holding the epoch second of this session's sign-in.
SESSION_KEY = "_fedcm_auth_time"


@receiver(user_logged_in, dispatch_uid="django_fedcm.services.auth_time.record")
def record(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    session = getattr(request, "session", None)
    if session is not None:
        session[SESSION_KEY] = int(time.time())


def auth_time(request: HttpRequest, user: Any) -> int | None:
    """Epoch second the session's user signed in, or ``None`` if unknown."""
    session = getattr(request, "session", None)
    value = session.get(SESSION_KEY) if session is not None else None
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    last_login = getattr(user, "last_login", None)
    return int(last_login.timestamp()) if last_login is not None else None
