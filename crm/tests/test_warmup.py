"""The warm-up gunicorn runs in its master before forking (crm/warmup.py)."""

from __future__ import annotations

import gc
from pathlib import Path

from django.conf import settings
from django.db import connections
from django.template import engines

from crm.warmup import template_names, warm


def test_every_template_compiles_and_no_connection_is_left_open():
    engine = engines["django"]
    names = template_names(engine)
    # The project's own templates, the apps' and the form widgets' (TemplatesSetting renderer).
    project = {
        p.relative_to(Path(settings.BASE_DIR) / "templates").as_posix()
        for p in (Path(settings.BASE_DIR) / "templates").rglob("*.html")
    }
    assert project <= set(names)
    assert "django/forms/widgets/select.html" in names
    try:
        facts = warm()
        assert gc.get_freeze_count() > 0  # what start-up made is out of the collector's reach
    finally:
        gc.unfreeze()  # this test process goes on with other tests
    assert facts["templates"] == len(names)  # none failed to compile
    assert all(connection.connection is None for connection in connections.all())
