"""Deprecated alias of :mod:`django_fedcm.services.login_status` (moved in 0.2.0; removed in 1.0).

Import from :mod:`django_fedcm.services.login_status` instead.
"""

from __future__ import annotations

import sys
import warnings

from django_fedcm.services import login_status as _target

warnings.warn(
    "django_fedcm.login_status moved to django_fedcm.services.login_status",
    DeprecationWarning,
    stacklevel=2,
)
sys.modules[__name__] = _target
