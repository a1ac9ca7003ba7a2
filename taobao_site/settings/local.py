"""Settings for a developer machine and `make run`: debug on, a fixed development key, console e-mail."""

from .base import *  # noqa: F403
from .base import env

DEBUG = env.bool("DEBUG", default=True)
SECRET_KEY = env("SECRET_KEY", default="local-development-key-not-for-production")

WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
