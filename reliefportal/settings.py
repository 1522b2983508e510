"""ReliefPortal settings, configured from environment variables (see README, "Configuration")."""

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name, default):
    """Read a boolean; anything but the usual spellings is a configuration error, not False."""
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    if value.lower() in {"1", "true", "yes", "on"}:
        return True
    if value.lower() in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {value!r}")


def env_int(name, default, minimum=0):
    """Read a whole number of at least ``minimum``; a typo stops the app, naming the variable."""
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    try:
        number = int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {value!r}") from None
    if number < minimum:
        raise ImproperlyConfigured(f"{name} must be at least {minimum}, not {number}")
    return number


def env_choice(name, default, choices):
    value = os.environ.get(name) or default
    if value not in choices:
        raise ImproperlyConfigured(f"{name} must be one of {', '.join(choices)}, not {value!r}")
    return value


def env_list(name, default):
    value = os.environ.get(name)
    if value is None:
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


DEBUG = env_bool("DEBUG", False)

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
    SECRET_KEY = "django-insecure-development-only-key-do-not-use-in-production"

# Resident ID numbers are stored encrypted (AES-256-GCM) with a keyed hash (HMAC-SHA256) beside them
# for lookups and uniqueness; see cases/crypto.py. Both keys live only in the environment.
# FIELD_ENCRYPTION_KEY may list several comma-separated keys: the first encrypts, all decrypt
# (key rotation, then `manage.py reencrypt_resident_ids`).
FIELD_ENCRYPTION_KEY = os.environ.get("FIELD_ENCRYPTION_KEY", "")
FIELD_HASH_KEY = os.environ.get("FIELD_HASH_KEY", "")
if not (FIELD_ENCRYPTION_KEY and FIELD_HASH_KEY):
    if not DEBUG:
        raise ImproperlyConfigured(
            "FIELD_ENCRYPTION_KEY and FIELD_HASH_KEY must be set when DEBUG is off."
        )
    FIELD_ENCRYPTION_KEY = FIELD_ENCRYPTION_KEY or "ZGV2ZWxvcG1lbnQtb25seS1maWVsZC1rZXktMDAwMDA="
    FIELD_HASH_KEY = FIELD_HASH_KEY or "development-only-field-hash-key"

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    # Django admin on a site that also requires a verified second factor (accounts.admin_site).
    "accounts.admin_config.PortalAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_filters",
    "django_tables2",
    "simple_history",
    "axes",
    "csp",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_tasks",
    "accounts",
    "cases",
    "imports",
    "evidence",
    "demo",
]

MIDDLEWARE = [
    # First, so every response (the 500 page too) carries the request id.
    "reliefportal.middleware.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    # Idle and absolute session limits, and no-store on every signed-in page.
    "accounts.sessions.SessionSecurityMiddleware",
    # Administrators pass the second factor before any page (they see every county).
    "accounts.middleware.AdministratorSecondFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, so a locked-out login is answered before any view runs.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "reliefportal.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

WSGI_APPLICATION = "reliefportal.wsgi.application"

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=env_int("DB_CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
# A read replica (PostgreSQL streaming replication), off unless configured: only the views
# wrapped in ``reliefportal.routers.use_read_replica`` (dashboards, exports) read from it.
if os.environ.get("DATABASE_REPLICA_URL"):
    DATABASES["replica"] = dj_database_url.parse(
        os.environ["DATABASE_REPLICA_URL"],
        conn_max_age=DATABASES["default"]["CONN_MAX_AGE"],
        conn_health_checks=True,
    )
DATABASE_ROUTERS = ["reliefportal.routers.ReadReplicaRouter"]
# PostgreSQL's JIT compiles every query the planner costs above jit_above_cost: the dashboard's
# aggregates over millions of rows qualify, and compiling took longer than it saved (a city
# dashboard recomputed in 2.8 s without JIT, 4.5-5.2 s with it, at 100,000 households).
for _database in DATABASES.values():
    if _database["ENGINE"] == "django.db.backends.postgresql":
        _database.setdefault("OPTIONS", {})["options"] = "-c jit=off"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Several app servers share cache and sessions through Redis when REDIS_URL is set; one server
# keeps its cache in memory and its sessions in the database.
REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "reliefportal",
        }
    }
    # Written through to the database: a Redis restart does not sign everyone out.
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    SESSION_ENGINE = "django.contrib.sessions.backends.db"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "cases:home"
LOGOUT_REDIRECT_URL = "login"

# Login throttling: lock the username+IP pair, so one shared office IP cannot lock out a county.
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5, minimum=1)
AXES_COOLOFF_TIME = 0.5  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "staticfiles"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    # Production serves collected, compressed files with content hashes in their names, so
    # browsers may cache them for ever; the development server serves the sources.
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "reliefportal.storage.StaticFilesStorage"
    },
}

# Uploaded import files and background export files hold whole ID numbers: they are written
# owner-only (0600, in 0700 directories) under MEDIA_ROOT, which no URL serves and which must
# lie outside every directory that is served (the static files); both kinds are deleted on
# expiry (EXPORT_FILE_HOURS, IMPORT_FILE_DAYS).
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "media")).resolve()
MEDIA_URL = "media/"
FILE_UPLOAD_PERMISSIONS = 0o600
FILE_UPLOAD_DIRECTORY_PERMISSIONS = 0o700
for _served in (STATIC_ROOT, *STATICFILES_DIRS):
    if MEDIA_ROOT.is_relative_to(Path(_served).resolve()):
        raise ImproperlyConfigured(
            f"MEDIA_ROOT ({MEDIA_ROOT}) holds personal data and must not lie inside a directory "
            f"that is served ({_served})."
        )

# Imports: limits checked while the upload and then the file are streamed, before any row is
# read (imports.uploads, imports.readers); a run waiting or running longer than
# IMPORT_RUN_TIMEOUT_MINUTES was lost (a worker stopped) and is marked failed; an inline run
# (TASKS_BACKEND=immediate, in the web request) stops after IMPORT_INLINE_SECONDS, under the
# web server's 120-second timeout. Uploaded files are deleted IMPORT_FILE_DAYS after their run
# ends (the run keeps its counts and errors).
IMPORT_MAX_UPLOAD_MB = env_int("IMPORT_MAX_UPLOAD_MB", 50, minimum=1)
IMPORT_MAX_ROWS = env_int("IMPORT_MAX_ROWS", 300000, minimum=1)
IMPORT_MAX_CELL_CHARS = env_int("IMPORT_MAX_CELL_CHARS", 2000, minimum=1)
IMPORT_RUN_TIMEOUT_MINUTES = env_int("IMPORT_RUN_TIMEOUT_MINUTES", 60, minimum=1)
IMPORT_INLINE_SECONDS = env_int("IMPORT_INLINE_SECONDS", 90, minimum=1)
IMPORT_FILE_DAYS = env_int("IMPORT_FILE_DAYS", 7, minimum=1)
FILE_UPLOAD_HANDLERS = [
    "imports.uploads.SizeLimitedUploadHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]

# Evidence files (photos, receipts, sign-in sheets: evidence/). Kept outside every directory a
# web server serves, readable by the app's user only, and downloaded through a scoped view.
# EVIDENCE_STORAGE=s3 keeps them in an S3-compatible bucket instead (django-storages), for
# several app servers; docs/evidence.md.
EVIDENCE_ROOT = Path(os.environ.get("EVIDENCE_ROOT", BASE_DIR / "private" / "evidence"))
EVIDENCE_STORAGE = env_choice("EVIDENCE_STORAGE", "local", ("local", "s3"))
if EVIDENCE_STORAGE == "s3":
    STORAGES["evidence"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": os.environ.get("EVIDENCE_S3_BUCKET", ""),
            "endpoint_url": os.environ.get("EVIDENCE_S3_ENDPOINT_URL") or None,
            "region_name": os.environ.get("EVIDENCE_S3_REGION") or None,
            "access_key": os.environ.get("EVIDENCE_S3_ACCESS_KEY", ""),
            "secret_key": os.environ.get("EVIDENCE_S3_SECRET_KEY", ""),
            "default_acl": "private",
            "file_overwrite": False,
        },
    }
    if not STORAGES["evidence"]["OPTIONS"]["bucket_name"]:
        raise ImproperlyConfigured("EVIDENCE_S3_BUCKET must be set when EVIDENCE_STORAGE is s3.")
else:
    STORAGES["evidence"] = {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {
            "location": EVIDENCE_ROOT,
            "base_url": None,
            "file_permissions_mode": 0o600,
            "directory_permissions_mode": 0o700,
        },
    }
# Limits of one file and of all the files of one record, in bytes; and of an image's size in
# pixels (a small PNG can unpack to gigabytes: a "decompression bomb").
EVIDENCE_MAX_FILE_BYTES = env_int("EVIDENCE_MAX_FILE_BYTES", 20 * 1024 * 1024, minimum=1)
EVIDENCE_MAX_RECORD_BYTES = env_int("EVIDENCE_MAX_RECORD_BYTES", 100 * 1024 * 1024, minimum=1)
EVIDENCE_MAX_IMAGE_PIXELS = env_int("EVIDENCE_MAX_IMAGE_PIXELS", 50_000_000, minimum=1)
# Record kinds (model names, e.g. "dividendpayment") that need at least one file before they
# are submitted for review; checked at start-up (evidence.checks).
EVIDENCE_REQUIRED_FOR = env_list("EVIDENCE_REQUIRED_FOR", [])

# Background jobs (imports and large exports). "immediate" runs a job inline, in the request
# that starts it; "database" queues it in the database for `manage.py db_worker`
# (django-tasks-db).
TASK_BACKENDS = {
    "immediate": "django_tasks.backends.immediate.ImmediateBackend",
    "database": "django_tasks_db.DatabaseBackend",
}
TASKS_BACKEND = env_choice("TASKS_BACKEND", "immediate", TASK_BACKENDS)
TASKS = {"default": {"BACKEND": TASK_BACKENDS[TASKS_BACKEND]}}
if TASKS_BACKEND == "database":
    INSTALLED_APPS.append("django_tasks_db")
# With a worker, the dashboard's figures of a county whose records changed are recomputed by
# the worker, and the page meanwhile shows the previous ones with their time (cases.summaries);
# inline, the first view after the change recomputes them.
DASHBOARD_REFRESH_IN_BACKGROUND = TASKS_BACKEND == "database"

# Exports of more rows than this are written to a file by a background job (a long download
# would hold a server worker for minutes); smaller ones stream at once. The files are
# deleted this many hours after they are made.
EXPORT_BACKGROUND_ROWS = env_int("EXPORT_BACKGROUND_ROWS", 20000, minimum=1)
EXPORT_FILE_HOURS = env_int("EXPORT_FILE_HOURS", 24, minimum=1)
# A household export with its evidence files (含附件 ZIP) is refused when the files are more
# than this many MB together: the ZIP is written to disk and kept EXPORT_FILE_HOURS hours.
EXPORT_ZIP_MAX_MB = env_int("EXPORT_ZIP_MAX_MB", 2048, minimum=1)

# A user may reveal this many full ID or phone numbers an hour (cases.privacy.reveal).
REVEAL_LIMIT_PER_HOUR = env_int("REVEAL_LIMIT_PER_HOUR", 60, minimum=1)

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"
DJANGO_TABLES2_TEMPLATE = "django_tables2/bootstrap5-responsive.html"
DJANGO_TABLES2_TABLE_ATTRS = {"class": "table table-sm table-hover align-middle"}

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
# A session ends after 30 minutes without a request (each request pushes the expiry on) and,
# however active, 12 hours after the login (accounts.sessions.SessionSecurityMiddleware).
SESSION_COOKIE_AGE = 30 * 60
SESSION_SAVE_EVERY_REQUEST = True
SESSION_ABSOLUTE_AGE = 12 * 60 * 60
# The TOTP code (second login step) must follow the password within this many seconds.
TWO_FACTOR_LOGIN_TIMEOUT = 5 * 60
OTP_TOTP_ISSUER = "ReliefPortal"
CSRF_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
# Every script and stylesheet is a file served by the app: no inline script, no eval, no other
# host. ECharts, Popper and Tom Select position elements through the CSSOM (element.style),
# which a style-src without 'unsafe-inline' allows; only style="" in markup is refused.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
    },
}
if not DEBUG:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    LANGUAGE_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    # The load balancer probes the app server directly, over plain HTTP.
    SECURE_REDIRECT_EXEMPT = [r"^health/$"]
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 365 * 24 * 3600)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# One JSON object per line in production (time, level, logger, message, request id, user id,
# IP, path, and the status or object ids a line adds); LOG_FORMAT=text reads better in a terminal.
LOG_FORMAT = env_choice("LOG_FORMAT", "text" if DEBUG else "json", ("json", "text"))
LOG_LEVEL = env_choice("LOG_LEVEL", "INFO", ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"))
# Behind our own nginx, the client address is the last X-Forwarded-For entry (deploy/nginx.conf).
TRUST_X_FORWARDED_FOR = env_bool("TRUST_X_FORWARDED_FOR", False)
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_context": {"()": "reliefportal.middleware.RequestContextFilter"}},
    "formatters": {
        "json": {"()": "reliefportal.logs.JsonFormatter", "datefmt": "%Y-%m-%dT%H:%M:%S%z"},
        "text": {
            "format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s user=%(user_id)s] "
            "%(message)s"
        },
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["request_context"],
            "formatter": LOG_FORMAT,
        }
    },
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
}
