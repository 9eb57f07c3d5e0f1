from __future__ import annotations

from django.http import HttpRequest

from crm.navigation import visible_items


def navigation(request: HttpRequest) -> dict:
    """The menu, and the team's settings (read once per request by the middleware)."""
    from crm import team

    user = getattr(request, "user", None)
    if user is None:
        return {"nav_items": [], "team": team.current()}
    return {"nav_items": visible_items(user), "team": team.current()}
