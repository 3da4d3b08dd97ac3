"""Relying-party integrations for RPs that are Django projects.

* :class:`~django_fedcm.contrib.rp.backends.IdTokenBackend`: a Django
  authentication backend (``authenticate(request, id_token=..., nonce=...)``).
* :class:`~django_fedcm.contrib.rp.rest_framework.IdTokenAuthentication`: a
  DRF authentication class for ``Authorization: Bearer <ID token>``.

Both verify with :class:`django_fedcm.rp.IdTokenVerifier` configured by
``FEDCM_RP_ISSUER`` / ``FEDCM_RP_CLIENT_ID`` / ``FEDCM_RP_JWKS_URI``. The RP
does not need ``django_fedcm`` in ``INSTALLED_APPS`` (no models are used).
"""
