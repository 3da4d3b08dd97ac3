"""Deployment checks, run by ``check --deploy`` only (``W080``/``W081``, docs/checks.md)."""

from __future__ import annotations

from typing import Any

from django.core.checks import Tags, register

from django_fedcm.checks.common import Messages, issuer_origin, warning
from django_fedcm.conf import raw_setting

__all__ = ["check_deploy"]


@register(Tags.security, deploy=True)
def check_deploy(**kwargs: Any) -> Messages:
    """FedCM fetches only potentially trustworthy URLs
    (https://w3c-fedid.github.io/FedCM/#fetch-config-file, checklist 60)."""
    if not raw_setting("ISSUER"):
        return [
            warning(
                "W080",
                "FEDCM_ISSUER is not set: the token issuer is derived from the request's Host "
                "header.",
                'Set FEDCM_ISSUER to your IdP origin, e.g. "https://idp.example".',
            )
        ]
    origin, valid = issuer_origin()
    if valid and origin is not None and not origin.startswith("https://"):
        return [
            warning(
                "W081",
                f"FEDCM_ISSUER ({origin}) is not https: FedCM requires HTTPS outside localhost.",
                "Serve the IdP over HTTPS and set FEDCM_ISSUER to its https:// origin.",
            )
        ]
    return []
