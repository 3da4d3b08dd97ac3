"""The demo relying party (RP): a second, tiny Django site at
``http://127.0.0.1:8001``, a different site from the IdP as FedCM requires.

No database: the RP keeps its signed-in user in a signed-cookie session.
"""

from __future__ import annotations

import demo_env

SECRET_KEY = "rp-" + demo_env.SECRET_KEY
DEBUG = True
ALLOWED_HOSTS = [demo_env.RP_HOST, "localhost", "127.0.0.1"]
USE_TZ = True
TIME_ZONE = "UTC"
ROOT_URLCONF = "demo_rp.urls"
WSGI_APPLICATION = None

INSTALLED_APPS = [
    "django.contrib.contenttypes",
    "django.contrib.auth",
    "django.contrib.sessions",
    "demo_rp",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {"context_processors": ["django.template.context_processors.request"]},
    }
]

DATABASES: dict[str, dict[str, str]] = {}
SESSION_ENGINE = "django.contrib.sessions.backends.signed_cookies"
SESSION_COOKIE_NAME = "demo_rp_session"
CSRF_COOKIE_NAME = "demo_rp_csrftoken"

# Where the RP finds its identity provider, and who it is there.
DEMO_RP_IDP_ORIGIN = demo_env.IDP_ORIGIN
DEMO_RP_CONFIG_URL = f"{demo_env.IDP_ORIGIN}/fedcm/config.json"
DEMO_RP_CLIENT_ID = demo_env.CLIENT_ID
DEMO_RP_ORIGIN = demo_env.RP_ORIGIN  # the origin registered for the client at the IdP
