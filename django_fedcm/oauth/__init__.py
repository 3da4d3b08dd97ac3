"""The OAuth 2.0 / OIDC door, built on django-oauth-toolkit (DOT).

One issuer, one key set, one client registry (docs/oauth-and-fedcm.md):

* :mod:`.validators`: DOT's ``OAuth2Validator`` signing ID tokens with the
  ``fedcm_keys`` key set, with FedCM's ``sub``, claims and issuer, and
  recording a FedCM grant when the user approves a client.
* :mod:`.views` / :mod:`.urls`: DOT's URLs with an authorization view that
  skips consent for clients the user already approved through FedCM.
* :mod:`.capabilities`: what the door offers, shared by its routes and both
  discovery documents.

The business logic both doors share lives in :mod:`django_fedcm.services`:
:mod:`~django_fedcm.services.oauth_codes` ("FedCM for OAuth": a DOT
authorization code answered by the id assertion endpoint) and
:mod:`~django_fedcm.services.scopes` (OAuth scopes and FedCM fields).
"""
