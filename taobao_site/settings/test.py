"""Test settings: the database from DATABASE_URL (SQLite by default), fast hashing, mail kept in memory."""

from .base import *  # noqa: F403
from .base import REST_FRAMEWORK, VAR_DIR, database_from_env

SECRET_KEY = "test-key-not-for-production"
DEBUG = False
DATABASES = {"default": database_from_env(f"sqlite:///{VAR_DIR / 'test-registry.sqlite3'}")}
# Threads of the live server and the concurrency tests must not keep connections open past a test.
DATABASES["default"]["CONN_MAX_AGE"] = 0
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
REST_FRAMEWORK = {
    **REST_FRAMEWORK,
    "DEFAULT_THROTTLE_RATES": {"anon": "100000/hour", "user": "100000/hour"},
}
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
ALLOWED_HOSTS = ["*"]
# Static files come straight from the apps and static/, as under runserver; collectstatic is for production.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
