"""Deprecated alias of :mod:`django_fedcm.rp.backends` (moved in 0.2.0; removed in 1.0).

Use ``"django_fedcm.rp.backends.IdTokenBackend"`` in ``AUTHENTICATION_BACKENDS``.
"""

from django_fedcm.internal.deprecation import alias_module

alias_module(__name__, "django_fedcm.rp.backends")
