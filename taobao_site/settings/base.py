"""Settings shared by every environment, read from the process environment (django-environ)."""

import math
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import environ
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

SECRET_KEY = env("SECRET_KEY", default="")
DEBUG = env.bool("DEBUG", default=False)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "taobao_site.admin_site.RegistryAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "simple_history",
    "django_tasks",
    "taobao_site.tasks_app.TasksDatabaseConfig",  # django_tasks_db, its admin labels translated
    "axes",
    "csp",
    "villages",
    "rural_services",
]

MIDDLEWARE = [
    "taobao_site.request_id.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # A view that meets a busy database answers 503 with Retry-After instead of failing.
    "taobao_site.middleware.DatabaseBusyMiddleware",
    # Last, as django-axes asks: it turns a login refused for a lockout into the lockout page or JSON answer.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "taobao_site.urls"
WSGI_APPLICATION = "taobao_site.wsgi.application"
ASGI_APPLICATION = "taobao_site.asgi.application"

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
                "villages.context_processors.registry",
            ],
        },
    },
]


def database_from_env(default_url):
    """Parse DATABASE_URL; SQLite gets the pragmas a small web app needs to stay responsive under writes."""
    database = env.db_url("DATABASE_URL", default=default_url)
    if database["ENGINE"] == "django.db.backends.sqlite3":
        # The embedded database lives in var/, which a fresh checkout does not have yet.
        Path(database["NAME"]).parent.mkdir(parents=True, exist_ok=True)
        database.setdefault("OPTIONS", {})
        database["OPTIONS"].update(
            {
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
            }
        )
    else:
        database.setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=60))
        database.setdefault("CONN_HEALTH_CHECKS", True)
        # The registry's tables fit in memory (or on SSDs), where an index lookup costs about what a page read in
        # order does; PostgreSQL's default (4) prices it like a disk seek and scans a whole table rather than look
        # up the few thousand certified villages (an anonymous search's count at 620,000 villages: 101 ms
        # against 25). Empty leaves the server's setting.
        page_cost = env.str("DATABASE_RANDOM_PAGE_COST", default="1.1")
        if page_cost:
            # PostgreSQL refuses a connection whose options it cannot apply: every request would fail, so a value
            # it would refuse stops the start instead.
            try:
                number = float(page_cost)
            except ValueError:
                number = math.nan
            if not 0 <= number < math.inf:
                raise ImproperlyConfigured(
                    f"DATABASE_RANDOM_PAGE_COST must be a number of 0 or more (or empty), not {page_cost!r}."
                )
            page_cost = number
            options = database.setdefault("OPTIONS", {})
            options["options"] = f"{options.get('options', '')} -c random_page_cost={page_cost}".strip()
    database["ATOMIC_REQUESTS"] = False
    return database


DATABASES = {"default": database_from_env(f"sqlite:///{VAR_DIR / 'registry.sqlite3'}")}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    # ModelBackend, except that data-feed users never log in (their only way in is a feed token).
    "taobao_site.feed_authentication.NoDataFeedLoginBackend",
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("Simplified Chinese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True
USE_THOUSAND_SEPARATOR = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
MEDIA_ROOT = env.path("MEDIA_ROOT", default=str(VAR_DIR / "media"))
MEDIA_URL = "media/"

LOGIN_URL = "/accounts/login/"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "/"

EMAIL_BACKEND = env("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="registry@localhost")
# The site's address as its users reach it: e-mails link to pages with it (a worker sends them, with no request).
SITE_URL = env("SITE_URL", default="http://127.0.0.1:8000")
# Who issues the Taobao village certificates of each province (first two digits of the code), e.g.
# CERTIFICATE_AUTHORITIES=37=山东省商务厅,32=江苏省商务厅; provinces not named get the default.
CERTIFICATE_AUTHORITIES = env.dict("CERTIFICATE_AUTHORITIES", default={})
CERTIFICATE_AUTHORITY_DEFAULT = env("CERTIFICATE_AUTHORITY_DEFAULT", default="淘宝村名录登记机关")


def caches_from_url(redis_url):
    """The default cache: Redis when a URL is given, shared by every app server and worker; else this process's
    memory, which is right only for a single process (a developer machine, the tests)."""
    if not redis_url:
        return {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    return {
        "default": {
            "BACKEND": "taobao_site.cache.RegistryRedisCache",
            "LOCATION": redis_url,
            # A Redis that stopped answering must cost a request a second, not hold a worker for minutes.
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }


# Throttles, and anything else app servers must agree on, live in the default cache.
CACHES = caches_from_url(env("REDIS_URL", default=""))

TASKS = {"default": {"BACKEND": env("TASKS_BACKEND", default="django_tasks.backends.immediate.ImmediateBackend")}}

REST_FRAMEWORK = {
    # Token first: its WWW-Authenticate header turns "not logged in" into a 401 rather than a 403.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "taobao_site.token_authentication.RegistryTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
        # Seen on every API request: a feed token anywhere but on the feed is refused (403).
        "taobao_site.feed_authentication.FeedTokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticatedOrReadOnly"],
    "DEFAULT_FILTER_BACKENDS": ["taobao_site.api_filtering.RegistryFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "taobao_site.api_pagination.RegistryPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "taobao_site.api_errors.api_exception_handler",
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["taobao_site.api_parsers.RegistryJSONParser"],
    "DEFAULT_THROTTLE_CLASSES": [
        "taobao_site.api_throttles.AnonRateThrottle",
        "taobao_site.api_throttles.UserRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anon": env("API_THROTTLE_ANON", default="600/hour"),
        "user": env("API_THROTTLE_USER", default="10000/hour"),
    },
}

SPECTACULAR_SETTINGS = {
    "TITLE": "Taobao Village Registry API",
    "DESCRIPTION": "JSON API v1 of the Taobao Village Registry.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "CommitteeTypeEnum": "villages.models.villages.CommitteeType",
        "ReportStatusEnum": "villages.models.reports.Status",
        "FacilityStatusEnum": "rural_services.models.FacilityStatus",
        "ImportStatusEnum": "villages.models.imports.ImportStatus",
        "TownshipKindEnum": "villages.models.conversions.TownshipKind",
        "CompletenessReasonEnum": "villages.selectors.completeness.REASONS",
        "FeedBatchKindEnum": "villages.models.feed.FeedBatchKind",
        "FeedBatchStatusEnum": "villages.models.feed.FeedBatchStatus",
        "GeometryTypeEnum": ["Point"],
        "FeatureTypeEnum": ["Feature"],
        "FeatureCollectionTypeEnum": ["FeatureCollection"],
    },
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "villages.api.schema_hooks.file_path_enums",
        "villages.api.schema_hooks.texts_in_request_language",
    ],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}

# Registry rules that are not confirmed by a primary source stay settings (DOMAIN.md).
CLUSTER_LINK_KM = env.float("CLUSTER_LINK_KM", default=5.0)
NEAR_MISS_MARGIN = env.float("NEAR_MISS_MARGIN", default=0.20)
# The licence of the open data downloads and the dashboard's figures (Frictionless licence fields).
OPEN_DATA_LICENSE = {
    "name": env("OPEN_DATA_LICENSE_NAME", default="CC-BY-4.0"),
    "title": env("OPEN_DATA_LICENSE_TITLE", default="Creative Commons Attribution 4.0"),
    "path": env("OPEN_DATA_LICENSE_PATH", default="https://creativecommons.org/licenses/by/4.0/"),
}
# A declaration further than this from the platform's own figures is a data-quality warning (reconciliation).
RECONCILIATION_TOLERANCE_PERCENT = env.int("RECONCILIATION_TOLERANCE_PERCENT", default=10)
IMPORT_MAX_FILE_BYTES = env.int("IMPORT_MAX_FILE_BYTES", default=20 * 1024 * 1024)
IMPORT_MAX_ROWS = env.int("IMPORT_MAX_ROWS", default=1_000_000)
# The largest evidence file a report accepts (villages.services.evidence); a larger one is refused with a 400.
ATTACHMENT_MAX_BYTES = env.int("ATTACHMENT_MAX_BYTES", default=10 * 1024 * 1024)
# The most reports a reviewer may approve or return in one bulk step of the review queue (views.bulk_review).
BULK_REVIEW_LIMIT = env.int("BULK_REVIEW_LIMIT", default=200)
# API lists and admin changelists count exactly up to this many rows; beyond it PostgreSQL answers with the
# planner's estimate (taobao_site.counting), which for a list ten times longer is kept in the shared cache for
# COUNT_ESTIMATE_CACHE_SECONDS (0: never kept).
COUNT_ESTIMATE_THRESHOLD = env.int("COUNT_ESTIMATE_THRESHOLD", default=10_000)
COUNT_ESTIMATE_CACHE_SECONDS = env.int("COUNT_ESTIMATE_CACHE_SECONDS", default=300)
# The platform data feed: the largest body a batch may have, and the number of rows above which a batch is
# stored as a file and applied by a background worker (the request answers 202 with the batch to poll).
FEED_MAX_BODY_BYTES = env.int("FEED_MAX_BODY_BYTES", default=200 * 1024 * 1024)
FEED_BACKGROUND_ROWS = env.int("FEED_BACKGROUND_ROWS", default=20_000)
# Seconds without a heartbeat after which `registry_worker` marks a running import job interrupted.
IMPORT_HEARTBEAT_TIMEOUT = env.int("IMPORT_HEARTBEAT_TIMEOUT", default=120)
# The map's background: a Leaflet tile URL template; empty means markers on a plain background (offline), unless
# TIANDITU_KEY is set, which selects the national base map service Tianditu (天地图), vector tiles.
MAP_TILE_URL = env("MAP_TILE_URL", default="")
MAP_TILE_ATTRIBUTION = env("MAP_TILE_ATTRIBUTION", default="")
TIANDITU_KEY = env("TIANDITU_KEY", default="")
# Where Tianditu's tiles come from (t0 … t7), for the Content-Security-Policy's img-src.
TIANDITU_TILE_HOSTS = "https://t{s}.tianditu.gov.cn/"

# Login protection (django-axes): lock a username at one address after AXES_FAILURE_LIMIT wrong passwords, for
# AXES_COOLOFF_TIME. The database handler keeps the attempts in PostgreSQL, shared by every app server, with a
# record of each failure and lockout; an administrator unlocks by deleting the attempt in the admin.
AXES_HANDLER = "axes.handlers.database.AxesDatabaseHandler"
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=30))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_ENABLE_ACCESS_FAILURE_LOG = True
AXES_LOCKOUT_CALLABLE = "taobao_site.login_protection.lockout_response"
# Axes prints its configuration on every start of every command; the log keeps what matters (lockouts).
AXES_VERBOSE = False


def map_tile_origin(tile_url):
    """The origin of a Leaflet tile URL template for img-src; a `{s}` subdomain becomes the CSP wildcard."""
    if not tile_url:
        return []
    parts = urlsplit(tile_url)
    host = ".".join("*" if "{s}" in label else label for label in parts.hostname.split("."))
    port = f":{parts.port}" if parts.port else ""
    return [f"{parts.scheme}://{host}{port}"]


# Content-Security-Policy (django-csp) in every environment, so that a developer sees a violation first: only
# the app's own scripts and styles (no inline code anywhere), images also as data: URIs (Leaflet's blank tile,
# Swagger UI's icons) and from the map's tile server.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "img-src": [SELF, "data:", *map_tile_origin(MAP_TILE_URL or (TIANDITU_TILE_HOSTS if TIANDITU_KEY else ""))],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

# /healthz answers 503 when queued background work waits longer than this, or no worker has shown life for
# this long while work waits.
HEALTH_MAX_QUEUE_AGE_SECONDS = env.int("HEALTH_MAX_QUEUE_AGE_SECONDS", default=300)
HEALTH_MAX_WORKER_SILENCE_SECONDS = env.int("HEALTH_MAX_WORKER_SILENCE_SECONDS", default=300)
# `manage.py registry_backup` keeps this many dumps in its output folder and deletes older ones.
BACKUP_KEEP = env.int("BACKUP_KEEP", default=14)

# Every record carries the request id (RequestIdMiddleware). LOG_FORMAT=json writes one JSON object per line
# for a log collector (production's default); "text" reads better on a terminal.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "taobao_site.logging.RequestIdFilter"}},
    "formatters": {
        "text": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
        "json": {"()": "taobao_site.logging.JsonLinesFormatter"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["request_id"],
            "formatter": env("LOG_FORMAT", default="text"),
        }
    },
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
}

# Chinese official statistics group digits in threes with commas; Django's zh_Hans default has no separator.
FORMAT_MODULE_PATH = ["taobao_site.formats"]

# Notification mail is recorded, then sent by a background task (villages/notifications.py). A send gives up
# after EMAIL_TIMEOUT seconds (Django's SMTP backend reads it); a failed one is retried MAIL_RETRY_BASE_SECONDS
# later, the wait doubling each time, and is marked failed after MAIL_MAX_ATTEMPTS attempts.
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=10)
MAIL_MAX_ATTEMPTS = env.int("MAIL_MAX_ATTEMPTS", default=5)
MAIL_RETRY_BASE_SECONDS = env.int("MAIL_RETRY_BASE_SECONDS", default=60)

# `manage.py send_reminders` (daily) reminds county officials of the reports still owed once a reporting window
# closes within this many days.
REMINDER_DAYS_BEFORE_CLOSE = env.int("REMINDER_DAYS_BEFORE_CLOSE", default=3)
