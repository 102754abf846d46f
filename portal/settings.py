"""Settings for the portal, read from the environment.

Every value has a safe development default so that `make run` works on a fresh clone with an embedded
SQLite database and a Celery broker that needs no server. Production sets DEBUG=0 and real values for
SECRET_KEY, ALLOWED_HOSTS, DATABASE_URL, CELERY_BROKER_URL and CACHE_URL; `manage.py check --deploy`
then passes without warnings.
"""

import os
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP
from django.utils.translation import gettext_lazy as _
from kombu import Queue

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("PORTAL_VAR_DIR", BASE_DIR / "var"))


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", True)

# A fixed key is only acceptable for local development (DEBUG): with DEBUG=0 the portal refuses to
# start without SECRET_KEY, and `check --deploy` fails if it is this key (portal.E001).
DEVELOPMENT_SECRET_KEY = "dev-only-insecure-key-change-me-" + "x" * 32
SECRET_KEY = os.environ.get("SECRET_KEY") or (DEVELOPMENT_SECRET_KEY if DEBUG else "")
if not SECRET_KEY:
    raise ImproperlyConfigured(
        "SECRET_KEY is not set. With DEBUG=0 the portal needs a real key (sessions, links in "
        "emails and partner tokens depend on it): set SECRET_KEY to a long random value, for "
        "example the output of: python -c 'import secrets; print(secrets.token_urlsafe(50))'"
    )
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
CSRF_FAILURE_VIEW = "portal.core.views.csrf_failure"

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.humanize",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_htmx",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "portal.core",
    "portal.accounts",
    "portal.audit",
    "organizations",
    "coaching",
    "creators",
    "incentives",
    "incubation",
    "partners",
    "content",
    "growth",
    "placements",
    "risk",
    "demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "portal.accounts.middleware.SessionRefreshMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "portal.core.api.body_limit.ApiBodyLimitMiddleware",
    "portal.core.request_guards.MalformedBodyMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "portal.accounts.middleware.UserLanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "portal.core.rendering.PartialRedirectMiddleware",
    "portal.audit.middleware.RequestContextMiddleware",
]

ROOT_URLCONF = "portal.urls"
WSGI_APPLICATION = "portal.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "portal.core.context_processors.navigation",
            ],
        },
    },
]

# --- Database -----------------------------------------------------------------------------------

VAR_DIR.mkdir(parents=True, exist_ok=True)
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{VAR_DIR / 'portal.sqlite3'}",
        conn_max_age=int(os.environ.get("DB_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The web server and the Celery worker write to the same file: WAL lets readers go on while one
    # writer works, and IMMEDIATE transactions take the write lock up front instead of failing late.
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Covering indexes (INCLUDE) are a PostgreSQL speed-up; SQLite simply uses the key columns.
    # A risk case's one-open-case-per-subject index treats a missing creator as equal (NULLS NOT
    # DISTINCT): PostgreSQL's; the risk signals' SQL needs PostgreSQL anyway.
    SILENCED_SYSTEM_CHECKS = ["models.W040", "models.W047"]

# --- Cache (shared counters for rate limits live here) ----------------------------------------

CACHE_URL = os.environ.get("CACHE_URL", "")
if CACHE_URL.startswith(("redis://", "rediss://")):
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": CACHE_URL,
            "KEY_PREFIX": "portal",
            # An unreachable Redis fails fast: rate limits then count in the process
            # (portal/accounts/ratelimit.py) instead of holding every request.
            "OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 2},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# --- Accounts and sessions -------------------------------------------------------------------

AUTH_USER_MODEL = "accounts.User"
# Django's model backend, loading a signed-in organization member's membership and organization
# with the user (organizations/auth.py).
AUTHENTICATION_BACKENDS = ["organizations.auth.MemberBackend"]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "core:dashboard"
LOGOUT_REDIRECT_URL = "accounts:login"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Sessions expire after this many idle seconds: a request pushes the expiry forward, saving the
# session when SESSION_REFRESH_SECONDS have passed since its last save (SessionRefreshMiddleware),
# not on every request, which wrote the session row on every page; an idle session so ends between
# AGE - REFRESH and AGE seconds after the last request.
SESSION_COOKIE_AGE = int(os.environ.get("SESSION_IDLE_SECONDS", str(2 * 60 * 60)))
SESSION_REFRESH_SECONDS = int(
    os.environ.get("SESSION_REFRESH_SECONDS", str(min(5 * 60, SESSION_COOKIE_AGE // 10)))
)
SESSION_SAVE_EVERY_REQUEST = False
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
PASSWORD_RESET_TIMEOUT = 60 * 60 * 24

# Failed sign-ins allowed per window, counted atomically in the cache, per account and per client
# address; a successful sign-in clears the account's count. The client address is REMOTE_ADDR
# unless TRUSTED_PROXY_COUNT says how many proxies in front add X-Forwarded-For entries: behind a
# proxy left at 0, every visitor has the proxy's address and shares the per-address limit.
LOGIN_RATE_LIMIT = {
    "per_account": int(os.environ.get("LOGIN_LIMIT_PER_ACCOUNT", "10")),
    "per_ip": int(os.environ.get("LOGIN_LIMIT_PER_IP", "50")),
    "window_seconds": int(os.environ.get("LOGIN_LIMIT_WINDOW", str(15 * 60))),
}

# Number of reverse proxies in front of the app whose X-Forwarded-For entries are trusted (1 for
# one load balancer or TLS proxy). It decides the client address of the sign-in limit above and of
# the audit log; never set it higher than the real number, or clients can choose their address.
TRUSTED_PROXY_COUNT = int(os.environ.get("TRUSTED_PROXY_COUNT", "0"))

# --- Internationalization ---------------------------------------------------------------------

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "portal" / "locale"]
# Our own number formats where Django's do not suit the readers (portal/formats/).
FORMAT_MODULE_PATH = ["portal.formats"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

# --- Static and media files ------------------------------------------------------------------

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)
WHITENOISE_USE_FINDERS = DEBUG
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", VAR_DIR / "media"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
# The rules editor posts every subsidy level of every creative field at once (seven fields a row;
# 30 fields of 5 levels is over Django's default of 1,000).
DATA_UPLOAD_MAX_NUMBER_FIELDS = 5000

# --- Email ------------------------------------------------------------------------------------

# Mail goes to the console in development; production sets EMAIL_HOST (and credentials) for SMTP.
if os.environ.get("EMAIL_HOST"):
    MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {
                "host": os.environ["EMAIL_HOST"],
                "port": int(os.environ.get("EMAIL_PORT", "587")),
                "username": os.environ.get("EMAIL_HOST_USER", ""),
                "password": os.environ.get("EMAIL_HOST_PASSWORD", ""),
                "use_tls": env_bool("EMAIL_USE_TLS", True),
                "timeout": 20,
            },
        }
    }
else:
    MAILERS = {"default": {"BACKEND": "django.core.mail.backends.console.EmailBackend"}}
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Creator Program <no-reply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Celery -----------------------------------------------------------------------------------

CELERY_DIR = VAR_DIR / "celery"
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL") or "filesystem://"
if CELERY_BROKER_URL.startswith("filesystem://"):
    # A broker that needs no server: messages are files that the web process and the worker share.
    for folder in ("queue", "processed", "control"):
        (CELERY_DIR / folder).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(CELERY_DIR / "queue"),
        "data_folder_out": str(CELERY_DIR / "queue"),
        "processed_folder": str(CELERY_DIR / "processed"),
        "control_folder": str(CELERY_DIR / "control"),
        "store_processed": False,
    }
elif CELERY_BROKER_URL.startswith(("redis://", "rediss://")):
    # A task whose worker died unacknowledged comes back after this long (kombu's default is an
    # hour). Longer than any countdown we use (email retries back off to 10 minutes) plus the
    # longest task (a settlement of a million creators takes about 3 minutes).
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "visibility_timeout": int(os.environ.get("CELERY_VISIBILITY_TIMEOUT", str(15 * 60)))
    }
CELERY_BROKER_CONNECTION_TIMEOUT = 3
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", False)
# Imports have a queue of their own: a large or hostile file never holds up emails, webhooks or
# settlements. Every worker started without -Q consumes both queues (`make run` starts one worker
# per queue); production may run dedicated import workers with `-Q imports`.
CELERY_TASK_DEFAULT_QUEUE = "celery"
CELERY_TASK_QUEUES = (
    Queue("celery", routing_key="celery"),
    Queue("imports", routing_key="imports"),
)
CELERY_TASK_ROUTES = {
    "creators.tasks.validate_import": {"queue": "imports"},
    "creators.tasks.commit_import": {"queue": "imports"},
    "content.tasks.validate_content_import": {"queue": "imports"},
    "content.tasks.commit_content_import": {"queue": "imports"},
}
# Checking or importing one file stops after this many seconds (then the job fails with a
# message); the hard limit is a minute later. Keep it inside the broker's visibility timeout.
IMPORT_TASK_SOFT_TIME_LIMIT = int(os.environ.get("IMPORT_TASK_SOFT_TIME_LIMIT", str(12 * 60)))
CELERY_BEAT_SCHEDULE = {
    "deliver-queued-tasks": {
        "task": "portal.core.tasks.deliver_queued_tasks",
        "schedule": 60.0,
    },
    "managers-daily-reminders": {
        "task": "coaching.tasks.send_daily_reminders",
        "schedule": crontab(hour=8, minute=0),  # Asia/Shanghai
    },
    "incubation-score-pool": {
        "task": "incubation.tasks.score_pool",
        "schedule": crontab(hour=2, minute=30),  # yesterday's scores, after the night's metrics
    },
    "incubation-shortlist-snapshot": {
        "task": "incubation.tasks.snapshot_shortlist",
        "schedule": crontab(hour=3, minute=0, day_of_week=1),  # Mondays
    },
    "content-check-originality": {
        "task": "content.tasks.check_originality",
        "schedule": 300.0,  # videos whose check was not queued (a lost message)
    },
    "content-sample-for-grading": {
        "task": "content.tasks.sample_for_grading",
        "schedule": crontab(hour=1, minute=30),  # yesterday's videos
    },
    "growth-score-last-month": {
        "task": "growth.tasks.score_last_month",
        "schedule": crontab(hour=4, minute=0, day_of_month=1),  # after the month's last metrics
    },
    "payouts-release-due-holds": {
        "task": "incentives.tasks.release_due_holds",
        "schedule": crontab(hour=0, minute=20),  # holding periods over by today
    },
    "risk-signals": {
        "task": "risk.tasks.nightly_signals",
        "schedule": crontab(hour=3, minute=30),  # after the night's metrics and scores
    },
    "risk-expire-cases": {
        "task": "risk.tasks.expire_cases",
        "schedule": crontab(hour=0, minute=10),  # before the holding periods end
    },
    "payouts-estimate-running-cycles": {
        "task": "incentives.tasks.estimate_running_cycles",
        "schedule": crontab(hour=3, minute=30),  # after the night's metrics and scores
    },
    "placements-grant-grade-coupons": {
        "task": "placements.tasks.grant_grade_coupons",
        "schedule": crontab(hour=5, minute=0),  # grades given yesterday
    },
    "placements-close-ended-cycles": {
        "task": "placements.tasks.close_ended_cycles",
        "schedule": crontab(hour=6, minute=0),  # after the night's delivery reports
    },
    "placements-propose-weekly-fill": {
        "task": "placements.tasks.propose_weekly_fill",
        "schedule": crontab(hour=6, minute=30, day_of_week=4),  # Thursdays, for next week
    },
    "webhooks-retry-due": {
        "task": "partners.tasks.retry_due_webhooks",
        "schedule": 600.0,  # deliveries whose retry message was lost
    },
}

# --- REST API ---------------------------------------------------------------------------------

REST_FRAMEWORK = {
    # A Bearer token, when the request carries one, is checked first (and completely: scope, rate,
    # address; see partners/authentication.py); otherwise the portal session as before.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "partners.authentication.PartnerTokenAuthentication",
        "portal.core.api.authentication.PortalSessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "portal.core.api.pagination.CursorPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_SCHEMA_CLASS": "portal.core.api.schema.PortalAutoSchema",
    "EXCEPTION_HANDLER": "portal.core.api.errors.exception_handler",
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"]
    + (["rest_framework.renderers.BrowsableAPIRenderer"] if DEBUG else []),
}

SPECTACULAR_SETTINGS = {
    "TITLE": "Creator Program Portal API",
    "DESCRIPTION": (
        "REST API of the creator and MCN program portal. Version 1 authenticates with the portal "
        "session, or with a partner application's token (`Authorization: Bearer ppk_…`, limited "
        "to the scopes an operator granted it); every list is cursor-paginated, a single object "
        "answers with an `ETag` (send it back in `If-None-Match` for a 304), a POST accepts an "
        "`Idempotency-Key`, and every error has the same body: a `code`, a `message` and, for "
        "invalid input, `errors` by field.\n\n"
        "Read the [API guide](/api/guide/) first: getting a token, scopes, errors, pagination, "
        "conditional requests, idempotency, webhooks and their signatures, with examples."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "OrganizationStatusEnum": "organizations.models.OrganizationStatus",
        "UserRoleEnum": "portal.accounts.models.Role",
        "CouponSourceEnum": "placements.models.CouponSource",
        "SourceEnum": "creators.models.BindingSource",
        "LineKindEnum": "incentives.models.LineKind",
        "PaymentStatusEnum": "incentives.models.PaymentStatus",
        "ConsentStateEnum": "creators.models.ConsentState",
    },
}

# --- Partner API ---------------------------------------------------------------------------------

# The key of the partner tokens' digests (HMAC-SHA256). Empty: derived from SECRET_KEY, so rotating
# SECRET_KEY then invalidates every token; set it (32 characters or more, portal.E002) to keep
# tokens across such a rotation.
PARTNER_TOKEN_KEY = os.environ.get("PARTNER_TOKEN_KEY", "")
# The key the risk center re-keys partners' identity hashes with (SECRET_KEY when unset).
RISK_HASH_KEY = os.environ.get("RISK_HASH_KEY", "")
# Each process remembers live tokens between requests, checking at every request that nothing
# changed (partners/token_cache.py): only when the cache is shared by every process (Redis).
PARTNER_TOKEN_CACHE = CACHE_URL.startswith(("redis://", "rediss://"))
# API requests with a larger body answer 413 before anything reads them (documented in the API
# guide). Keep it under DATA_UPLOAD_MAX_MEMORY_SIZE.
API_MAX_BODY_BYTES = int(os.environ.get("API_MAX_BODY_BYTES", str(4 * 1024 * 1024)))
# Webhook endpoints on loopback, private or link-local addresses are refused at registration and
# at every delivery (after DNS resolution), unless DEBUG or this setting allows them (development,
# tests with a local receiver).
WEBHOOKS_ALLOW_PRIVATE_ADDRESSES = env_bool("WEBHOOKS_ALLOW_PRIVATE_ADDRESSES", False)
# Requests per minute a new partner application's tokens may send each (operators may change it).
PARTNER_RATE_LIMIT_PER_MINUTE = int(os.environ.get("PARTNER_RATE_LIMIT_PER_MINUTE", "600"))

# --- Security ---------------------------------------------------------------------------------

SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF, CSP.NONCE],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"

if not DEBUG:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", str(365 * 24 * 60 * 60)))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)
    if env_bool("BEHIND_TLS_PROXY", False):
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# --- Logging ----------------------------------------------------------------------------------

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        "portal.security": {"level": "INFO"},
        # Denials are already in portal.security; django.request would add a traceback per 403/404.
        "django.request": {"level": "ERROR"},
        "django.db.backends": {"level": "WARNING"},
    },
}

PORTAL_NAME = _("Creator Program Portal")
# Where `make run` (manage.py run_portal) serves the portal in development.
HOST = os.environ.get("HOST", "127.0.0.1")
PORT = os.environ.get("PORT", "8000")
# The portal's public address, the start of every link in an email (verification, invitations,
# password resets, reminders). Production sets it; by default it is the address `make run` serves.
PORTAL_BASE_URL = (
    os.environ.get("PORTAL_BASE_URL")
    or f"http://{'127.0.0.1' if HOST in ('', '0.0.0.0', '::') else HOST}:{PORT}"  # noqa: S104
).rstrip("/")
# Invitation links stay valid this long.
INVITATION_VALID_DAYS = int(os.environ.get("INVITATION_VALID_DAYS", "7"))
# Email verification links stay valid this long.
EMAIL_VERIFICATION_MAX_AGE = 3 * 24 * 60 * 60
