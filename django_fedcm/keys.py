"""Deprecated alias of :mod:`django_fedcm.services.keys` (moved in 0.2.0; removed in 1.0).

Import from :mod:`django_fedcm.services.keys` instead.
"""

from __future__ import annotations

import sys
import warnings

from django_fedcm.services import keys as _target

warnings.warn(
    "django_fedcm.keys moved to django_fedcm.services.keys",
    DeprecationWarning,
    stacklevel=2,
)
sys.modules[__name__] = _target
