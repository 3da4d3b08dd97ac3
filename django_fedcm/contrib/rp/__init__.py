"""Deprecated home of the relying-party integrations (moved in 0.2.0; removed in 1.0).

They live in :mod:`django_fedcm.rp` now: :mod:`django_fedcm.rp.backends` and
:mod:`django_fedcm.rp.rest_framework`. The old module paths below still work
and warn.
"""
