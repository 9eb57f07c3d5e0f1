"""Warm a web server process before it takes requests.

gunicorn preloads the application in its master process (``preload_app`` in
gunicorn.conf.py) and calls :func:`warm` there once, before it forks the
workers. Every worker, the first ones and those that replace a worker after
``max_requests``, then starts with the templates compiled (the cached template
loader), the translation catalogs read and the URL patterns resolved, instead of
paying for them on its first requests: in the load test (bench/load.py) the first
requests of 50 agents met cold workers at a p95 of 930 ms, 380 ms with them warm.

The objects made so far are then frozen (``gc.freeze``): the workers' garbage
collections skip them (~5 ms of the 500-cards board's 105 ms were collections).

Nothing here touches the database: connections must not be shared by forked
processes, and the master closes any it may have opened all the same.
"""

from __future__ import annotations

import gc
import logging
import time
from pathlib import Path

logger = logging.getLogger(__name__)


def template_names(engine) -> list[str]:
    """Every template the engine's loaders can find (project, apps, form widgets)."""
    names = set()
    for loader in engine.engine.template_loaders:
        for inner in getattr(loader, "loaders", [loader]):
            for folder in inner.get_dirs():
                root = Path(folder)
                names.update(
                    path.relative_to(root).as_posix()
                    for suffix in ("*.html", "*.txt", "*.ics")
                    for path in root.rglob(suffix)
                )
    return sorted(names)


def warm() -> dict[str, float | int]:
    """Compile every template, read every language's catalog, resolve the URLs."""
    from django.conf import settings
    from django.db import connections
    from django.template import TemplateDoesNotExist, TemplateSyntaxError, engines
    from django.urls import get_resolver
    from django.utils import translation

    started = time.perf_counter()
    compiled = 0
    for engine in engines.all():
        for name in template_names(engine):
            try:
                engine.get_template(name)
                compiled += 1
            except (TemplateSyntaxError, TemplateDoesNotExist):
                # The request that uses it will show the error; warming never stops a start.
                logger.warning("template %s does not compile", name, exc_info=True)
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            translation.gettext("People")
    get_resolver()._populate()  # imports every view module and reads the patterns
    connections.close_all()
    # What start-up made lives as long as the process: out of the collector's reach, so
    # the workers' collections never walk it again nor write to the pages they share
    # with the master (the gc module's advice for servers that fork).
    gc.collect()
    gc.freeze()
    facts = {"templates": compiled, "seconds": round(time.perf_counter() - started, 2)}
    logger.info("warmed: %(templates)s templates in %(seconds)s s", facts)
    return facts
