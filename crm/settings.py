"""Settings of the CRM, all read from the environment (see .env.example).

There is one settings module: production, development and tests differ only in
environment variables.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from urllib.parse import parse_qsl, unquote, urlsplit

import dj_database_url
from csp.constants import NONCE
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
DATA_DIR = Path(os.environ.get("DATA_DIR", BASE_DIR / ".data"))

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name} must be one of 1/0, true/false, yes/no, on/off; got {raw!r}")


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number; got {raw!r}") from None


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


def _secret_key() -> str:
    key = os.environ.get("SECRET_KEY", "")
    if key:
        return key
    # Without SECRET_KEY (development, tests) use a random key kept in the
    # git-ignored data folder, so every local process signs alike. Several app
    # servers must share SECRET_KEY through the environment instead.
    path = DATA_DIR / "secret_key"
    if not path.exists():
        DATA_DIR.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


DEBUG = env_bool("DEBUG", False)
SECRET_KEY = _secret_key()
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "crm",
    "activities",
    "people",
    "companies",
    "campaigns",
    "opportunities",
    "serviceorders",
    "reports",
    "tallies",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.postgres",
    "django.forms",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "api",
    "automations",
    "goals",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_filters",
    "django_htmx",
    "template_partials",
    "django_tasks",
    "django_tasks_db",
    "import_export",
    "chartjs",
    "axes",
    "csp",
    "pgtrigger",
    "pghistory",
    "django_otp",
    "django_otp.plugins.otp_totp",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "crm.middleware.RejectNulBytesMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "crm.middleware.TeamLocaleMiddleware",
    "crm.middleware.IdleSessionMiddleware",
    "crm.middleware.UserFiguresMiddleware",
    "crm.middleware.TwoFactorPolicyMiddleware",
    # Who changed what: the signed-in user and the URL go with every change's history row
    # (requests that change things: a read does not prefix each of its queries with the context).
    "pghistory.middleware.HistoryMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Last, as django-axes asks: it answers locked-out sign-ins.
    "axes.middleware.AxesMiddleware",
]
PGHISTORY_MIDDLEWARE_METHODS = ("POST", "PUT", "PATCH", "DELETE")
# The benchmark's load test measures the CPU time of each request (bench/cpu.py).
if os.environ.get("BENCH_CPU_LOG"):
    MIDDLEWARE.insert(0, "bench.cpu.CpuMiddleware")

ROOT_URLCONF = "crm.urls"
WSGI_APPLICATION = "crm.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "crm.context_processors.navigation",
                "activities.context_processors.reminder_counts",
            ],
        },
    },
]

# Database: an external PostgreSQL through DATABASE_URL, else the embedded one.
_database_url = os.environ.get("DATABASE_URL", "")
if not _database_url:
    from crm.embedded_db import embedded_database_url

    _database_url = embedded_database_url(DATA_DIR / "postgres")
DATABASES = {
    "default": dj_database_url.parse(
        _database_url,
        conn_max_age=env_int("DB_CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
if not DATABASES["default"]["ENGINE"].endswith("postgresql"):
    raise ImproperlyConfigured("DATABASE_URL must point to PostgreSQL (postgres://...).")
# Optional streaming replica: the dashboard and the reports read from it (crm/routers.py).
if os.environ.get("REPLICA_DATABASE_URL"):
    DATABASES["replica"] = dj_database_url.parse(
        os.environ["REPLICA_DATABASE_URL"],
        conn_max_age=env_int("DB_CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
DATABASE_ROUTERS = ["crm.routers.ReplicaRouter"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "crm.User"
# django-axes first: it refuses a locked-out username and address pair before any password check.
AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend", "crm.backends.CrmBackend"]
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = env_int("AXES_COOLOFF_MINUTES", 15) / 60  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "crm.lockout.lockout_response"
AXES_USERNAME_FORM_FIELD = "username"
AXES_VERBOSE = False
AXES_CLIENT_IP_CALLABLE = "crm.clientip.client_ip"
# "Forgot your password?": mails an hour per email address, and requests per client address.
PASSWORD_RESET_PER_ADDRESS = env_int("PASSWORD_RESET_PER_ADDRESS", 3)
PASSWORD_RESET_PER_CLIENT = env_int("PASSWORD_RESET_PER_CLIENT", 10)
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "crm:home"
LOGOUT_REDIRECT_URL = "login"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Sessions end after this much inactivity (seconds): activity renews the expiry.
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 60 * 60 * 2)
SESSION_SAVE_EVERY_REQUEST = False
# Two-factor sign-in (TOTP): any user may turn it on; when required, admins and managers must.
TWO_FACTOR_REQUIRED = env_bool("TWO_FACTOR_REQUIRED", False)
# Webhooks go only to public addresses; on-premise installs may allow private ones.
WEBHOOK_ALLOW_PRIVATE = env_bool("WEBHOOK_ALLOW_PRIVATE", False)
# The name authenticator apps show beside the CRM's codes.
OTP_TOTP_ISSUER = os.environ.get("OTP_TOTP_ISSUER", "CRM")

# Internationalisation: English is the source language; Spanish is the default.
LANGUAGE_CODE = os.environ.get("LANGUAGE_CODE", "es")
LANGUAGES = [
    ("es", _("Spanish")),
    ("pt-br", _("Portuguese (Brazil)")),
    ("en", _("English")),
]
LOCALE_PATHS = [BASE_DIR / "locale"]
# Numbers, dates and date inputs per country (crm.locales): es-pe, es-mx, pt-br...
FORMAT_MODULE_PATH = ["crm.formats"]
TIME_ZONE = os.environ.get("TIME_ZONE", "America/Lima")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = BASE_DIR / "staticfiles"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if env_bool("STATIC_MANIFEST", not DEBUG)
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", DATA_DIR / "media"))
IMPORT_MAX_BYTES = env_int("IMPORT_MAX_MB", 50) * 1024 * 1024
# Web-to-lead forms: submissions accepted per address and hour.
LEAD_FORM_RATE_PER_HOUR = env_int("LEAD_FORM_RATE_PER_HOUR", 20)
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# django-import-export (admin): importing and exporting are permissions of
# their own (people.import_person, people.export_person...), not for everyone.
IMPORT_EXPORT_IMPORT_PERMISSION_CODE = "import"
IMPORT_EXPORT_EXPORT_PERMISSION_CODE = "export"
IMPORT_EXPORT_SKIP_ADMIN_LOG = True

# Widgets render through TEMPLATES, so project templates can define widgets.
FORM_RENDERER = "django.forms.renderers.TemplatesSetting"

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# One cache shared by every app server and worker: the database (no other service to run).
CACHES = {
    "default": {
        "BACKEND": "crm.cache.DatabaseCache",
        "LOCATION": "crm_cache",
    }
}
# Attachments: the largest file accepted (MB).
ATTACHMENT_MAX_BYTES = env_int("ATTACHMENT_MAX_MB", 10) * 1024 * 1024
# The team's country, currency and time zone live in the database (Team settings page,
# crm.team); TEAM_COUNTRY, TEAM_LEGAL_NAME, BASE_CURRENCY and TIME_ZONE only seed them.
# How long a bulk change on a list can be undone (minutes).
BULK_UNDO_MINUTES = env_int("BULK_UNDO_MINUTES", 15)
# How long the values possible duplicates share are reused before they are looked for again.
DUPLICATES_CACHE_SECONDS = env_int("DUPLICATES_CACHE_SECONDS", 600)

TASKS = {
    "default": {
        "BACKEND": os.environ.get("TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
        "QUEUES": ["default"],
    }
}

# Mail goes out through SMTP, sent by the task worker (activities.mail). EMAIL_URL names the
# server: smtp://user:password@host:587 (STARTTLS), smtps://user:password@host:465 (TLS) or
# smtp://host:25?tls=0. Without it, the embedded outbox (`manage.py mail_outbox`, started by
# `make run`) receives every message on 127.0.0.1:OUTBOX_PORT and the Outbox page shows them.
OUTBOX_PORT = env_int("OUTBOX_PORT", 2525)
EMAIL_URL = os.environ.get("EMAIL_URL", "")
EMAIL_OUTBOX = not EMAIL_URL
_mail = urlsplit(EMAIL_URL or f"smtp://127.0.0.1:{OUTBOX_PORT}?tls=0")
_mail_query = dict(parse_qsl(_mail.query))
EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")
EMAIL_HOST = _mail.hostname or "127.0.0.1"
EMAIL_PORT = _mail.port or (465 if _mail.scheme == "smtps" else 587)
EMAIL_HOST_USER = unquote(_mail.username or "")
EMAIL_HOST_PASSWORD = unquote(_mail.password or "")
EMAIL_USE_SSL = _mail.scheme == "smtps"
EMAIL_USE_TLS = not EMAIL_USE_SSL and _mail_query.get("tls", "1") not in ("0", "false", "no")
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 20)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "crm@localhost")
# A message that could not be sent is tried again after 1, 2, 4... times this, this many times.
EMAIL_RETRY_SECONDS = env_int("EMAIL_RETRY_SECONDS", 60)
EMAIL_MAX_ATTEMPTS = env_int("EMAIL_MAX_ATTEMPTS", 5)
# Incoming mail (activities.imap): mailbox passwords are encrypted with MAILBOX_KEY (a Fernet
# key; derived from SECRET_KEY when unset); the worker checks every mailbox every
# MAIL_POLL_SECONDS (`manage.py mail_listen` reads at once where the server has IDLE); a
# mailbox read for the first time gives its last MAIL_BACKFILL_DAYS.
MAILBOX_KEY = os.environ.get("MAILBOX_KEY", "")
MAIL_TIMEOUT = env_int("MAIL_TIMEOUT", 20)
MAIL_POLL_SECONDS = max(5, env_int("MAIL_POLL_SECONDS", 60))
MAIL_BACKFILL_DAYS = env_int("MAIL_BACKFILL_DAYS", 7)
# Mailboxes on private or loopback addresses (a server on the office's network): off, so that
# a mailbox form can never probe the CRM's own network.
MAIL_ALLOW_PRIVATE = env_bool("MAIL_ALLOW_PRIVATE", False)
# WhatsApp Business Cloud API (activities.whatsapp): with a phone-number id
# and an access token, agents send from the CRM; the webhook (/whatsapp/webhook/) checks each
# delivery's X-Hub-Signature-256 against the app secret and answers Meta's verification with
# WHATSAPP_VERIFY_TOKEN. Without them, WhatsApp is click-to-chat (wa.me).
WHATSAPP_API_URL = os.environ.get("WHATSAPP_API_URL", "https://graph.facebook.com/v21.0").rstrip("/")
WHATSAPP_PHONE_NUMBER_ID = os.environ.get("WHATSAPP_PHONE_NUMBER_ID", "")
WHATSAPP_TOKEN = os.environ.get("WHATSAPP_TOKEN", "")
WHATSAPP_APP_SECRET = os.environ.get("WHATSAPP_APP_SECRET", "")
WHATSAPP_VERIFY_TOKEN = os.environ.get("WHATSAPP_VERIFY_TOKEN", "")
WHATSAPP_TIMEOUT = env_int("WHATSAPP_TIMEOUT", 20)
# Campaign emails go out at most this many a minute (campaigns.mailings), in steps of 10 s.
# How often the worker looks for cards gone idle, for the automations (seconds).
AUTOMATION_CHECK_SECONDS = max(30, env_int("AUTOMATION_CHECK_SECONDS", 300))
# The forecast's "committed": open cards in stages of at least this probability (percent).
FORECAST_COMMITTED_PROBABILITY = min(max(env_int("FORECAST_COMMITTED_PROBABILITY", 80), 1), 100)
# How often an open page asks for the bell's unread count (seconds).
NOTIFICATIONS_POLL_SECONDS = max(1, env_int("NOTIFICATIONS_POLL_SECONDS", 30))
# How long the navigation's counts (reminders, unread notifications) are kept per user; the
# user's own changes and new notifications forget them at once (crm.cache.user_figure).
USER_FIGURES_SECONDS = env_int("USER_FIGURES_SECONDS", 30)
EMAIL_RATE_PER_MINUTE = max(1, env_int("EMAIL_RATE_PER_MINUTE", 300))
# Pages offer a mailto: link instead of sending only when mail is switched off.
EMAIL_ENABLED = env_bool("EMAIL_ENABLED", True)
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# HTTPS deployments (HTTPS=1) get secure cookies, HSTS and the redirect.
HTTPS = env_bool("HTTPS", False)
SECURE_SSL_REDIRECT = HTTPS
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
LANGUAGE_COOKIE_SECURE = HTTPS
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000 if HTTPS else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", HTTPS)
# Behind a reverse proxy: trust its X-Forwarded-Proto, and read the client's address from
# X-Forwarded-For past TRUSTED_PROXIES hops (crm.clientip); never without BEHIND_PROXY.
BEHIND_PROXY = env_bool("BEHIND_PROXY", False)
TRUSTED_PROXIES = env_int("TRUSTED_PROXIES", 1)
if BEHIND_PROXY:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SESSION_COOKIE_HTTPONLY = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# A strict Content-Security-Policy: every script and style comes from our own static files (no
# inline code anywhere; JSON data travels in json_script blocks, which are not executed).
SELF, NONE = "'self'", "'none'"
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        # A page that reads request.csp_nonce (the calendar, whose library writes its own
        # style sheet) allows that one <style> element; every other page sends no nonce.
        "style-src": [SELF, NONCE],
        "img-src": [SELF, "data:"],
        "font-src": [SELF, "data:"],  # FullCalendar's icon font comes inline
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        # A WhatsApp chat opens from a form (activities: the answer is wa.me's address).
        "form-action": [SELF, "https://wa.me", "https://api.whatsapp.com"],
        "frame-ancestors": [NONE],
    }
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    # One line per event on stdout, key=value: what container platforms and log tools read.
    "formatters": {
        "kv": {"format": 'time=%(asctime)s level=%(levelname)s logger=%(name)s msg="%(message)s"'}
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "kv"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        "pgserver": {"level": "WARNING"},
        "django.utils.autoreload": {"level": "WARNING"},
        # Lockouts are logged as warnings; successful sign-ins need no line each.
        "axes": {"level": "WARNING"},
    },
}

# The REST API (api/): tokens or the browser's session, the pages' scopes, cursor pages,
# a rate per token (API_RATE, e.g. "600/minute").
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "api.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_THROTTLE_CLASSES": ["api.throttling.TokenRateThrottle"],
    "DEFAULT_THROTTLE_RATES": {"token": os.environ.get("API_RATE", "600/minute")},
    "DEFAULT_RENDERER_CLASSES": [
        "rest_framework.renderers.JSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
    ],
}
SPECTACULAR_SETTINGS = {
    "TITLE": "CRM API",
    "DESCRIPTION": "People, companies, opportunities and activities, scoped as on the pages.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
}
