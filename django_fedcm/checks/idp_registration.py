"""``FEDCM_IDP_REGISTRATION_*``: the IdP Registration API page (docs/endpoints.md,
``idp_registration``). Ids ``E096``, ``E097`` (docs/checks.md)."""

from __future__ import annotations

from typing import Any

from django.core.checks import register

from django_fedcm.checks.common import Messages, error
from django_fedcm.conf import raw_setting

__all__ = ["check_idp_registration"]


@register()
def check_idp_registration(**kwargs: Any) -> Messages:
    """The settings are read leniently (only ``True`` enables, only non-empty
    strings count as types): say so when what was written is ignored."""
    messages: Messages = []
    enabled = raw_setting("IDP_REGISTRATION_ENABLED")
    if not isinstance(enabled, bool):
        messages.append(
            error(
                "E096",
                f"FEDCM_IDP_REGISTRATION_ENABLED must be True or False, not {enabled!r}: "
                "it is treated as False.",
                "Write a boolean, e.g. FEDCM_IDP_REGISTRATION_ENABLED = True.",
            )
        )
    types = raw_setting("IDP_REGISTRATION_TYPES")
    valid = isinstance(types, list | tuple) and all(isinstance(t, str) and t for t in types)
    if not valid:
        messages.append(
            error(
                "E097",
                f"FEDCM_IDP_REGISTRATION_TYPES must be a list of non-empty strings, not "
                f"{types!r}: what is not is left out of the config file.",
                'Write e.g. FEDCM_IDP_REGISTRATION_TYPES = ["work"], or () for none.',
            )
        )
    return messages
