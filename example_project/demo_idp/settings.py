"""The demo identity provider: a Django project using django_fedcm the way a
real one would (its own login page, the admin, ``fedcm_keys``).

Development settings for ``http://localhost:8000`` by default: SQLite, local
memory, DEBUG on. The production mode (``DEMO_DATABASE_URL``,
``DEMO_CACHE_URL``, ``DEMO_DEBUG=0``; example_project/README.md) runs the same
project on PostgreSQL and Redis under gunicorn, with the performance settings
docs/deployment.md recommends.
"""

from __future__ import annotations

import demo_env

SECRET_KEY = demo_env.SECRET_KEY
DEBUG = demo_env.DEBUG
ALLOWED_HOSTS = [demo_env.IDP_HOST, "localhost", "127.0.0.1"] if DEBUG else demo_env.ALLOWED_HOSTS
USE_TZ = True
TIME_ZONE = "UTC"
ROOT_URLCONF = "demo_idp.urls"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
WSGI_APPLICATION = "demo_idp.wsgi.application"

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "corsheaders",
    "rest_framework",
    "oauth2_provider",
    "django_fedcm",
    "demo_idp",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # 400 instead of Django's crash on a form POST in another charset (docs/security.md).
    "django_fedcm.middleware.FormCharsetMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "corsheaders.middleware.CorsMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Sends Set-Login: logged-in / logged-out (the FedCM Login Status API).
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
                "demo_idp.views.demo_context",
            ]
        },
    }
]

# SQLite set up for a web server (docs/deployment.md, "Small deployments on
# SQLite"): WAL lets readers work while one request writes, IMMEDIATE takes the
# write lock when a transaction starts (no "database is locked" on upgrade from
# a read lock), and writers wait up to 20 s for it instead of failing at once.
DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": str(demo_env.DATABASE),
        "OPTIONS": {
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        },
    }
}
if demo_env.DATABASE_URL:
    DATABASES = {"default": demo_env.database_from_url(demo_env.DATABASE_URL)}
    # Persistent connections: a new PostgreSQL connection per request costs
    # more than the whole id assertion (docs/deployment.md, "Performance settings").
    DATABASES["default"]["CONN_MAX_AGE"] = 600
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True

if demo_env.CACHE_URL:
    CACHES = {"default": demo_env.cache_from_url(demo_env.CACHE_URL)}
    # Shared by every process: the client registry (docs/settings.md,
    # FEDCM_CACHE) and the sessions (read from Redis, written through to the
    # database) come from it, one round trip each instead of a query.
    FEDCM_CACHE = "default"
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"

# FedCM sends the IdP session cookie on cross-site credentialed fetches
# (accounts, id assertion, disconnect) only when it is SameSite=None; Secure.
# Chromium accepts Secure cookies over plain http on localhost.
SESSION_COOKIE_SAMESITE = "None"
SESSION_COOKIE_SECURE = True
SESSION_COOKIE_NAME = "demo_idp_session"
CSRF_COOKIE_NAME = "demo_idp_csrftoken"
CORS_ALLOW_CREDENTIALS = True

STATIC_URL = "/static/"
MEDIA_URL = "/media/"
MEDIA_ROOT = str(demo_env.HERE / "media")

LOGIN_URL = "/accounts/login/"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "/"

# The issuer the ID tokens name; the demo RP checks it.
FEDCM_ISSUER = demo_env.IDP_ORIGIN
# The config file's branding; "name" also labels the login popup and the
# getUserInfo button (otherwise they show the host, "localhost:8000").
FEDCM_BRANDING = {"name": "django-fedcm demo", "background_color": "#0b4f3c", "color": "#ffffff"}
# The browser's sign-in reports (Chrome with --enable-features=FedCmMetricsEndpoint)
# feed the admin's "Sign-in reports" dashboard (docs/endpoints.md, metrics).
FEDCM_METRICS_ENABLED = True
# A second account set (docs/settings.md, FEDCM_CONFIGS): /fedcm/config/work.json
# offers only accounts whose profile carries the label "work" (alice's does).
FEDCM_CONFIGS = {
    "work": {
        "account_label": "work",
        "branding": {
            "name": "django-fedcm demo (work)",
            "background_color": "#1a3a6b",
            "color": "#ffffff",
        },
    }
}

# The OAuth 2.0 / OIDC door (docs/oauth-and-fedcm.md): same issuer, same key
# set, same client registration as FedCM, for browsers without FedCM.
OAUTH2_PROVIDER = {
    "OIDC_ENABLED": True,
    "PKCE_REQUIRED": True,
    "OAUTH2_VALIDATOR_CLASS": "django_fedcm.oauth.validators.FedCMOAuth2Validator",
    "OIDC_ISS_ENDPOINT": FEDCM_ISSUER,
    "SCOPES": {
        "openid": "Sign you in",
        "profile": "Your name and picture",
        "email": "Your email address",
    },
    "DEFAULT_SCOPES": ["openid"],
    # The demo RP's origin is http://127.0.0.1:8001: DOT validates the allowed
    # origins against this list (default ["https"]), so without "http" the demo
    # client could not be saved in the admin. Production: leave it at https.
    "ALLOWED_SCHEMES": ["http", "https"],
}
OAUTH2_PROVIDER_APPLICATION_MODEL = "oauth2_provider.Application"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "loggers": {"django_fedcm": {"handlers": ["console"], "level": "INFO"}},
}
