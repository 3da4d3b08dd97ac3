"""Deprecated alias of :mod:`django_fedcm.rp.backends` (moved in 0.2.0; removed in 1.0).

Use ``"django_fedcm.rp.backends.IdTokenBackend"`` in ``AUTHENTICATION_BACKENDS``.
"""

from __future__ import annotations

import sys
import warnings

from django_fedcm.rp import backends as _target

warnings.warn(
    "django_fedcm.contrib.rp.backends moved to django_fedcm.rp.backends",
    DeprecationWarning,
    stacklevel=2,
)
sys.modules[__name__] = _target
