"""Helpers shared by the tests."""


def project_apps() -> list[str]:
    """The installed apps whose code is the project's own (not the libraries')."""
    from pathlib import Path

    from django.apps import apps
    from django.conf import settings

    base = Path(settings.BASE_DIR).resolve()
    return [config.name for config in apps.get_app_configs() if Path(config.path).resolve().parent == base]


def form_data(form) -> dict:
    """What a browser would post back for a drawn form (crm.forms.current_values)."""
    from crm.forms import current_values

    return current_values(form)


# Set by the test session itself, never by a deployment: the browser journeys set it for the
# rest of their worker's session (Playwright's event loop; crm/tests/browser.py).
TEST_SESSION_ONLY = {"DJANGO_ALLOW_ASYNC_UNSAFE"}


def process_env(**settings: str) -> dict[str, str]:
    """The environment of a process a test starts (an app server, a worker, a check): this
    one's, without what only the test session sets, with ``settings`` over it."""
    import os

    return {name: value for name, value in os.environ.items() if name not in TEST_SESSION_ONLY} | settings


def database_url() -> str:
    """DATABASE_URL of the test database, for processes the test starts (workers, app servers)."""
    from urllib.parse import quote

    from django.db import connection

    settings = connection.settings_dict
    host = settings["OPTIONS"].get("host") or settings["HOST"]
    user = quote(settings["USER"] or "", safe="")
    password = quote(settings["PASSWORD"] or "", safe="")
    port = settings.get("PORT") or 5432
    if host.startswith("/"):
        return f"postgres://{user}:{password}@:{port}/{settings['NAME']}?host={quote(host, safe='')}"
    return f"postgres://{user}:{password}@{host}:{port}/{settings['NAME']}"


def api_client(user):
    """A client that calls the REST API with a personal token of ``user``."""
    from django.test import Client

    from api.models import ApiToken

    _token, text = ApiToken.issue(user=user, name="script")
    return Client(HTTP_AUTHORIZATION=f"Bearer {text}")


def persona_client(world, persona: str):
    """A client signed in as one of the world's personas ("anonymous": not signed in)."""
    from django.test import Client

    client = Client()
    if persona != "anonymous":
        client.force_login(getattr(world, persona))
    return client
