"""Django admin for django-fedcm, one module per model family. Thin: every
save, delete and action calls :mod:`django_fedcm.services`, which validates,
writes, audits and signals (the REST API and ``fedcm_keys`` call the same
functions).

* :mod:`.relying_parties`: the FedCM inline on django-oauth-toolkit's
  Application page, and a read-only list.
* :mod:`.profiles`: the FedCM profile inline on Django's default User admin,
  or a standalone admin when the project replaced the User admin.
* :mod:`.grants`: list and revoke.
* :mod:`.signing_keys`: read-only (public parts) plus a "Rotate signing key"
  button; ``manage.py fedcm_keys`` does everything else.
* :mod:`.audit`: the read-only audit trail.
* :mod:`.dashboard`: the sign-in dashboard (charts of what the product records).

Importing this package registers them all on ``django.contrib.admin.site``.
"""

from __future__ import annotations

from django_fedcm.admin.audit import AuditEventAdmin
from django_fedcm.admin.base import ReadOnlyAdmin
from django_fedcm.admin.dashboard import SignInDashboardAdmin
from django_fedcm.admin.grants import GrantAdmin
from django_fedcm.admin.profiles import (
    AccountProfileAdmin,
    AccountProfileForm,
    AccountProfileInline,
    FedCMUserAdmin,
    register_profile_admin,
    validate_picture,
)
from django_fedcm.admin.relying_parties import (
    FedCMApplicationAdmin,
    FedCMApplicationAdminMixin,
    FedCMApplicationForm,
    RelyingPartyAdmin,
    RelyingPartyInline,
    register_application_admin,
)
from django_fedcm.admin.signing_keys import SigningKeyAdmin

__all__ = [
    "AccountProfileAdmin",
    "AccountProfileForm",
    "AccountProfileInline",
    "AuditEventAdmin",
    "FedCMApplicationAdmin",
    "FedCMApplicationAdminMixin",
    "FedCMApplicationForm",
    "FedCMUserAdmin",
    "GrantAdmin",
    "ReadOnlyAdmin",
    "RelyingPartyAdmin",
    "RelyingPartyInline",
    "SignInDashboardAdmin",
    "SigningKeyAdmin",
    "register_application_admin",
    "register_profile_admin",
    "validate_picture",
]
