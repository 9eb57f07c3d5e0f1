import os
import subprocess
import sys

import pytest
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from crm.settings import env_bool, env_int, env_list
from crm.tests.helpers import process_env


def test_env_helpers_parse_and_refuse_bad_values(monkeypatch):
    monkeypatch.setenv("X_BOOL", "yes")
    monkeypatch.setenv("X_INT", "42")
    monkeypatch.setenv("X_LIST", "a.example, b.example,")
    assert env_bool("X_BOOL", False) is True
    assert env_int("X_INT", 0) == 42
    assert env_list("X_LIST", []) == ["a.example", "b.example"]
    assert env_bool("X_UNSET", True) is True
    monkeypatch.setenv("X_BOOL", "maybe")
    monkeypatch.setenv("X_INT", "many")
    with pytest.raises(ImproperlyConfigured):
        env_bool("X_BOOL", False)
    with pytest.raises(ImproperlyConfigured):
        env_int("X_INT", 0)


def test_production_settings_pass_check_deploy(monkeypatch):
    # A browser journey run earlier by the same worker leaves this set for the rest of the
    # session (Playwright's event loop; crm/tests/browser.py): the check must not inherit it.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    env = process_env(
        DEBUG="0",
        HTTPS="1",
        SECRET_KEY="x" * 20 + "-production-secret-key-with-enough-entropy-1234567890",
        ALLOWED_HOSTS="crm.example.com",
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_logs_are_one_key_value_line_per_event(capfd):
    """Production logs go to stdout/stderr as key=value lines (for container platforms)."""
    import logging
    import logging.config

    from django.conf import settings

    logging.config.dictConfig(settings.LOGGING)
    logging.getLogger("crm.test").warning("Import %s finished", 7)
    line = capfd.readouterr().err.strip().splitlines()[-1]
    assert line.startswith("time=")
    assert ' level=WARNING logger=crm.test msg="Import 7 finished"' in line


def test_gunicorn_config_serves_two_workers_per_core_plus_one(monkeypatch):
    import multiprocessing
    import runpy

    from django.conf import settings

    monkeypatch.delenv("WEB_CONCURRENCY", raising=False)
    config = runpy.run_path(str(settings.BASE_DIR / "gunicorn.conf.py"))
    assert config["workers"] == 2 * multiprocessing.cpu_count() + 1
    assert config["accesslog"] == "-"
    assert config["access_log_format"].startswith("level=INFO logger=gunicorn.access")
    monkeypatch.setenv("WEB_CONCURRENCY", "3")
    assert runpy.run_path(str(settings.BASE_DIR / "gunicorn.conf.py"))["workers"] == 3


def test_collectstatic_builds_the_hashed_files_production_serves(settings, tmp_path):
    """What the image build runs: every file a stylesheet or script refers to (source maps
    included) must exist, or collectstatic fails and no production image builds."""
    from django.core.management import call_command

    settings.STATIC_ROOT = tmp_path
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"},
    }
    call_command("collectstatic", interactive=False, verbosity=0)
    manifest = (tmp_path / "staticfiles.json").read_text()
    assert "css/crm.css" in manifest
    assert "vendor/chart.js-4.6.1/chart.umd.min.js" in manifest


def test_make_runs_development_server_keeps_no_connection_per_thread(monkeypatch):
    from django.db import connections

    from crm.management.commands.runserver_with_worker import close_connections_after_each_request

    monkeypatch.setenv("DB_CONN_MAX_AGE", "60")
    kept = connections["default"].settings_dict["CONN_MAX_AGE"]
    try:
        close_connections_after_each_request()
        assert connections["default"].settings_dict["CONN_MAX_AGE"] == 0
        assert os.environ["DB_CONN_MAX_AGE"] == "0"  # the reloader's child and the worker too
    finally:
        connections["default"].settings_dict["CONN_MAX_AGE"] = kept


def test_every_setting_read_from_the_environment_is_in_env_example():
    import re
    from pathlib import Path

    from django.conf import settings

    base = Path(settings.BASE_DIR)
    read = set(re.findall(r'env_(?:bool|int|list)\("([A-Z0-9_]+)"', (base / "crm/settings.py").read_text()))
    read |= set(re.findall(r'os\.environ\.get\("([A-Z0-9_]+)"', (base / "crm/settings.py").read_text()))
    documented = set(re.findall(r"^#? ?([A-Z0-9_]+)=", (base / ".env.example").read_text(), re.M))
    internal = {"LOG_LEVEL", "CHROMIUM", "BROWSER_TESTS", "SCALE_TESTS", "CRM_DATA_DIR"}
    assert sorted(read - documented - internal) == []
