"""Production settings: every secret comes from the environment, and the site refuses to start without it."""

from .base import *  # noqa: F403
from .base import LOGGING, REST_FRAMEWORK, caches_from_url, env

SECRET_KEY = env("SECRET_KEY")
DEBUG = False
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS")
# E-mails link here; by default the first allowed host over HTTPS (nginx terminates TLS).
SITE_URL = env("SITE_URL", default=f"https://{ALLOWED_HOSTS[0]}")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
# Imports of big files run in the background: `manage.py db_worker` (django-tasks-db) picks them up.
TASKS = {"default": {"BACKEND": env("TASKS_BACKEND", default="django_tasks_db.DatabaseBackend")}}

# Always Redis, never one process's memory: with several app servers each would count throttles alone. The
# default is the one-machine stack's Redis (a URL, not a secret); app servers on several machines must all be
# given the same REDIS_URL.
CACHES = caches_from_url(env("REDIS_URL", default="redis://127.0.0.1:6379/0"))

# nginx terminates TLS, says so in X-Forwarded-Proto and appends the client's address to X-Forwarded-For.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
AXES_CLIENT_IP_CALLABLE = "taobao_site.login_protection.address_behind_proxy"
REST_FRAMEWORK = {**REST_FRAMEWORK, "NUM_PROXIES": 1}
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
# A load balancer's or monitor's health probe talks plain HTTP to an app server directly.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31_536_000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
# The header only allows a submission to the browsers' preload list (hstspreload.org); nobody is submitted by it.
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=True)
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=True)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=True)
SECURE_CONTENT_TYPE_NOSNIFF = True
# The origin (never the path) still goes to the map's tile server, whose keys (Tianditu) are bound to a domain.
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
X_FRAME_OPTIONS = "DENY"

EMAIL_BACKEND = env("EMAIL_BACKEND", default="django.core.mail.backends.smtp.EmailBackend")
EMAIL_HOST = env("EMAIL_HOST", default="localhost")
EMAIL_PORT = env.int("EMAIL_PORT", default=25)
EMAIL_HOST_USER = env("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=False)

# One JSON object per log line for the log collector, each with its request id (LOG_FORMAT=text to read by eye).
LOGGING["handlers"]["console"]["formatter"] = env("LOG_FORMAT", default="json")
