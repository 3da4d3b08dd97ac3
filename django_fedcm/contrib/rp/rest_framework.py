"""Deprecated alias of :mod:`django_fedcm.rp.rest_framework` (moved in 0.2.0; removed in 1.0).

Use ``"django_fedcm.rp.rest_framework.IdTokenAuthentication"`` in
``DEFAULT_AUTHENTICATION_CLASSES``.
"""

from django_fedcm.internal.deprecation import alias_module

alias_module(__name__, "django_fedcm.rp.rest_framework")
