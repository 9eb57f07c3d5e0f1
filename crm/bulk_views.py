"""The bulk bar of the lists (crm.bulk): apply an action, undo it."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.html import format_html_join
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from crm import access, bulk
from crm.redirects import safe_next


class BulkForm(forms.Form):
    action = forms.ChoiceField(label=gettext_lazy("Action"))
    user = forms.ModelChoiceField(label=gettext_lazy("User"), queryset=None, required=False)
    tag = forms.ModelChoiceField(label=gettext_lazy("Tag"), queryset=None, required=False)
    campaign = forms.ModelChoiceField(label=gettext_lazy("Campaign"), queryset=None, required=False)
    stage = forms.ChoiceField(label=gettext_lazy("Stage"), required=False)
    ids = forms.MultipleChoiceField(required=False)
    all = forms.BooleanField(required=False)
    query = forms.CharField(required=False, max_length=4000)

    def __init__(self, *args, kind: bulk.ListKind, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.kind = kind
        needs = {action.needs for action in kind.actions}
        self.fields["action"].choices = [(a.slug, a.label) for a in kind.actions]
        self.fields["user"].queryset = access.assignable_users(user).order_by("name", "username")
        self.fields["tag"].queryset = access.tags(user).order_by("name")
        # Only campaigns the user changes (an agent who works members in one may not add to it).
        self.fields["campaign"].queryset = access.changeable(user, access.campaigns(user)).order_by(
            "-starts_on", "-id"
        )
        self.fields["stage"].choices = kind.stage_choices
        for name in ("user", "tag", "campaign", "stage"):
            if name not in needs:
                del self.fields[name]
        # Any ids: the scope decides which are really changed.
        self.fields["ids"].valid_value = lambda value: str(value).isdigit()

    # What the bar shows of each choice (its label), and how many campaigns at most.
    SHOWN = {"user": ("name", "username"), "tag": ("name",), "campaign": ("name",)}
    MAX_OPTIONS = 200

    def options(self) -> dict[str, str]:
        """The <option>s of the bar's choices, reading only the columns their labels need
        (joined here: two hundred campaigns through the template language cost ~3 ms)."""
        return {
            name: format_html_join(
                "",
                '<option value="{}">{}</option>',
                ((o.pk, str(o)) for o in self.fields[name].queryset.only(*shown)[: self.MAX_OPTIONS]),
            )
            for name, shown in self.SHOWN.items()
            if name in self.fields
        }

    def chosen_action(self) -> bulk.Action:
        return self.kind.action(self.cleaned_data["action"])

    def clean(self):
        cleaned = super().clean()
        action = self.kind.action(cleaned.get("action") or "")
        if action is not None and action.needs and not cleaned.get(action.needs):
            self.add_error(action.needs, _("Choose one for “%(action)s”.") % {"action": action.label})
        if not cleaned.get("all") and not cleaned.get("ids"):
            raise ValidationError(_("Select at least one row."))
        return cleaned


def _kind(slug: str) -> bulk.ListKind:
    if slug not in bulk.KINDS:
        raise Http404
    return bulk.KINDS[slug]


def _back(request: HttpRequest, kind: bulk.ListKind) -> HttpResponse:
    return redirect(safe_next(request) or reverse(kind.list_url))


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
        messages.success(
            request,
            _(
                "%(action)s%(value)s: %(changed)s of %(selected)s %(rows)s changed. You can undo it for %(minutes)s minutes."
            )
            % {
                "action": action.label,
                "value": f" {operation.value}" if operation.value else "",
                "changed": operation.changed,
                "selected": operation.selected,
                "rows": spec.label,
                "minutes": bulk.undo_deadline().seconds // 60,
            },
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
            request, _("Undone: %(count)s %(rows)s as they were.") % {"count": back, "rows": spec.label}
        )
    return _back(request, spec)
