"""Going back where the user came from (`next`), only to a path of this site."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect
from django.utils.http import url_has_allowed_host_and_scheme


def safe_next(request: HttpRequest) -> str:
    """The posted or requested `next` when it is a local path; otherwise ""."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if (
        target.startswith("/")
        and not target.startswith("//")
        and url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure())
    ):
        return target
    return ""


def back(request: HttpRequest, fallback) -> HttpResponse:
    """Redirect to `next` if it is safe, else to `fallback` (a URL, a model or a view name)."""
    target = safe_next(request)
    return HttpResponseRedirect(target) if target else redirect(fallback)
