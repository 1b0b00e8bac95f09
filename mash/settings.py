"""Settings for mash, read from the environment (see README "Configuration").

SQLite and a filesystem Celery broker by default; DATABASE_URL selects PostgreSQL and REDIS_URL selects Redis
as Celery broker and cache.
"""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from csp.constants import NONE, SELF
from django.utils.translation import gettext_lazy

from mash.env import EnvError, env_bool, env_int, env_list, env_str, env_url

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("MASH_VAR_DIR") or BASE_DIR / "var")

DEBUG = env_bool("DEBUG", False)
SECRET_KEY = env_str("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise EnvError("SECRET_KEY", "is required when DEBUG is off (set DEBUG=true for local development)")
    SECRET_KEY = "insecure-development-only-key-never-used-with-debug-off"  # noqa: S105

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.forms",
    "rest_framework",
    "oauth2_provider",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "csp",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "axes",
    "audit",
    "agencies",
    "referrals",
    "decisions",
    "reports",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "mash.api_http.ApiHttpMiddleware",
    "mash.problem.ApiBodyLimitMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "agencies.language.PersonLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "audit.context.AuditContextMiddleware",
    "agencies.access.AccessMiddleware",
    "mash.errors.ConflictMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "agencies.twofactor.TwoFactorRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "mash.sessions.SessionTimeoutMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",
    "csp.middleware.CSPMiddleware",
]

ROOT_URLCONF = "mash.urls"
FORM_RENDERER = "mash.form_renderer.KeepingRenderer"  # TemplatesSetting keeping choice widgets' HTML
WSGI_APPLICATION = "mash.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "agencies.context_processors.navigation",
            ],
            # `possessive`, `in_words`, `money`, `fte` in every template; `date` as Django's, written faster (mash/dates.py)
            "builtins": ["mash.words", "mash.dates"],
        },
    },
]

# Database: SQLite unless DATABASE_URL names PostgreSQL.
DATABASE_URL = env_url("DATABASE_URL", ("postgres", "postgresql", "sqlite"))
DATABASE_CONN_MAX_AGE = env_int("DATABASE_CONN_MAX_AGE", 600, minimum=0)
if DATABASE_URL and not DATABASE_URL.startswith("sqlite"):
    DATABASES = {
        "default": dj_database_url.parse(
            DATABASE_URL,
            conn_max_age=DATABASE_CONN_MAX_AGE,
            conn_health_checks=True,
        )
    }
    DATABASES["default"]["ENGINE"] = "django.db.backends.postgresql"
    # Prepared statements only where the code asks for them: the fixed SQL of mash.prepared's reads, which PostgreSQL
    # then plans once per connection (docs/adr/0026). Django turns psycopg's automatic preparing off (None); a
    # threshold no query reaches keeps it off for every other query while letting `prepare=True` work. Off (None:
    # nothing prepared) behind a pooler in transaction mode.
    if env_bool("DATABASE_PREPARED_STATEMENTS", True):
        DATABASES["default"].setdefault("OPTIONS", {})["prepare_threshold"] = 2**31 - 1
    # PostgreSQL's JIT compiles a query whose estimated cost passes jit_above_cost: the triage queue's sort of 20,000
    # open referrals spent 47 ms of its 90 ms compiling, on every page. The service's queries are short; JIT stays off
    # on its connections unless DATABASE_JIT is set.
    if not env_bool("DATABASE_JIT", False):
        _options = DATABASES["default"].setdefault("OPTIONS", {})
        _options["options"] = f"{_options.get('options', '')} -c jit=off".strip()
elif DATABASE_URL:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL)}
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": VAR_DIR / "mash.sqlite3",
            "OPTIONS": {"transaction_mode": "IMMEDIATE", "timeout": 20, "init_command": "PRAGMA journal_mode=WAL;"},
        }
    }
# PostgreSQL with two roles: DATABASE_URL is the application's role (SELECT and INSERT only on the audit ledger),
# DATABASE_OWNER_URL the role that owns the tables, used only by `migrate --database owner` and `db_roles`.
DATABASE_OWNER_URL = env_url("DATABASE_OWNER_URL", ("postgres", "postgresql"))
if DATABASE_OWNER_URL:
    DATABASES["owner"] = {
        **dj_database_url.parse(DATABASE_OWNER_URL),
        "ENGINE": "django.db.backends.postgresql",
        "TEST": {"MIRROR": "default"},
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Redis: Celery broker and cache when REDIS_URL is set; otherwise a filesystem broker and cache under var/.
# Keep the cache in its own Redis database (REDIS_CACHE_URL): a cache clear flushes its database, which must never
# be the broker's.
REDIS_URL = env_url("REDIS_URL", ("redis", "rediss"))
REDIS_CACHE_URL = env_url("REDIS_CACHE_URL", ("redis", "rediss")) or REDIS_URL
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_CACHE_URL,
            "KEY_PREFIX": "mash",
        }
    }
else:
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.filebased.FileBasedCache", "LOCATION": VAR_DIR / "cache"}
    }

# Celery (mash/celery.py reads every CELERY_* name here).
CELERY_BROKER_URL = REDIS_URL or "filesystem://"
# The filesystem broker is kombu's, except that an empty or malformed message file is set aside in
# var/celery/broken/ (and logged) instead of stopping the worker (mash/broker.py).
CELERY_BROKER_TRANSPORT = None if REDIS_URL else "mash.broker:Transport"
CELERY_BROKER_FOLDER = VAR_DIR / "celery" / "broker"
for _folder in (VAR_DIR, CELERY_BROKER_FOLDER, VAR_DIR / "celery" / "control"):
    _folder.mkdir(parents=True, exist_ok=True)
# max_retries 0: a process that finds Redis down when it first connects to publish fails at once (kombu retried for
# 6 s, holding a web request, or beat's deadline sweep, that long); what it queues is in the database and a beat job
# picks it up (mash/queue.py). Workers reconnect by their own policy (broker_connection_retry).
REDIS_BROKER_OPTIONS = {"visibility_timeout": env_int("CELERY_VISIBILITY_TIMEOUT", 3600, minimum=60), "max_retries": 0}
CELERY_BROKER_TRANSPORT_OPTIONS = (
    REDIS_BROKER_OPTIONS
    if REDIS_URL
    else {
        "data_folder_in": str(CELERY_BROKER_FOLDER),
        "data_folder_out": str(CELERY_BROKER_FOLDER),
        "control_folder": str(VAR_DIR / "celery" / "control"),
        "broken_folder": str(VAR_DIR / "celery" / "broken"),
        "store_processed": False,
        # kombu looks again after this long whenever it cannot take a message, including while the worker's two
        # are in hand: at its default (1 s) the worker ran ~1 task a second, fewer than beat's sweeps and the demo
        # sent, and a new referral's match check waited minutes behind them (seen in a make run try-out).
        "polling_interval": 0.1,
    }
)
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_TIME_LIMIT = env_int("CELERY_TASK_TIME_LIMIT", 300, minimum=1)
CELERY_TASK_SOFT_TIME_LIMIT = env_int("CELERY_TASK_SOFT_TIME_LIMIT", 240, minimum=1)
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
# Celery's Django fixup closes the database connection before and after every task unless this is set: a new
# PostgreSQL backend per task cost ~0.5 of a core under bench/load. With it, the fixup closes it every this many
# tasks, and mash/celery.py closes it before and after a task only when broken or older than CONN_MAX_AGE.
CELERY_DB_REUSE_MAX = env_int("CELERY_DB_REUSE_MAX", 1000, minimum=0)
CELERY_TIMEZONE = "Europe/London"
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celery" / "beat-schedule")
# Deadlines: the table is the truth and the sweep finds whatever fell due, however late it runs; the interval only
# sets punctuality (an indexed range scan of open rows each time). A sweep that could not start within a few
# intervals is dropped: the next one does its work.
DEADLINE_SWEEP_SECONDS = env_int("DEADLINE_SWEEP_SECONDS", 1, minimum=1)
# Rows a sweep records in one transaction (one batch): a sweep with more due runs batch after batch.
DEADLINE_SWEEP_BATCH = env_int("DEADLINE_SWEEP_BATCH", 1000, minimum=1)
# The length of one timescale hour in seconds: 3600, except to demonstrate or test deadlines in seconds.
TIMESCALE_HOUR_SECONDS = env_int("TIMESCALE_HOUR_SECONDS", 3600, minimum=1)
# The sweep's heartbeat is stale (the manager dashboard warns) after this many seconds.
DEADLINE_SWEEP_STALE_SECONDS = env_int("DEADLINE_SWEEP_STALE_SECONDS", 120, minimum=2)
# Sections that apps above referrals/ add to the referral page (docs/adr/0003-referral-page-panels.md).
REFERRAL_PAGE_PANELS = [
    "decisions.panels.adult_voice_panel",
    "decisions.panels.referral_panel",
    "decisions.strategy_views.strategy_panel",
    "decisions.panels.consent_panel",
    "decisions.panels.notes_panel",
    "decisions.attachment_views.attachments_panel",
    "decisions.handover_views.handover_panel",
]
HOUSEHOLD_PAGE_PANELS = ["decisions.strategy_views.household_strategy_panel", "decisions.panels.household_notes_panel"]
# Sections of the manager's dashboard from the apps above referrals/ (called with the request and the hub).
DASHBOARD_PANELS = ["decisions.handover_views.dashboard_handover_panel"]
# The words of a decision's outcome, for referral pages that show it (the household page): the decisions app's.
OUTCOME_LABEL = "decisions.models.outcome_label"
# What apps above agencies/ do, in the same transaction, when an agency's API client is revoked.
API_CLIENT_REVOKED_HOOKS = ["decisions.webhook_services.webhooks_of_client_disable"]
# What apps above referrals/ do, in the same transaction, when an agency's system sends a referral (the receipt
# notice to its webhooks: referrals/acknowledgement.py).
REFERRAL_RECEIVED_HOOKS = ["decisions.webhooks.receipt_queue"]
# Webhooks to agencies' systems (decisions/webhooks.py): retried with doubling waits from WEBHOOK_RETRY_BASE_SECONDS,
# at most WEBHOOK_RETRY_MAX_SECONDS apart, for WEBHOOK_RETRY_WINDOW_HOURS after the notice was written; then given up,
# and a webhook whose notices failed for the whole window is disabled and the hub's administrators told.
WEBHOOK_SWEEP_SECONDS = env_int("WEBHOOK_SWEEP_SECONDS", 15, minimum=1)
WEBHOOK_RETRY_BASE_SECONDS = env_int("WEBHOOK_RETRY_BASE_SECONDS", 30, minimum=1)
WEBHOOK_RETRY_MAX_SECONDS = env_int("WEBHOOK_RETRY_MAX_SECONDS", 6 * 3600, minimum=1)
WEBHOOK_RETRY_WINDOW_HOURS = env_int("WEBHOOK_RETRY_WINDOW_HOURS", 72, minimum=1)
WEBHOOK_TIMEOUT_SECONDS = env_int("WEBHOOK_TIMEOUT_SECONDS", 10, minimum=1)
# A rotated secret keeps signing (beside the new one) for this long.
WEBHOOK_OLD_SECRET_HOURS = env_int("WEBHOOK_OLD_SECRET_HOURS", 24, minimum=0)
# Resolves webhook hosts: `resolve(host, port) -> list[str]` (decisions/addresses.py); tests give a fixed table.
WEBHOOK_RESOLVER = env_str("WEBHOOK_RESOLVER", "decisions.addresses.system_resolve")
# Webhook deliveries wait on other organisations' servers: their own queue, so a slow receiver never delays the
# deadline sweep or the emails (every worker in supervisord.dev.conf and docker-compose.yml consumes both queues).
CELERY_TASK_ROUTES = {"decisions.tasks.webhooks_send": {"queue": "webhooks"}}
CELERY_BEAT_SCHEDULE = {
    "heartbeat": {"task": "mash.tasks.heartbeat", "schedule": timedelta(minutes=1)},
    "audit-seal": {"task": "audit.tasks.seal_ledger", "schedule": timedelta(minutes=1)},
    # The ledger checked nightly from each chain's last verified head, and in full weekly (audit/ledger_checks.py).
    "audit-verify": {"task": "audit.tasks.verify_ledger", "schedule": crontab(minute=30, hour=1)},
    "audit-verify-full": {
        "task": "audit.tasks.verify_ledger",
        "schedule": crontab(minute=30, hour=2, day_of_week=0),
        "kwargs": {"full": True},
    },
    # PostgreSQL: the ledger's monthly partitions created three months ahead (audit/partitions.py; SQLite: nothing).
    "audit-partitions": {"task": "audit.tasks.partitions_ensure", "schedule": crontab(minute=15, hour=0)},
    "deadlines-sweep": {
        "task": "referrals.tasks.deadlines_sweep",
        "schedule": timedelta(seconds=DEADLINE_SWEEP_SECONDS),
        # No publishing retries: when the broker is down beat runs the sweep itself at once (BEAT_RUN_HERE).
        "options": {"expires": DEADLINE_SWEEP_SECONDS * 5, "retry": False},
    },
    # Catch-up for emails whose prompt delivery (queued when the sweep commits) was lost with a broker or worker.
    "notices-deliver": {"task": "referrals.tasks.notices_deliver", "schedule": timedelta(minutes=1)},
    # Webhook notices: sent when the sign-off commits; this sends retries when due and whatever a lost task left.
    "webhooks-send": {"task": "decisions.tasks.webhooks_send", "schedule": timedelta(seconds=WEBHOOK_SWEEP_SECONDS)},
    # Subject matching of referrals whose task (queued when the referral commits) was lost with a broker or worker.
    "matching-sweep": {"task": "referrals.tasks.matching_sweep", "schedule": timedelta(minutes=1)},
    # The API's Idempotency-Keys older than IDEMPOTENCY_KEEP_HOURS are forgotten.
    "idempotency-prune": {"task": "referrals.tasks.idempotency_prune", "schedule": timedelta(hours=1)},
    # Monthly returns: last month's for every hub at 06:00 on the 1st; returns whose job was lost are sent again.
    "returns-schedule": {
        "task": "reports.tasks.returns_schedule",
        "schedule": crontab(minute=0, hour=6, day_of_month=1),
    },
    "returns-resume": {"task": "reports.tasks.returns_resume", "schedule": timedelta(minutes=5)},
}

# Beat (mash/beat.py, docs/adr/0021): one beat leads (a lock); the deadline sweep runs in beat itself when it cannot
# be sent (the broker is down) or, on PostgreSQL, when no worker has run it for DEADLINE_SWEEP_LATE_SECONDS.
CELERY_BEAT_SCHEDULER = "mash.beat:Scheduler"
DEADLINE_SWEEP_LATE_SECONDS = env_int("DEADLINE_SWEEP_LATE_SECONDS", max(5, 3 * DEADLINE_SWEEP_SECONDS), minimum=2)
BEAT_RUN_HERE = {
    "referrals.tasks.deadlines_sweep": {
        "last_run": "referrals.deadlines.sweep_last_run_at",
        "late_after": DEADLINE_SWEEP_LATE_SECONDS,
    },
}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
# Two-factor codes (agencies/twofactor.py): the issuer an authenticator app shows beside the account.
OTP_TOTP_ISSUER = env_str("OTP_ISSUER", "MASH")
# A password reset link works once, for an hour.
PASSWORD_RESET_TIMEOUT = env_int("PASSWORD_RESET_SECONDS", 3600, minimum=300)

# Sessions end after 30 minutes without a request the person made (a page's background refresh does not count) and
# 12 hours after sign-in whatever they do: mash/sessions.py keeps both times in the session. The cookie and the
# stored session last no longer than the absolute lifetime.
SESSION_IDLE_SECONDS = env_int("SESSION_IDLE_SECONDS", 30 * 60, minimum=60)
SESSION_ABSOLUTE_SECONDS = env_int("SESSION_ABSOLUTE_SECONDS", 12 * 3600, minimum=SESSION_IDLE_SECONDS)
# The timeout warning on long forms opens this long before the idle end (GOV.UK's pattern: 2 minutes).
SESSION_WARNING_SECONDS = 120
SESSION_COOKIE_AGE = SESSION_ABSOLUTE_SECONDS
SESSION_ENGINE = "mash.session_store"  # Django's database sessions, read as a prepared read
SESSION_SAVE_EVERY_REQUEST = False
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# HTTPS: outside DEBUG every request is redirected to https (the health check excepted, for the container's probe)
# and browsers are told to keep to https for a year (HSTS). Behind a proxy that ends TLS, set
# TRUST_X_FORWARDED_PROTO=true so that its X-Forwarded-Proto header says the request came over https.
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 31_536_000, minimum=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)
if env_bool("TRUST_X_FORWARDED_PROTO", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# Content Security Policy (django-csp): everything from this origin only, and no inline script or style anywhere —
# pages name their script files (tests/mash/test_security.py and every browser test check).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [NONE],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

# django-axes: lock out a username from one address after repeated failures.
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5, minimum=1)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("AXES_COOLOFF_MINUTES", 30, minimum=1))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_IPWARE_PROXY_COUNT = env_int("PROXY_COUNT", 0, minimum=0)

# The agencies' REST API: OAuth2 client credentials, JSON only, problem+json errors, throttled per client.
# How long a web process keeps an agency system's resolved token (referrals/api_tokens.py: liveness is still checked
# on every request); 0: resolve it in full every time.
API_AUTH_CACHE_SECONDS = env_int("API_AUTH_CACHE_SECONDS", 10, minimum=0)
API_MAX_BODY_BYTES = env_int("API_MAX_BODY_BYTES", 256 * 1024, minimum=1024)
# How long a write's Idempotency-Key and first response are kept: clients are promised at least 24 hours.
IDEMPOTENCY_KEEP_HOURS = env_int("IDEMPOTENCY_KEEP_HOURS", 48, minimum=24)
OAUTH2_PROVIDER = {
    "SCOPES": {
        "referrals:write": "Send referrals",
        "referrals:read": "Read the status, rating and outcome of the agency's own referrals",
        "contributions:write": "Read the hub's open requests for information to the agency, and answer them",
        "webhooks:write": "Register where notices of the outcomes of the agency's referrals are sent",
        "handovers:write": "Read the cases the hub handed to the agency to work, and acknowledge them",
    },
    "ACCESS_TOKEN_EXPIRE_SECONDS": env_int("API_TOKEN_SECONDS", 3600, minimum=60),
    "OAUTH2_VALIDATOR_CLASS": "referrals.api_auth.ClientScopeValidator",
    # The OAuth 2.0 Security BCP (RFC 9700) throughout: tokens stored hashed, only in the Authorization header, no
    # implicit or password grants (agencies use client credentials only), https redirect URIs only.
    "COMPLIANT_BCP_RFC9700_IMPLICIT_GRANT": True,
    "COMPLIANT_BCP_RFC9700_PASSWORD_GRANT": True,
    "COMPLIANT_BCP_RFC9700_PKCE_METHOD": True,
    "COMPLIANT_BCP_RFC9700_ACCESS_TOKEN_TRANSPORT": True,
    "COMPLIANT_BCP_RFC9700_AUTHZ_RESPONSE_ISS": True,
    "COMPLIANT_BCP_RFC9700_TOKEN_STORAGE": True,
    "COMPLIANT_BCP_RFC9700_REFRESH_TOKEN": True,
    "COMPLIANT_BCP_RFC9700_REDIRECT_URI_SCHEME": True,
    "REFRESH_TOKEN_REUSE_PROTECTION": True,
    "ALLOWED_REDIRECT_URI_SCHEMES": ["https"],
}
OAUTH2_PROVIDER_APPLICATION_MODEL = "oauth2_provider.Application"  # referenced by agencies.ApiClient
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["referrals.api_auth.AgencyClientAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["mash.json_input.BoundedJSONParser"],
    "DEFAULT_THROTTLE_CLASSES": ["referrals.api_auth.ClientRateThrottle"],
    "DEFAULT_THROTTLE_RATES": {"client": env_str("API_THROTTLE_RATE", "600/min")},
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "mash.api_errors.exception_handler",
    "UNAUTHENTICATED_USER": None,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "MASH agencies' API",
    "DESCRIPTION": "Referrals from agencies' own systems. OAuth2 client credentials; errors are RFC 9457 problem+json "
    "whose `type` is one of the kinds listed at /api/v1/problems/ (each described at its own address).",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "SERVE_AUTHENTICATION": [],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # A household contact's adults have their own roles (no subject, no sibling): named, not numbered.
    "ENUM_NAME_OVERRIDES": {
        "HouseholdRoleEnum": "referrals.households.ADULT_ROLES",
        "HandoverStateEnum": "decisions.models.handover.HandoverState",
    },
    # The schema as the contract (mash/openapi.py): Problem bodies, page parameters; where the API is served.
    "POSTPROCESSING_HOOKS": ["drf_spectacular.hooks.postprocess_schema_enums", "mash.openapi.postprocess"],
    "SERVERS": [{"url": env_str("API_SERVER_URL", "/"), "description": "This hub's service"}],
}

# Ledger heads anchored outside the database (README "Ledger heads outside the database", audit/anchor.py): the
# Ed25519 key that signs each sealed block's head, from a file (PEM, or the 32-byte seed raw or in base64) or the
# variable (the seed in base64); required when DEBUG is off. The signed heads go to AUDIT_HEADS_LOG, one JSON line each.
AUDIT_SIGNING_KEY_FILE = os.environ.get("AUDIT_SIGNING_KEY_FILE", "").strip() or None  # a path: not env_str's NAME_FILE
AUDIT_SIGNING_KEY = os.environ.get("AUDIT_SIGNING_KEY", "").strip() or None
AUDIT_HEADS_LOG = Path(env_str("AUDIT_HEADS_LOG") or VAR_DIR / "audit-heads.jsonl")

# The audit ledger refuses `flush` (it would empty an append-only table); the test suite turns this on.
AUDIT_ALLOW_FLUSH = False

# English and Welsh (docs/adr/0027): the person's choice, else their browser's (Accept-Language), else British English.
LANGUAGE_CODE, LANGUAGES, LOCALE_PATHS = "en-gb", [("en-gb", "English"), ("cy", "Cymraeg")], [BASE_DIR / "locale"]
LANGUAGE_COOKIE_NAME, LANGUAGE_COOKIE_AGE, LANGUAGE_COOKIE_SAMESITE = "mash_language", 365 * 24 * 3600, "Lax"
LANGUAGE_COOKIE_SECURE, LANGUAGE_COOKIE_HTTPONLY = SESSION_COOKIE_SECURE, True
TIME_ZONE, USE_I18N, USE_TZ = "Europe/London", True, True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
# Attachments and core documents (README "Attachments and virus scanning"): stored through this storage, by default
# in the database so that every web server shares them; object storage (django-storages' S3Storage) in production.
STORAGES["attachments"] = {"BACKEND": env_str("ATTACHMENT_STORAGE", "agencies.storage.DatabaseStorage")}
if env_str("ATTACHMENT_S3_BUCKET"):  # object storage (pip install "mash[s3]"); credentials from AWS_* as boto3 reads
    STORAGES["attachments"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": env_str("ATTACHMENT_S3_BUCKET"),
            "endpoint_url": env_str("ATTACHMENT_S3_ENDPOINT_URL"),
            "region_name": env_str("ATTACHMENT_S3_REGION"),
            "default_acl": "private",
            "file_overwrite": False,
            "querystring_auth": True,
        },
    }
ATTACHMENT_MAX_BYTES = env_int("ATTACHMENT_MAX_MB", 20, minimum=1) * 1024 * 1024
# clamd's unix socket: every upload is scanned, and refused when the scanner cannot be reached.
CLAMD_SOCKET = env_str("CLAMD_SOCKET") or str(VAR_DIR / "clamav" / "clamd.sock")
CLAMD_TIMEOUT = env_int("CLAMD_TIMEOUT", 30, minimum=1)
MEDIA_ROOT = VAR_DIR / "media"
MEDIA_URL = "/media/"
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "mash@localhost")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    # WeasyPrint narrates every layout step at INFO; its warnings (a refused URL, say) still show.
    "loggers": {"weasyprint.progress": {"level": "WARNING"}},
}

# The service's name and phase, shown in the header and phase banner, in the reader's language.
SERVICE_NAME, SERVICE_PHASE = gettext_lazy("Multi-Agency Safeguarding Hub"), gettext_lazy("Alpha")
