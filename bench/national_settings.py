"""Settings of the national benchmark's server: production's, over plain HTTP on 127.0.0.1, with the bench URLconf.

The secret, hosts and database come from the environment that bench/bench_national.py gives gunicorn. Static
files are served unhashed because the benchmark does not run `collectstatic` (the manifest storage would refuse
every page); throttle rates come from API_THROTTLE_* like everywhere, set high by the benchmark so that it
measures answers rather than 429s.
"""

from taobao_site.settings.production import *  # noqa: F403
from taobao_site.settings.production import MIDDLEWARE, STORAGES

ROOT_URLCONF = "bench.national_urls"
MIDDLEWARE = ["bench.national_urls.QueryCountMiddleware", *MIDDLEWARE]
STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
