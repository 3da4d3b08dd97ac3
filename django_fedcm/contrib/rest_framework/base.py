"""What every view of the API shares, the schema view's included: how a
request is authenticated and how its body is parsed.

Both are set here rather than inherited from the project's ``REST_FRAMEWORK``
defaults, so the API's security does not depend on them (and the project's
other DRF views keep their own).
"""

from __future__ import annotations

from collections.abc import Sequence

from django.apps import apps
from rest_framework.authentication import (
    BaseAuthentication,
    SessionAuthentication,
    TokenAuthentication,
)
from rest_framework.parsers import BaseParser

from django_fedcm.contrib.rest_framework.parsers import BoundedJSONParser

__all__ = ["ApiRequestMixin"]


class ApiRequestMixin:
    """DRF's session authentication (CSRF enforced for unsafe methods) and,
    when ``rest_framework.authtoken`` is installed, ``Authorization: Token
    <key>``; JSON bodies only, bounded in size and depth."""

    # JSON bodies only: DRF reads an absent boolean in an HTML form as False,
    # so a form-encoded PUT would silently disable a client and clear its flags.
    # Other media types get 415; the browsable API keeps its raw JSON form.
    parser_classes: Sequence[type[BaseParser]] = [BoundedJSONParser]

    def get_authenticators(self) -> list[BaseAuthentication]:
        classes: list[type[BaseAuthentication]] = [SessionAuthentication]
        if apps.is_installed("rest_framework.authtoken"):
            # First, so an anonymous request gets 401 + ``WWW-Authenticate: Token``
            # (DRF takes that header from the first authenticator; session has none).
            classes.insert(0, TokenAuthentication)
        return [cls() for cls in classes]
