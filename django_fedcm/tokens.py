"""Deprecated alias of :mod:`django_fedcm.services.tokens` (moved in 0.2.0; removed in 1.0).

Import from :mod:`django_fedcm.services.tokens` instead.
"""

from __future__ import annotations

import sys
import warnings

from django_fedcm.services import tokens as _target

warnings.warn(
    "django_fedcm.tokens moved to django_fedcm.services.tokens",
    DeprecationWarning,
    stacklevel=2,
)
sys.modules[__name__] = _target
