"""Possible duplicates and the merge page, for people and companies (crm.merge)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from crm import access, merge
from crm.forms import MergeForm, PickForm

KEY_LABELS = {
    "email": gettext_lazy("Same email"),
    "phone": gettext_lazy("Same phone or mobile"),
    "tax_id": gettext_lazy("Same tax id"),
    "name": gettext_lazy("Same name"),
}


def _kind(slug: str) -> merge.Kind:
    if slug not in merge.KINDS:
        raise Http404
    return merge.KINDS[slug]


@login_required
def duplicates(request: HttpRequest, kind: str) -> HttpResponse:
    spec = _kind(kind)
    by = request.GET.get("by") if request.GET.get("by") in spec.keys else next(iter(spec.keys))
    after = request.GET.get("after", "")[:300]
    groups, computed_at = merge.possible_duplicates(
        spec, request.user, by, after=after, limit=merge.PAGE, refresh=bool(request.GET.get("refresh"))
    )
    return render(
        request,
        "crm/merge/duplicates.html",
        {
            "kind": spec,
            "by": by,
            "keys": [(key, KEY_LABELS[key]) for key in spec.keys],
            "groups": groups,
            "next_after": groups[-1].value if len(groups) == merge.PAGE else "",
            "after": after,
            "computed_at": computed_at,
        },
    )


@login_required
def merge_records(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    """Record ``pk`` and the one in ``?b=``: pick the other first when missing."""
    spec = _kind(kind)
    scope = spec.scope(request.user)
    # Both records are changed (one discarded): seeing one is not enough (403).
    a = access.get_for_change(request.user, scope, pk=pk)
    other = request.GET.get("b") or request.POST.get("b") or ""
    if not other.isdigit():
        return render(request, "crm/merge/pick.html", {"kind": spec, "a": a, "form": PickForm(spec=spec)})
    b = access.get_for_change(request.user, scope, pk=other)
    if a.pk == b.pk:
        messages.error(request, _("Choose two different records."))
        return redirect(request.path)
    form = MergeForm(request.POST or None, spec=spec, a=a, b=b)
    if request.method == "POST" and form.is_valid():
        survivor, duplicate = form.survivor_and_duplicate()
        try:
            merge.merge(
                kind=spec, survivor=survivor, duplicate=duplicate, values=form.values(), by=request.user
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request,
                _("%(duplicate)s was merged into %(survivor)s; it stays in Discarded.")
                % {"duplicate": duplicate, "survivor": survivor},
            )
            return redirect(survivor)
    return render(request, "crm/merge/merge.html", {"kind": spec, "a": a, "b": b, "form": form})
