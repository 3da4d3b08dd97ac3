"""``FEDCM_METRICS_ENABLED``: the browser's sign-in reports (docs/endpoints.md, ``metrics``).

Id ``E095`` (docs/checks.md).
"""

from __future__ import annotations

from typing import Any

from django.core.checks import register

from django_fedcm.checks.common import Messages, error
from django_fedcm.conf import raw_setting

__all__ = ["check_metrics_enabled"]


@register()
def check_metrics_enabled(**kwargs: Any) -> Messages:
    """Only ``True`` turns the reports on: a string read from the environment
    (``"False"`` is truthy) must not switch on an endpoint silently, nor
    leave the operator believing it is on."""
    value = raw_setting("METRICS_ENABLED")
    if isinstance(value, bool):
        return []
    return [
        error(
            "E095",
            f"FEDCM_METRICS_ENABLED must be True or False, not {value!r}: it is treated as False.",
            "Write a boolean, e.g. FEDCM_METRICS_ENABLED = "
            'os.environ.get("FEDCM_METRICS_ENABLED") == "1".',
        )
    ]
