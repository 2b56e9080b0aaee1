"""Settings shared by every environment.

See https://docs.djangoproject.com/en/5.2/ref/settings/ for what each one means. Values that differ
between machines come from the environment (config/settings/env.py); nothing secret is written here.
"""

from __future__ import annotations

from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

from config.settings.env import envbool, envint, envlist, envsecret, envstr

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = Path(envstr("WRENCHMARK_VAR_DIR", str(BASE_DIR / "var")))

# ------------------------------------------------------------------------------
# Core
# ------------------------------------------------------------------------------
SECRET_KEY = envsecret("SECRET_KEY")
DEBUG = envbool("DEBUG", False)
ALLOWED_HOSTS = envlist("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]")
CSRF_TRUSTED_ORIGINS = envlist("CSRF_TRUSTED_ORIGINS")
ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "ninja",
    "wrenchmark.core",
    "wrenchmark.accounts",
    "wrenchmark.catalog",
    "wrenchmark.employers",
    "wrenchmark.scoring",
    "wrenchmark.experience",
    "wrenchmark.itembank",
    "wrenchmark.exams",
    "wrenchmark.credentials",
    "wrenchmark.registrations",
    "wrenchmark.appointments",
    "wrenchmark.practice",
    "wrenchmark.analysis",
    "wrenchmark.renewals",
    "wrenchmark.shops",
    "wrenchmark.dashboard",
    "wrenchmark.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "wrenchmark.accounts.middleware.PreferredLanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "wrenchmark" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "wrenchmark.core.context_processors.product",
                "wrenchmark.accounts.context_processors.roles",
            ],
        },
    },
]

# ------------------------------------------------------------------------------
# Database: SQLite (WAL) by default, anything dj-database-url understands via DATABASE_URL
# ------------------------------------------------------------------------------
DATABASE_URL = envstr("DATABASE_URL") or f"sqlite:///{VAR_DIR / 'wrenchmark.sqlite3'}"
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=envint("CONN_MAX_AGE", 0))}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {
        # WAL lets readers go on while one writer commits; IMMEDIATE avoids lock upgrades mid-transaction.
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=20000;",
        "transaction_mode": "IMMEDIATE",
    }

# ------------------------------------------------------------------------------
# Cache: Redis when REDIS_URL is set, else the database, so app servers share rate limits
# ------------------------------------------------------------------------------
REDIS_URL = envstr("REDIS_URL")
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# ------------------------------------------------------------------------------
# Accounts and passwords
# ------------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "dashboard:home"
LOGOUT_REDIRECT_URL = "catalog:series_list"
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Failed logins per account and per address before a lockout, and how long it lasts.
LOGIN_FAILURE_LIMIT = envint("LOGIN_FAILURE_LIMIT", 5)
LOGIN_LOCKOUT_MINUTES = envint("LOGIN_LOCKOUT_MINUTES", 15)
PASSWORD_RESET_TIMEOUT = 60 * 60 * 24
SESSION_COOKIE_AGE = 60 * 60 * 12

# ------------------------------------------------------------------------------
# Email: console by default, a folder with EMAIL_FILE_PATH, SMTP with EMAIL_HOST
# ------------------------------------------------------------------------------
DEFAULT_FROM_EMAIL = envstr("DEFAULT_FROM_EMAIL", "Wrenchmark <no-reply@wrenchmark.invalid>")
EMAIL_HOST = envstr("EMAIL_HOST")
EMAIL_FILE_PATH = envstr("EMAIL_FILE_PATH")
if EMAIL_HOST:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_PORT = envint("EMAIL_PORT", 587)
    EMAIL_HOST_USER = envstr("EMAIL_HOST_USER")
    EMAIL_HOST_PASSWORD = envsecret("EMAIL_HOST_PASSWORD")
    EMAIL_USE_TLS = envbool("EMAIL_USE_TLS", True)
elif EMAIL_FILE_PATH:
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
else:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"

# ------------------------------------------------------------------------------
# Languages and time
# ------------------------------------------------------------------------------
LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("es", _("Spanish"))]
LOCALE_PATHS = [BASE_DIR / "wrenchmark" / "locale"]
USE_I18N = True
TIME_ZONE = envstr("TIME_ZONE", "America/New_York")
USE_TZ = True

# ------------------------------------------------------------------------------
# Static files
# ------------------------------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "wrenchmark" / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
MEDIA_ROOT = VAR_DIR / "media"

# ------------------------------------------------------------------------------
# The program this deployment runs (a catalog program code) and its identifiers
# ------------------------------------------------------------------------------
WRENCHMARK_PROGRAM = envstr("WRENCHMARK_PROGRAM", "ase")
# Where the product is served, for links in e-mails.
SITE_URL = envstr("SITE_URL", "http://127.0.0.1:8000")

# Digital badges (Open Badges 3.0): the program's Ed25519 signing key, as 64 hex characters (a 32-byte
# seed) in BADGE_SIGNING_KEY or the file BADGE_SIGNING_KEY_FILE. Without either, a key is made on first use
# and kept in var/badge-signing.key (readable by the owner only). The issuer is a did:key of that key, or
# did:web:<BADGE_DID_WEB_DOMAIN> when the deployment has a domain (its DID document is then served at
# /.well-known/did.json).
BADGE_SIGNING_KEY = envsecret("BADGE_SIGNING_KEY")
BADGE_SIGNING_KEY_PATH = VAR_DIR / "badge-signing.key"
BADGE_DID_WEB_DOMAIN = envstr("BADGE_DID_WEB_DOMAIN")
BADGE_ISSUER_NAME = envstr("BADGE_ISSUER_NAME", "Wrenchmark Certification Program")
# Status entries in each new badge: Open Badges 3.0 allows one (revocation); add suspension for VC 2.0 wallets.
BADGE_STATUS_PURPOSES = envlist("BADGE_STATUS_PURPOSES", "revocation")
# Public verification: lookups per client network per window (page and API together).
VERIFY_RATE_LIMIT = envint("VERIFY_RATE_LIMIT", 30)
VERIFY_RATE_WINDOW = envint("VERIFY_RATE_WINDOW", 600)

# Payments: a dotted path to a provider class (wrenchmark.registrations.payments.PaymentProvider).
# The built-in one is a clearly labelled demo that takes no card data.
PAYMENT_PROVIDER = envstr("PAYMENT_PROVIDER", "wrenchmark.registrations.payments.DemoPaymentProvider")
# Program IDs look like WM-1234-5678: this prefix, then eight digits whose last is a check digit.
PROGRAM_ID_PREFIX = envstr("PROGRAM_ID_PREFIX", "WM")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": envstr("LOG_LEVEL", "INFO")},
}
