"""Settings for the test suite. SQLite by default; PostgreSQL when
``FEDCM_TEST_DATABASE=postgres`` (CI sets it; see .ci/run)."""

from __future__ import annotations

import os

SECRET_KEY = "tests-only-secret-key-not-for-production-0123456789"
DEBUG = False
ALLOWED_HOSTS = ["localhost", "127.0.0.1", "testserver", "idp.test", "rp.test"]
USE_TZ = True
TIME_ZONE = "UTC"
ROOT_URLCONF = "tests.urls"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "corsheaders",
    "rest_framework",
    "rest_framework.authtoken",  # token auth of the django-fedcm API
    "oauth2_provider",
    "django_fedcm",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django_fedcm.middleware.FormCharsetMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "corsheaders.middleware.CorsMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_fedcm.middleware.LoginStatusMiddleware",
]

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ]
        },
    }
]

if os.environ.get("FEDCM_TEST_DATABASE") == "postgres":
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": os.environ.get("PGDATABASE", "test"),
            "USER": os.environ.get("PGUSER", "postgres"),
            "HOST": os.environ.get("PGHOST", "127.0.0.1"),
            "PORT": os.environ.get("PGPORT", "5432"),
            # One test database per pytest process: two runs on one server
            # (a developer and a tox cell, two tox cells) never share rows.
            "TEST": {"NAME": f"test_django_fedcm_{os.getpid()}"},
        }
    }
else:
    DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}}

# A cache on disk, shared with a subprocess (the cross-process registry test).
if os.environ.get("FEDCM_TEST_CACHE_DIR"):
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": os.environ["FEDCM_TEST_CACHE_DIR"],
        }
    }

# FedCM needs the IdP session cookie on cross-site credentialed fetches.
SESSION_COOKIE_SAMESITE = "None"
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SAMESITE = "Lax"
CORS_ALLOW_CREDENTIALS = True
APPEND_SLASH = False

STATIC_URL = "/static/"
MEDIA_URL = "/media/"
MEDIA_ROOT = os.path.join(os.path.dirname(__file__), "_media")
LOGIN_URL = "django_fedcm:login"  # as docs/quickstart.md sets it

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # fast tests

FEDCM_ISSUER = "https://idp.test"
# The registry cache on: the suite is one process, so local memory is shared.
FEDCM_CACHE = "default"
FEDCM_KEY_GRACE_PERIOD = 3600

OAUTH2_PROVIDER = {
    "PKCE_REQUIRED": True,
    "OIDC_ENABLED": True,
    # The OAuth door speaks for the FedCM identity (docs/oauth-and-fedcm.md).
    "OAUTH2_VALIDATOR_CLASS": "django_fedcm.oauth.validators.FedCMOAuth2Validator",
    "OIDC_ISS_ENDPOINT": "https://idp.test",
    "SCOPES": {
        "openid": "OpenID Connect",
        "profile": "Your name and picture",
        "email": "Your email address",
        "read": "Read access",
    },
    "DEFAULT_SCOPES": ["openid"],
}

# django-oauth-toolkit's Application is swappable; naming the default lets
# `makemigrations --check` resolve django_fedcm's dependency on it.
OAUTH2_PROVIDER_APPLICATION_MODEL = "oauth2_provider.Application"
