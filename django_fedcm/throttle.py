"""Brute-force protection for a project's own sign-in views
(docs/security.md#brute-force-protection).

Failed ``authenticate()`` calls are counted for every view already (a
``user_login_failed`` receiver); these refuse the next attempt while an
account or a client address is locked out:

* :class:`ThrottledAuthenticationForm`: ``LoginView.as_view(
  authentication_form=ThrottledAuthenticationForm)``; mix it into the admin's
  form for ``admin.site.login_form``;
* :class:`ThrottleBackend`: first in ``AUTHENTICATION_BACKENDS``, it refuses
  every username/password ``authenticate()`` call (DRF's basic
  authentication, a hand-written view), without a message that says when;
* :func:`check_allowed` / :func:`record_failure`: for a view that checks
  credentials some other way.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import BaseBackend
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.http import HttpRequest

from django_fedcm.services.throttle import (
    SignInThrottled,
    check_allowed,
    client_address,
    record_failure,
)

__all__ = [
    "SignInThrottled",
    "ThrottleBackend",
    "ThrottledAuthenticationForm",
    "check_allowed",
    "client_address",
    "record_failure",
]


class ThrottledAuthenticationForm(AuthenticationForm):
    """Django's sign-in form, refusing a locked-out account or address with a
    non-field error (code ``"throttled"``) that says when to retry, before
    the password is checked. ``retry_after`` holds the seconds (for a
    ``Retry-After`` header)."""

    retry_after = 0

    def clean(self) -> dict[str, Any]:
        username = self.cleaned_data.get("username")
        if username is not None and self.cleaned_data.get("password"):
            try:
                check_allowed(self.request, username)
            except SignInThrottled as throttled:
                self.retry_after = throttled.retry_after
                raise ValidationError(str(throttled), code="throttled") from None
        return super().clean()


class ThrottleBackend(BaseBackend):
    """Put first in ``AUTHENTICATION_BACKENDS``: while the username or the
    client address is locked out, ``authenticate()`` stops here (it returns
    ``None``; Django's form then shows its generic error). Calls without a
    username (an ID token) pass through; ``request`` may be ``None``."""

    def authenticate(
        self, request: HttpRequest | None, username: str | None = None, **credentials: Any
    ) -> None:
        if username is None:
            username = credentials.get(get_user_model().USERNAME_FIELD)
        if isinstance(username, str) and username:
            check_allowed(request, username)  # SignInThrottled stops authenticate()
        return None
