"""The OAuth 2.0 / OIDC door, built on django-oauth-toolkit (DOT).

One issuer, one key set, one client registry (docs/oauth-and-fedcm.md):

* :mod:`.validators`: DOT's ``OAuth2Validator`` signing ID tokens with the
  ``fedcm_keys`` key set, with FedCM's ``sub``, claims and issuer, and
  recording a FedCM grant when the user approves a client.
* :mod:`.views` / :mod:`.urls`: DOT's URLs with an authorization view that
  skips consent for clients the user already approved through FedCM.
* :mod:`.fedcm_code`: "FedCM for OAuth": a DOT authorization code answered
  by the id assertion endpoint.
* :mod:`.scopes`: the mapping between OAuth scopes and FedCM fields.
"""
