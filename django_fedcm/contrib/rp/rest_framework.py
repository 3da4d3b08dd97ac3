"""Deprecated alias of :mod:`django_fedcm.rp.rest_framework` (moved in 0.2.0; removed in 1.0).

Use ``"django_fedcm.rp.rest_framework.IdTokenAuthentication"`` in
``DEFAULT_AUTHENTICATION_CLASSES``.
"""

from __future__ import annotations

import sys
import warnings

from django_fedcm.rp import rest_framework as _target

warnings.warn(
    "django_fedcm.contrib.rp.rest_framework moved to django_fedcm.rp.rest_framework",
    DeprecationWarning,
    stacklevel=2,
)
sys.modules[__name__] = _target
