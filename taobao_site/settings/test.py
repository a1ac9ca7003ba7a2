"""Test settings: the database from DATABASE_URL (SQLite by default), fast hashing, mail kept in memory."""

from .base import *  # noqa: F403
from .base import REST_FRAMEWORK, VAR_DIR, caches_from_url, database_from_env

SECRET_KEY = "test-key-not-for-production"
DEBUG = False
DATABASES = {"default": database_from_env(f"sqlite:///{VAR_DIR / 'test-registry.sqlite3'}")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # A file, not Django's default in-memory test database, so that `pytest --reuse-db` has something to keep;
    # pytest-django gives each xdist worker its own copy (suffix _gw0, _gw1, ...).
    DATABASES["default"]["TEST"] = {"NAME": DATABASES["default"]["NAME"]}
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
# Each test process counts throttles alone, even when the environment names a Redis (the deploy leg's does).
CACHES = caches_from_url("")
