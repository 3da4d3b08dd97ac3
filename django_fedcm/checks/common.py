"""Helpers shared by the check modules: message constructors and the issuer origin."""

from __future__ import annotations

from typing import Any

from django.core.checks import CheckMessage, Error, Warning

from django_fedcm.conf import raw_setting
from django_fedcm.internal.origins import normalize_origin

__all__ = ["Messages", "error", "issuer_origin", "warning"]

Messages = list[CheckMessage]

_ID = "django_fedcm.{}"


def error(number: str, msg: str, hint: str, obj: Any = None) -> Error:
    return Error(msg, hint=hint, obj=obj, id=_ID.format(number))


def warning(number: str, msg: str, hint: str, obj: Any = None) -> Warning:
    return Warning(msg, hint=hint, obj=obj, id=_ID.format(number))


def issuer_origin() -> tuple[str | None, bool]:
    """``(origin, valid)`` for ``FEDCM_ISSUER`` (``(None, True)`` when unset)."""
    issuer = raw_setting("ISSUER")
    if issuer is None or issuer == "":
        return None, True
    if not isinstance(issuer, str):
        return None, False
    try:
        return normalize_origin(issuer), True
    except ValueError:
        return None, False
