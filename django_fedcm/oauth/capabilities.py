"""What the OAuth door offers, declared once.

The authorization-code grant with PKCE ``S256`` (RFC 7636; RFC 9700 §2.1.1),
and refresh. :mod:`.urls` mounts only the endpoints these need, the token
view and the validator refuse the rest, and both metadata documents (OpenID
Connect Discovery and RFC 8414) advertise exactly this
(docs/oauth-and-fedcm.md "What the OAuth door offers").
"""

from __future__ import annotations

from oauth2_provider.settings import oauth2_settings

__all__ = [
    "CODE_CHALLENGE_METHODS",
    "GRANT_TYPES",
    "RESPONSE_TYPES",
    "client_auth_methods",
]

GRANT_TYPES: tuple[str, ...] = ("authorization_code", "refresh_token")
RESPONSE_TYPES: tuple[str, ...] = ("code",)
CODE_CHALLENGE_METHODS: tuple[str, ...] = ("S256",)


def client_auth_methods() -> list[str]:
    """Client authentication at the token and revocation endpoints: DOT's
    configured secret methods, plus ``none`` for public clients (PKCE in the
    browser, FedCM for OAuth), which send their ``client_id`` alone."""
    methods = [str(m) for m in oauth2_settings.OIDC_TOKEN_ENDPOINT_AUTH_METHODS_SUPPORTED]
    return methods if "none" in methods else [*methods, "none"]
