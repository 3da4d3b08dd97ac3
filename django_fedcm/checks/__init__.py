"""System checks, ids ``django_fedcm.E0NN`` / ``W0NN``, each with a hint (docs/checks.md).

Settings are validated here, never at read time (:mod:`django_fedcm.conf`
reads them raw). One module per concern; importing this package (done by
``AppConfig.ready()``) registers every check:

* :mod:`~django_fedcm.checks.installation`: apps, middleware, the OAuth validator;
* :mod:`~django_fedcm.checks.settings`: the session cookie, CORS and ``FEDCM_*`` values;
* :mod:`~django_fedcm.checks.urls`: redirecting FedCM URLs, the optional REST API,
  ``LOGIN_URL`` and the OAuth door;
* :mod:`~django_fedcm.checks.cache`: ``FEDCM_CACHE``;
* :mod:`~django_fedcm.checks.throttle`: the brute-force throttle's limits and cache;
* :mod:`~django_fedcm.checks.metrics`: ``FEDCM_METRICS_ENABLED``;
* :mod:`~django_fedcm.checks.configs`: ``FEDCM_CONFIGS``;
* :mod:`~django_fedcm.checks.database`: the active signing key;
* :mod:`~django_fedcm.checks.deploy`: ``check --deploy`` only.
"""

from __future__ import annotations

from django_fedcm.checks import (
    cache,
    configs,
    database,
    deploy,
    idp_registration,
    installation,
    metrics,
    settings,
    throttle,
    urls,
)

__all__ = [
    "cache",
    "configs",
    "database",
    "deploy",
    "idp_registration",
    "installation",
    "metrics",
    "settings",
    "throttle",
    "urls",
]
