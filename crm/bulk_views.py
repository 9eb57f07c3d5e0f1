"""The bulk bar of the lists (crm.bulk): apply an action, undo it."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST

from crm import access, bulk
from crm.forms import BulkForm
from crm.redirects import safe_next


def _kind(slug: str) -> bulk.ListKind:
    if slug not in bulk.KINDS:
        raise Http404
    return bulk.KINDS[slug]


def _back(request: HttpRequest, kind: bulk.ListKind) -> HttpResponse:
    return redirect(safe_next(request) or reverse(kind.list_url))


@login_required
@require_GET
def bulk_options(request: HttpRequest, kind: str) -> HttpResponse:
    """The choices of a list's bulk bar (users, tags, campaigns the user may pick), loaded when
    the bar is first used: every list page would otherwise build them for nobody."""
    form = BulkForm(kind=_kind(kind), user=request.user)
    return render(request, "partials/bulk_options.html", {"kind": form.kind, "options": form.options()})


@login_required
@require_POST
def bulk_apply(request: HttpRequest, kind: str) -> HttpResponse:
    spec = _kind(kind)
    form = BulkForm(request.POST, kind=spec, user=request.user)
    if not form.is_valid():
        for field, errors in form.errors.items():
            label = form.fields[field].label if field in form.fields and field != "__all__" else ""
            messages.error(request, f"{label}: {' '.join(errors)}" if label else " ".join(errors))
        return _back(request, spec)
    action = form.chosen_action()
    queryset = bulk.rows(
        spec,
        request.user,
        ids=form.cleaned_data["ids"],
        query=form.cleaned_data["query"] if form.cleaned_data["all"] else None,
    )
    try:
        operation = bulk.apply(
            kind=spec,
            action=action,
            user=request.user,
            queryset=queryset,
            value=form.cleaned_data.get(action.needs) if action.needs else None,
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        minutes = bulk.undo_deadline().seconds // 60
        messages.success(
            request,
            " ".join(
                (
                    _("%(action)s%(value)s: changes on %(changed)s of %(rows)s.")
                    % {
                        "action": action.label,
                        "value": f" {operation.value}" if operation.value else "",
                        "changed": operation.changed,
                        "rows": spec.count(operation.selected),
                    },
                    ngettext(
                        "You can undo it for %(minutes)s minute.",
                        "You can undo it for %(minutes)s minutes.",
                        minutes,
                    )
                    % {"minutes": minutes},
                )
            ),
        )
    return _back(request, spec)


@login_required
@require_POST
def bulk_undo(request: HttpRequest, pk: int) -> HttpResponse:
    operation = access.get_or_404(access.bulk_operations(request.user), pk=pk)
    spec = _kind(operation.kind)
    try:
        back = bulk.undo(operation=operation, user=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request, _("Undone: %(rows)s back as they were before.") % {"rows": spec.count(back)}
        )
    return _back(request, spec)
