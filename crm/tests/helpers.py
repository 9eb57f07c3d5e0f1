"""Helpers shared by the tests."""


def form_data(form) -> dict:
    """What a browser would post back for a drawn form: its current values, hidden ones included."""
    data = {}
    for name in form.fields:
        value = form[name].value()
        if value is None:
            continue
        if isinstance(value, list | tuple):
            data[name] = [str(getattr(v, "pk", v)) for v in value]
        elif isinstance(value, bool):
            if value:
                data[name] = "on"
        else:
            data[name] = str(getattr(value, "pk", value))
    return data


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
