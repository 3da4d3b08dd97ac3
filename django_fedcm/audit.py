"""Deprecated alias of :mod:`django_fedcm.services.audit` (moved in 0.2.0; removed in 1.0).

Import from :mod:`django_fedcm.services.audit` instead.
"""

from __future__ import annotations

import sys
import warnings

from django_fedcm.services import audit as _target

warnings.warn(
    "django_fedcm.audit moved to django_fedcm.services.audit",
    DeprecationWarning,
    stacklevel=2,
)
sys.modules[__name__] = _target
