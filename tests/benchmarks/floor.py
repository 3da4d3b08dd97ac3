"""The floor of ``bench_server.py``: what an id assertion costs with no database.

One bare Django view that does the work every FedCM id assertion must do and
nothing else: parse the same form, check ``Sec-Fetch-Dest``, the client id,
the ``Origin`` and the account, sign one RS256 JWT with jwcrypto (key parsed
once per process, as django_fedcm does) and answer JSON with the CORS headers.
No middleware, no session, no database. This module is the settings module
and the URLconf; gunicorn serves it as
``'django.core.wsgi:get_wsgi_application()'`` with
``DJANGO_SETTINGS_MODULE=tests.benchmarks.floor``.
"""

from __future__ import annotations

import json
import os
import time

from django.http import HttpRequest, HttpResponse
from django.urls import path
from django.views.decorators.csrf import csrf_exempt
from jwcrypto.jwk import JWK
from jwcrypto.jwt import JWT

SECRET_KEY = "benchmark-floor-only"
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
ROOT_URLCONF = "tests.benchmarks.floor"
INSTALLED_APPS: list[str] = []
MIDDLEWARE: list[str] = []
DATABASES: dict[str, object] = {}
USE_TZ = True

#: Set by bench_server.py to the IdP's values, so both sign the same claims.
ISSUER = os.environ.get("BENCH_FLOOR_ISSUER", "http://localhost:8000")
CLIENT_ID = os.environ.get("BENCH_FLOOR_CLIENT_ID", "demo-rp")
ORIGINS = frozenset(os.environ.get("BENCH_FLOOR_ORIGINS", "http://127.0.0.1:8001").split(","))
ACCOUNT_ID = os.environ.get("BENCH_FLOOR_ACCOUNT_ID", "1")

_KEY = JWK.generate(kty="RSA", size=2048, kid="floor", alg="RS256", use="sig")
_KEY = JWK.from_json(_KEY.export_private())  # as django_fedcm holds it: parsed once


def _error(code: str) -> HttpResponse:
    return HttpResponse(json.dumps({"error": {"code": code}}), content_type="application/json")


@csrf_exempt
def assertion(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        return HttpResponse(status=405)
    if request.headers.get("Sec-Fetch-Dest", "").lower() != "webidentity":
        return HttpResponse(status=400)
    form = request.POST
    origin = request.headers.get("Origin")
    if form.get("client_id") != CLIENT_ID or origin not in ORIGINS:
        return _error("unauthorized_client")
    if form.get("account_id") != ACCOUNT_ID:
        return _error("access_denied")
    params = json.loads(form.get("params") or "{}")
    now = int(time.time())
    claims = {
        "iss": ISSUER,
        "sub": ACCOUNT_ID,
        "aud": CLIENT_ID,
        "nonce": params.get("nonce") or form.get("nonce"),
        "iat": now,
        "exp": now + 300,
        "name": "Alice Example",
        "given_name": "Alice",
        "family_name": "Example",
        "email": "alice@example.com",
        "email_verified": False,
    }
    token = JWT(header={"alg": "RS256", "kid": "floor", "typ": "JWT"}, claims=claims)
    token.make_signed_token(_KEY)
    response = HttpResponse(
        json.dumps({"token": token.serialize()}), content_type="application/json"
    )
    response["Access-Control-Allow-Origin"] = origin
    response["Access-Control-Allow-Credentials"] = "true"
    response["Cache-Control"] = "no-store"
    response["Vary"] = "Origin"
    return response


urlpatterns = [path("fedcm/assertion", assertion)]
