"""Adapters the e2e scenarios switch to with ``FEDCM_ADAPTER``."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from django_fedcm.adapter import DefaultFedCMAdapter
from django_fedcm.models import RelyingParty


class DenyingAdapter(DefaultFedCMAdapter):
    """Refuses every sign-in: the id assertion endpoint answers access_denied."""

    def can_sign_in(self, request: HttpRequest, user: Any, relying_party: RelyingParty) -> bool:
        return False
