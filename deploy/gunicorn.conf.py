"""Gunicorn settings of one registry app server; `gunicorn -c deploy/gunicorn.conf.py taobao_site.wsgi`."""

import os

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
# Sync workers: the registry's requests are short database round trips; nginx buffers slow clients.
workers = int(os.environ.get("GUNICORN_WORKERS", "4"))
# A request that runs longer than this is killed with its worker (nginx then answers 502 and, for idempotent
# requests, retries on the other app server); long work belongs in the db_worker.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
# On SIGTERM (a deploy, `systemctl stop`) requests in flight get this long to finish before workers are killed.
graceful_timeout = int(os.environ.get("GUNICORN_GRACEFUL_TIMEOUT", "30"))
keepalive = 5
# Only nginx on this host may set X-Forwarded-Proto (Django's SECURE_PROXY_SSL_HEADER trusts it).
forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1")
proc_name = os.environ.get("GUNICORN_PROC_NAME", "registry-web")

accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-")
errorlog = os.environ.get("GUNICORN_ERROR_LOG", "-")
# The request id is nginx's $request_id (sent as X-Request-ID), so one request is found in both logs.
access_log_format = (
    'request_id=%({x-request-id}i)s remote=%({x-forwarded-for}i)s "%(r)s" status=%(s)s bytes=%(B)s '
    'duration_us=%(D)s user_agent="%(a)s"'
)

# Garbage collection tuned for a request server. Everything the worker loads before its first request (Django,
# the apps, the URLconf and its views) lives as long as the worker: frozen, the collector stops scanning it
# again on each full collection. A larger first generation lets a request's short-lived rows go by reference
# counting instead of triggering collections every 700 allocations (CPython's default).
GC_FIRST_GENERATION = int(os.environ.get("GUNICORN_GC_THRESHOLD", "50000"))


def post_worker_init(worker):
    import gc

    from django.urls import get_resolver

    get_resolver().url_patterns  # noqa: B018 - imports every view before the freeze
    gc.collect()
    gc.freeze()
    _, second, third = gc.get_threshold()
    gc.set_threshold(GC_FIRST_GENERATION, second, third)
