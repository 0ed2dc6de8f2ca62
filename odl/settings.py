"""Settings for OpenDataLocale.

Everything is read from environment variables through the small typed helpers below, and the
platform runs with none of them set: SQLite under ``var/``, in-process jobs, no network.
Every variable is listed in ``.env.example`` (a test checks that the two agree).
"""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent.parent


def env_str(name: str, default: str) -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on", "oui"}


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value not in (None, "") else default


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in env_str(name, default).split(",") if item.strip()]


DEBUG = env_bool("DJANGO_DEBUG", False)
# The local default key only serves the embedded, single-machine install; production sets its own
# (odl.core.checks refuses it under DJANGO_SECURE=1, and check --deploy fails on it).
LOCAL_SECRET_KEY = "odl-local-only-insecure-key-change-me-in-production-0123456789"
SECRET_KEY = env_str("DJANGO_SECRET_KEY", LOCAL_SECRET_KEY)
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost,[::1],testserver")
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS", "")

DATA_DIR = Path(env_str("ODL_DATA_DIR", str(BASE_DIR / "var")))
NODE_MODULES_DIR = Path(env_str("ODL_NODE_MODULES", str(BASE_DIR / "node_modules")))
SITE_URL = env_str("ODL_SITE_URL", "http://127.0.0.1:8000")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "ninja",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "auditlog",
    "axes",
    "odl.core",
    "odl.territories",
    "odl.atds",
    "odl.harvest",
    "odl.observatory",
    "odl.schemas",
    "odl.accounts",
    "odl.programme",
    "odl.culture",
    "odl.places",
    "odl.animations",
    "odl.datagouv",
    "odl.reuses",
    "odl.publishing",
    "odl.operations",
    "odl.dashboards",
]

MIDDLEWARE = [
    # First: every line logged while the request is served carries its id, even the other middlewares'.
    "odl.core.middleware.RequestIdMiddleware",
    "odl.core.middleware.NulCharacterMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    # Before CSRF, which reads the form (and so the whole upload) to find its token.
    "odl.core.middleware.UploadLimitMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # After authentication: a signed-in user is counted as such, a visitor by IP address.
    "odl.core.middleware.RateLimitMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "odl.accounts.middleware.TwoFactorRequiredMiddleware",
    "auditlog.middleware.AuditlogMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes asks: it turns a lockout into the French page below.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "odl.urls"
WSGI_APPLICATION = "odl.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "odl" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "odl.core.context_processors.platform",
                "odl.accounts.context_processors.account",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{DATA_DIR / 'odl.sqlite3'}"),
        # Seconds a connection is kept for the next requests of the same worker thread (0: one per
        # request). docs/deploiement.md sets 60 behind gunicorn, whose threads live long; the health
        # check then tests a kept connection before reusing it (PostgreSQL restarted meanwhile).
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 0),
        conn_health_checks=env_bool("DATABASE_CONN_HEALTH_CHECKS", True),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    Path(DATABASES["default"]["NAME"]).parent.mkdir(parents=True, exist_ok=True)
    # WAL lets the web server read while a command (harvest, load) writes.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "accounts:account"
LOGOUT_REDIRECT_URL = "home"
# django-axes checks every sign-in (the site's and the admin's) before the usual password check.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

# Sign-in throttling: after ODL_LOGIN_FAILURE_LIMIT wrong passwords for one account from one address,
# that pair waits ODL_LOGIN_COOLOFF_MINUTES (a whole town hall behind one address is not locked out).
ODL_LOGIN_FAILURE_LIMIT = env_int("ODL_LOGIN_FAILURE_LIMIT", 5)
ODL_LOGIN_COOLOFF_MINUTES = env_int("ODL_LOGIN_COOLOFF_MINUTES", 15)
AXES_FAILURE_LIMIT = ODL_LOGIN_FAILURE_LIMIT
AXES_COOLOFF_TIME = timedelta(minutes=ODL_LOGIN_COOLOFF_MINUTES)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/lockout.html"
AXES_VERBOSE = False

# Two-factor authentication (TOTP): optional for everyone, compulsory for coordinators when set.
ODL_2FA_REQUIRED_FOR_COORDINATORS = env_bool("ODL_2FA_REQUIRED_FOR_COORDINATORS", False)
OTP_TOTP_ISSUER = "OpenDataLocale"
# How long a password accepted at sign-in waits for its code (seconds).
ODL_2FA_PENDING_SECONDS = 300

# Invitations by e-mail: how long the one-time link stays valid.
ODL_INVITATION_DAYS = env_int("ODL_INVITATION_DAYS", 14)

# E-mail: printed on the console unless an SMTP server is named.
EMAIL_HOST = env_str("EMAIL_HOST", "")
EMAIL_PORT = env_int("EMAIL_PORT", 587)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", True)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "OpenDataLocale <ne-pas-repondre@opendatalocale.local>")
EMAIL_BACKEND = (
    "django.core.mail.backends.smtp.EmailBackend"
    if EMAIL_HOST
    else "django.core.mail.backends.console.EmailBackend"
)

# Audit log: who changed what on the programme's objects (shown by {% audit_trail obj %}).
AUDITLOG_INCLUDE_TRACKING_MODELS = (
    "atds.Atd",
    "atds.AtdMembership",
    {"model": "programme.Etd", "exclude_fields": ["step_changed_at", "created_at"]},
    {"model": "programme.Convention", "mapping_fields": {"status": "statut"}},
    {
        "model": "programme.Commitment",
        "mapping_fields": {"status": "statut", "status_set_by": "statut fixé par"},
    },
    "programme.SignedCopy",
    {"model": "programme.Resource", "mapping_fields": {"description": "description", "licence": "licence"}},
    {"model": "accounts.Invitation", "exclude_fields": ["token_hash"]},
)

LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", "Français")]
TIME_ZONE = "Europe/Paris"
USE_I18N = True
USE_TZ = True
USE_THOUSAND_SEPARATOR = False

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
# WhiteNoise serves from the finders (node_modules, app static) and from STATIC_ROOT once collected.
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
# Front-end libraries come from npm (package.json) and are served by the platform itself.
STATICFILES_DIRS = [
    BASE_DIR / "odl" / "static",
    ("vendor/chartjs", NODE_MODULES_DIR / "chart.js" / "dist"),
    ("vendor/leaflet", NODE_MODULES_DIR / "leaflet" / "dist"),
    # Tabulator (MIT): the data space's grid (virtual rows, range selection, keyboard, paste).
    ("vendor/tabulator", NODE_MODULES_DIR / "tabulator-tables" / "dist"),
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
MEDIA_ROOT = DATA_DIR / "media"

# Uploads: spreadsheets of a small commune are a few MB; the CLI handles the huge files.
ODL_MAX_UPLOAD_BYTES = env_int("ODL_MAX_UPLOAD_BYTES", 50 * 1024 * 1024)
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_NUMBER_FIELDS = 5000
# The programme's uploads (in Mo): a signed convention scan, an ATD's convention template, a piece of evidence.
ODL_SIGNED_COPY_MAX_MB = env_int("ODL_SIGNED_COPY_MAX_MB", 20)
ODL_CONVENTION_TEMPLATE_MAX_MB = env_int("ODL_CONVENTION_TEMPLATE_MAX_MB", 10)
ODL_EVIDENCE_MAX_MB = env_int("ODL_EVIDENCE_MAX_MB", 10)
# Largest file (bytes) of the document space (fiches, modèles, supports…): 20 Mo by default.
ODL_RESOURCE_MAX_BYTES = env_int("ODL_RESOURCE_MAX_BYTES", 20 * 1024 * 1024)

# The legal thresholds (CRPA L312-1-1, décret 2016-1922); configurable for what-if studies.
ODL_POPULATION_THRESHOLD = env_int("ODL_POPULATION_THRESHOLD", 3500)
ODL_AGENTS_THRESHOLD = env_int("ODL_AGENTS_THRESHOLD", 50)
# Headcount bands of Sirene (« odl import_agents --from-sirene »): the Annuaire des entreprises' public API,
# free and without key, allows 7 requests a second; a 429 waits Retry-After, other failures retry.
ODL_SIRENE_API_URL = env_str("ODL_SIRENE_API_URL", "https://recherche-entreprises.api.gouv.fr")
ODL_SIRENE_REQUESTS_PER_SECOND = env_int("ODL_SIRENE_REQUESTS_PER_SECOND", 7)
ODL_SIRENE_TIMEOUT = env_int("ODL_SIRENE_TIMEOUT", 10)
ODL_SIRENE_RETRIES = env_int("ODL_SIRENE_RETRIES", 5)

# Jobs: in-process by default; Celery workers on Redis when a broker is configured.
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL", "")
# Harvest commands wait for their tasks: results go to the broker unless told otherwise.
CELERY_RESULT_BACKEND = env_str("CELERY_RESULT_BACKEND", "") or CELERY_BROKER_URL
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL

# Harvesting: how patient the platform is with outside catalogues (see docs/harvest.md).
ODL_HARVEST_TIMEOUT = float(env_str("ODL_HARVEST_TIMEOUT", "30"))
ODL_HARVEST_RETRIES = env_int("ODL_HARVEST_RETRIES", 3)
ODL_HARVEST_BACKOFF = float(env_str("ODL_HARVEST_BACKOFF", "1.0"))
ODL_HARVEST_MAX_PAGES = env_int("ODL_HARVEST_MAX_PAGES", 2000)
ODL_HARVEST_PAGE_SIZE = env_int("ODL_HARVEST_PAGE_SIZE", 100)
ODL_HARVEST_MAX_RESPONSE_BYTES = env_int("ODL_HARVEST_MAX_RESPONSE_BYTES", 100 * 1024 * 1024)
# Wall-clock seconds to read one source (every page); past it that run fails alone. 0: no limit.
ODL_HARVEST_SOURCE_BUDGET = float(env_str("ODL_HARVEST_SOURCE_BUDGET", "1800"))
# A run that sees more than this share (percent) fewer datasets than the last successful run of its
# source archives nothing (a portal answering half its catalogue must not archive the other half).
# 100 turns the check off.
ODL_HARVEST_MAX_DROP = env_int("ODL_HARVEST_MAX_DROP", 20)
# A run whose process is elsewhere and gave no sign of life for this long is released (seconds).
ODL_HARVEST_STALE_SECONDS = float(env_str("ODL_HARVEST_STALE_SECONDS", "1800"))
# SCDL resources downloaded and validated after each harvest (new or changed datasets only); 0 disables.
ODL_SCDL_VALIDATE_MAX_PER_RUN = env_int("ODL_SCDL_VALIDATE_MAX_PER_RUN", 50)
# Harvested resource URLs may not point at loopback or private addresses (SSRF); tests lift this.
ODL_ALLOW_INTERNAL_RESOURCE_HOSTS = env_bool("ODL_ALLOW_INTERNAL_RESOURCE_HOSTS", False)
# Keys of the harvest sources' encrypted credentials, comma-separated (the first encrypts, all decrypt);
# empty: derived from SECRET_KEY, so changing SECRET_KEY then loses them.
ODL_SECRETS_KEYS = env_str("ODL_SECRETS_KEYS", "")
# Declared harvest sources and their redirects likewise; 1 for a portal served on loopback or an intranet.
ODL_ALLOW_INTERNAL_SOURCE_HOSTS = env_bool("ODL_ALLOW_INTERNAL_SOURCE_HOSTS", False)

# Cache: the rate-limit counters. Redis (ODL_CACHE_URL) shares them between workers; without it each
# process counts on its own.
CACHE_URL = env_str("ODL_CACHE_URL", "")
# "figures" (odl/core/figures.py): the figures of a snapshot, the ciblage of a référentiel version and
# its exports, computed once and shared by every worker and command, so it is never per process:
# Redis when there is one, else files in DATA_DIR (the embedded install has no other shared store).
CACHES = {
    "default": (
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": CACHE_URL}
        if CACHE_URL
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    ),
    "figures": (
        {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": CACHE_URL,
            "KEY_PREFIX": "figures",
        }
        if CACHE_URL
        else {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(DATA_DIR / "cache" / "figures"),
            "OPTIONS": {"MAX_ENTRIES": 5000},
        }
    ),
}
# The widget page (odl/publishing/widgets.py) keeps each dataset's state in the cache, so that a kept page
# or a 304 reads no database; a change renews it. Only with a cache every process shares: with each
# process's own, a dataset made private in one would still be shown by the others.
PUBLISHING_WIDGET_STAMPS = bool(CACHE_URL)
# Rate limits (django-ratelimit, counted per signed-in user or IP address): 429 with Retry-After past them.
RATELIMIT_ENABLE = env_bool("ODL_RATELIMIT_ENABLE", True)
RATELIMIT_USE_CACHE = "default"
# Behind the reverse proxy of docs/deploiement.md the client's address is in X-Real-IP.
RATELIMIT_IP_META_KEY = env_str("ODL_RATELIMIT_IP_META_KEY", "") or None
# Every endpoint of /api/ (requests per window: /s, /m, /h or /d).
ODL_RATELIMIT_API = env_str("ODL_RATELIMIT_API", "120/m")
# Who a request counts for: the user of its API token (Authorization: Bearer), else the session's user or
# the IP address. A function of odl.accounts, named here so that odl.core does not import it.
RATELIMIT_KEY = "odl.accounts.tokens.ratelimit_key"
# The public pages that compute the most (dashboards, map, collectivité pages, ciblage and its exports).
ODL_RATELIMIT_PAGES = env_str("ODL_RATELIMIT_PAGES", "60/m")
ODL_RATELIMIT_PAGE_VIEWS = [
    "observatory:dashboard",
    "observatory:list",
    "observatory:map",
    "observatory:map_grid",
    "observatory:map_collectivites",
    "observatory:snapshot_rows",
    "territories:targets",
    "territories:targets_export",
    "territories:detail",
    "territories:search",
]

# Content-Security-Policy (django-csp): scripts and styles only from the platform's own files, no
# inline script, handler or style; data carried by json_script is not executed, so it passes.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

# Production hardening, all switched on by DJANGO_SECURE=1 (a test runs check --deploy with it).
SECURE = env_bool("DJANGO_SECURE", False)
SESSION_COOKIE_SECURE = SECURE
CSRF_COOKIE_SECURE = SECURE
SECURE_SSL_REDIRECT = SECURE
SECURE_HSTS_SECONDS = 31536000 if SECURE else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE
SECURE_HSTS_PRELOAD = SECURE
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if SECURE else None
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"


# Logs go to standard error (journald, docker logs): JSON lines in production (docs/deploiement.md), a
# readable line for the embedded install. Every line carries the request id and has its secrets masked
# (odl.core.logs). ODL_LOG_LEVEL is the level of the libraries (Django, Celery…); each app logs under its
# own logger odl.<app> (getLogger(__name__) in its modules) at ODL_APP_LOG_LEVEL, where the start and end
# of harvest runs, validation jobs, data.gouv.fr pushes and reminders are INFO lines.
ODL_LOG_FORMAT = env_str("ODL_LOG_FORMAT", "text").strip().lower() or "text"
if ODL_LOG_FORMAT not in ("text", "json"):
    raise ValueError(f"ODL_LOG_FORMAT vaut « {ODL_LOG_FORMAT} » : attendu « json » ou « text ».")
ODL_LOG_APPS = (
    "core",
    "territories",
    "schemas",
    "harvest",
    "observatory",
    "atds",
    "accounts",
    "programme",
    "culture",
    "animations",
    "datagouv",
    "publishing",
    "places",
    "reuses",
    "operations",
)
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "odl.core.logs.RequestIdFilter"}},
    "formatters": {
        "json": {"()": "odl.core.logs.JsonFormatter"},
        "text": {"()": "odl.core.logs.TextFormatter"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": ODL_LOG_FORMAT,
            "filters": ["request_id"],
        }
    },
    "root": {"handlers": ["console"], "level": env_str("ODL_LOG_LEVEL", "WARNING")},
    "loggers": {f"odl.{app}": {"level": env_str("ODL_APP_LOG_LEVEL", "INFO")} for app in ODL_LOG_APPS},
}

# Largest file the validation page and POST /api/validate accept (the CLI has no limit).
ODL_VALIDATE_MAX_UPLOAD_MB = env_int("ODL_VALIDATE_MAX_UPLOAD_MB", 100)

# Cartopartie maps: a tile URL template ({z}/{x}/{y}) of a server you are allowed to use; empty means no
# background tiles at all, so that no third party is contacted unless an administrator chose it.
ODL_ANIMATIONS_TILES_URL = env_str("ODL_ANIMATIONS_TILES_URL", "")
ODL_ANIMATIONS_TILES_ATTRIBUTION = env_str("ODL_ANIMATIONS_TILES_ATTRIBUTION", "")
# A reuse's image (uploaded or downloaded from data.gouv.fr): at most 2 Mo and 25 million pixels.
ODL_REUSE_IMAGE_MAX_BYTES = env_int("ODL_REUSE_IMAGE_MAX_BYTES", 2 * 1024 * 1024)
ODL_REUSE_IMAGE_MAX_PIXELS = env_int("ODL_REUSE_IMAGE_MAX_PIXELS", 25_000_000)
# Reuses of the known datasets are harvested from data.gouv.fr after each harvest (odl harvest_reuses too).
ODL_REUSES_AFTER_HARVEST = env_bool("ODL_REUSES_AFTER_HARVEST", True)
# Largest file of places (lieux de médiation numérique) imported from the web page or a URL, in Mo.
ODL_PLACES_IMPORT_MAX_MB = env_int("ODL_PLACES_IMPORT_MAX_MB", 20)
# Request bodies are refused from their Content-Length, before any middleware reads them
# (odl.core.middleware): the validation doors get their own limit, every other URL the general one.
# Each entry: URL prefix, the setting holding its limit in Mo, what the refusal adds for that door.
_BIG_FILES = "Pour les gros fichiers, utilisez la commande « odl validate FICHIER --schema NOM », qui n'a pas de limite."
ODL_UPLOAD_LIMITS = (
    ("/validation/", "ODL_VALIDATE_MAX_UPLOAD_MB", _BIG_FILES),
    ("/api/validate", "ODL_VALIDATE_MAX_UPLOAD_MB", _BIG_FILES),
)
# Shapes the web doors refuse with a French message (the CLI reads any shape): a few SCDL columns,
# lines and cells of ordinary length; past these a file costs seconds and gigabytes for nothing.
ODL_VALIDATE_MAX_COLUMNS = env_int("ODL_VALIDATE_MAX_COLUMNS", 1000)
ODL_VALIDATE_MAX_LINE_BYTES = env_int("ODL_VALIDATE_MAX_LINE_BYTES", 1024 * 1024)
ODL_VALIDATE_MAX_CELL_CHARS = env_int("ODL_VALIDATE_MAX_CELL_CHARS", 100_000)
ODL_VALIDATE_MAX_ROWS = env_int("ODL_VALIDATE_MAX_ROWS", 3_000_000)
# Files at least this large (bytes) are validated as a job on the web (a thread here, a Celery task when
# CELERY_BROKER_URL is set): the page shows the progress and the request never waits on the validation.
ODL_VALIDATE_ASYNC_BYTES = env_int("ODL_VALIDATE_ASYNC_BYTES", 5 * 1024 * 1024)
# A stored report keeps exact counts, a few examples per group and at most this many detailed errors
# and listed corrections (the full list of corrections is a CSV file beside the corrected copy).
ODL_REPORT_MAX_ERRORS = env_int("ODL_REPORT_MAX_ERRORS", 1000)
ODL_REPORT_MAX_CORRECTIONS = env_int("ODL_REPORT_MAX_CORRECTIONS", 1000)
# Days a validation report, its corrected copy and its list of corrections are kept (« odl purge »).
ODL_VALIDATION_RETENTION_DAYS = env_int("ODL_VALIDATION_RETENTION_DAYS", 30)

# data.gouv.fr (udata API v1) for pushing a collectivité's datasets (docs/datagouv.md): the API root,
# how long one call may take, how many times a failed push is tried in all (« odl datagouv_retry »)
# and the first wait before a retry in minutes (doubled each time; a 429's Retry-After wins).
ODL_DATAGOUV_API_URL = env_str("ODL_DATAGOUV_API_URL", "https://www.data.gouv.fr/api/1/")
ODL_DATAGOUV_TIMEOUT = float(env_str("ODL_DATAGOUV_TIMEOUT", "30"))
ODL_DATAGOUV_MAX_ATTEMPTS = env_int("ODL_DATAGOUV_MAX_ATTEMPTS", 6)
ODL_DATAGOUV_RETRY_MINUTES = env_int("ODL_DATAGOUV_RETRY_MINUTES", 10)
