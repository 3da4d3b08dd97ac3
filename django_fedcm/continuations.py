"""Deprecated alias of :mod:`django_fedcm.services.continuations` (moved in 0.2.0, removed in 1.0).

Import from :mod:`django_fedcm.services.continuations`.
"""

from django_fedcm.internal.deprecation import alias_module

alias_module(__name__, "django_fedcm.services.continuations")
