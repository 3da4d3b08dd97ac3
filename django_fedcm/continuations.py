"""Deprecated alias of :mod:`django_fedcm.services.continuations` (moved in 0.2.0; removed in 1.0).

Import from :mod:`django_fedcm.services.continuations` instead.
"""

from __future__ import annotations

import sys
import warnings

from django_fedcm.services import continuations as _target

warnings.warn(
    "django_fedcm.continuations moved to django_fedcm.services.continuations",
    DeprecationWarning,
    stacklevel=2,
)
sys.modules[__name__] = _target
