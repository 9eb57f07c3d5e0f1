"""gunicorn's settings for the CRM (read from the working directory, or `-c gunicorn.conf.py`).

Environment: PORT (8000), WEB_CONCURRENCY (workers: 2 per core + 1), GUNICORN_TIMEOUT (60 s),
GUNICORN_THREADS (1), GUNICORN_PRELOAD (1: load and warm the app once, before forking; 0: each
worker loads it). Access log on stdout, one key=value line per request, like the app's log.
"""

import multiprocessing
import os

bind = os.environ.get("GUNICORN_BIND", f"0.0.0.0:{os.environ.get('PORT', '8000')}")
workers = int(os.environ.get("WEB_CONCURRENCY", 2 * multiprocessing.cpu_count() + 1))
threads = int(os.environ.get("GUNICORN_THREADS", "1"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))
graceful_timeout = 30
keepalive = 5
# A worker is replaced after this many requests (with jitter), so slow leaks cannot build up.
max_requests = 2000
max_requests_jitter = 200
accesslog = "-"
errorlog = "-"
loglevel = os.environ.get("LOG_LEVEL", "info").lower()
access_log_format = (
    'level=INFO logger=gunicorn.access method=%(m)s path="%(U)s" query="%(q)s" status=%(s)s '
    'bytes=%(B)s duration_ms=%(M)s ip=%(h)s agent="%(a)s"'
)
# The application is loaded once in the master and warmed there (crm/warmup.py: templates
# compiled, catalogs read), so every worker, also one replacing another after max_requests,
# starts warm and shares that memory. A code change then needs a restart, not a HUP.
preload_app = os.environ.get("GUNICORN_PRELOAD", "1") == "1"


def when_ready(server):
    """In the master, after the preload and before the workers are forked."""
    if preload_app:
        from crm.warmup import warm

        warm()


# Behind a proxy (nginx, a load balancer), trust its X-Forwarded-* headers.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
