"""The django-fedcm REST API: an optional extra, ``pip install "django-fedcm[api]"``.

The only part of django-fedcm (with :mod:`django_fedcm.rp.rest_framework`)
that imports Django REST framework; see docs/api.md. Mount
``django_fedcm.contrib.rest_framework.urls`` and add ``"rest_framework"`` to
``INSTALLED_APPS`` (system check ``django_fedcm.E004``).
"""

from __future__ import annotations

from django.core.exceptions import ImproperlyConfigured

try:
    import rest_framework  # noqa: F401
except ImportError as exc:  # pragma: no cover - tests/test_without_rest_framework.py
    raise ImproperlyConfigured(
        "The django-fedcm REST API needs Django REST framework: "
        'pip install "django-fedcm[api]" and add "rest_framework" to INSTALLED_APPS.'
    ) from exc
