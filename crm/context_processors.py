from __future__ import annotations

from django.http import HttpRequest

from crm.navigation import visible_items


def navigation(request: HttpRequest) -> dict:
    user = getattr(request, "user", None)
    if user is None:
        return {"nav_items": []}
    return {"nav_items": visible_items(user)}
