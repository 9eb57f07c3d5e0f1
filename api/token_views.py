"""Each user's API tokens: create (shown once), see, revoke."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from api.forms import TokenForm
from api.models import ApiToken
from crm import access


@login_required
def token_list(request: HttpRequest) -> HttpResponse:
    form = TokenForm(request.POST or None)
    created = None
    if request.method == "POST" and form.is_valid():
        _token, created = ApiToken.issue(user=request.user, name=form.cleaned_data["name"])
        form = TokenForm()
    tokens = access.api_tokens(request.user).order_by("revoked_at", "-created_at")[:100]
    response = render(request, "api/tokens.html", {"form": form, "tokens": tokens, "created": created})
    if created:
        response["Cache-Control"] = "no-store"
    return response


@login_required
@require_POST
def token_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    token = access.get_or_404(access.api_tokens(request.user), pk=pk)
    token.revoke()
    messages.success(
        request, _("Token “%(name)s” revoked: it no longer opens the API.") % {"name": token.name}
    )
    return redirect("api:tokens")
