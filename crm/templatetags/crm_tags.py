from __future__ import annotations

import datetime
import re

from django import template
from django.db.models import Model, QuerySet
from django.urls import reverse
from django.utils import formats
from django.utils.translation import gettext as _

from crm import access, links

register = template.Library()


@register.inclusion_tag("partials/export_buttons.html", takes_context=True)
def export_buttons(context, url_name: str, permission: str, **kwargs):
    """CSV and XLSX links that export what the page's filters show."""
    request = context["request"]
    return {
        "request": request,
        "may_export": access.may_export(request.user, permission),
        "export_url": reverse(url_name, kwargs=kwargs or None),
    }


@register.simple_tag
def filter_summary(form) -> list[tuple[str, str]]:
    """The filters a report was made with, as the user chose them: (label, value) pairs
    for the print header ("Status: Closed (won)", not "status=closed")."""
    if not getattr(form, "is_bound", False):
        return []
    form.is_valid()  # cleaned_data holds the valid fields either way
    summary = []
    for name, field in form.fields.items():
        value = form.cleaned_data.get(name)
        values = list(value) if isinstance(value, (list, tuple, QuerySet)) else [value]
        values = [v for v in values if v not in (None, "")]
        if values:
            summary.append((str(field.label or name), ", ".join(_shown(field, v) for v in values)))
    return summary


def _shown(field, value) -> str:
    if isinstance(value, bool):
        return str(_("Yes") if value else _("No"))
    if isinstance(value, datetime.date):
        return formats.date_format(value, "SHORT_DATE_FORMAT")
    if isinstance(value, Model):
        return str(value)
    choices = dict(getattr(field, "flatchoices", None) or getattr(field, "choices", None) or ())
    return str(choices.get(value, value))


@register.simple_tag
def lookup(mapping, key):
    """mapping[key] in a template (aggregated rows are dicts)."""
    return mapping.get(key, "") if hasattr(mapping, "get") else ""


@register.filter
def hours(duration):
    """A duration as hours with one decimal (time to finish)."""
    if duration is None:
        return ""
    return f"{duration.total_seconds() / 3600:.1f} h"


@register.filter
def one_final_period(text) -> str:
    """A message whose last name ends in a period ("… S.A.C.") ends with that one, not "..";
    an ellipsis stays."""
    return re.sub(r"(?<!\.)\.\.$", ".", str(text))


@register.filter
def fields_with_errors(form) -> list:
    """The bound fields of ``form`` that were refused, in the form's order."""
    return [field for field in form if field.errors]


@register.filter
def add_days(value, days):
    return value + datetime.timedelta(days=int(days)) if value else value


@register.simple_tag
def chart_json(chart):
    """A chart's data in a <script type="application/json"> for charts.js."""
    from django.utils.html import json_script

    return json_script({"type": chart.kind, "stacked": chart.stacked, **chart.chart()}, f"chart-{chart.slug}")


@register.simple_tag
def choice_label(model: str, field: str, value):
    """The label of a stored choice, e.g. ``{% choice_label "activities.Activity" "kind" row.kind %}``."""
    from django.apps import apps

    return dict(apps.get_model(model)._meta.get_field(field).flatchoices).get(value, value)


@register.inclusion_tag("partials/attachments.html", takes_context=True)
def attachments_box(context, record, kind: str):
    """The files attached to ``record`` ("person", "company", "opportunity", "order"),
    with the form that attaches more. One query."""
    from django.conf import settings

    from crm.attachments import ACCEPT, KINDS

    request = context["request"]
    items = (
        access.attachments_of(request.user, KINDS[kind], record)
        .select_related("uploaded_by")
        .order_by("-created_at", "-id")[:100]
    )
    return {
        "request": request,
        "user": request.user,
        "csrf_token": context.get("csrf_token"),
        "items": list(items),
        "kind": kind,
        "accept": ACCEPT,
        "record": record,
        "max_bytes": settings.ATTACHMENT_MAX_BYTES,
    }


@register.simple_tag
def whatsapp_link(person_id, number: str, campaign=None):
    """A small WhatsApp button for a person's number: the CRM's page that opens
    the chat (wa.me) and records it on the timeline."""
    if not number:
        return ""
    from urllib.parse import urlencode

    from django.utils.html import format_html

    params = {"number": number, **({"campaign": campaign.pk} if campaign else {})}
    url = links.path("activities:person_whatsapp", person_id) + "?" + urlencode(params)
    return format_html(
        '<a class="whatsapp-link text-success ms-1" href="{}" title="{}"><i class="bi bi-whatsapp" aria-hidden="true">'
        '</i><span class="visually-hidden">{}</span></a>',
        url,
        _("WhatsApp"),
        _("WhatsApp"),
    )


@register.inclusion_tag("partials/bulk_bar.html", takes_context=True)
def bulk_bar(context, kind: str):
    """The bulk actions of a list: the form its row checkboxes belong to
    (form="bulk-<kind>"), and the undo of the user's last change, while it lasts. The choices
    of its users, tags and campaigns come from crm:bulk_options when the bar is first used."""
    from crm import bulk

    request = context["request"]
    spec = bulk.KINDS[kind]
    query = request.GET.copy()
    for name in ("page", "after", "before", "count"):
        query.pop(name, None)
    last = bulk.last_undoable(request.user, spec)
    return {
        "kind": spec,
        "query": query.urlencode(),
        "next": request.get_full_path(),
        "last": last,
        "last_rows": spec.count(last.changed) if last else "",
        "until": last.created_at + bulk.undo_deadline() if last else None,
        "csrf_token": context.get("csrf_token"),
    }


@register.simple_tag
def link(viewname: str, *ids) -> str:
    """``{% url %}`` for a route whose arguments are integers, for lists' rows (crm.links)."""
    return links.path(viewname, *ids)


@register.simple_tag
def bulk_checkbox(kind: str, record) -> str:
    """A row's checkbox for the list's bulk bar."""
    from django.utils.html import format_html

    return format_html(
        '<input class="form-check-input" type="checkbox" name="ids" value="{}" form="bulk-{}" aria-label="{}">',
        record.pk,
        kind,
        _("Select %(name)s") % {"name": record},
    )


@register.inclusion_tag("partials/custom_values.html")
def custom_values(record, model: str, columns: str = "col-sm-4|col-sm-8"):
    """The record's custom field values, as rows of a definition list."""
    from crm.custom_fields import shown

    term, value = columns.split("|")
    return {"values": shown(model, record), "term": term, "value": value}


@register.simple_tag
def custom_filter_fields(filterset) -> list:
    """The bound fields of a list's custom field filters (crm.custom_fields.add_filters)."""
    return [filterset.form[name] for name in getattr(filterset, "custom_filter_names", [])]


@register.inclusion_tag("partials/base_total.html")
def base_total(total):
    """A total in the base currency with the rates it used (crm.currency)."""
    from crm.currency import base_currency

    return {"total": total, "base": base_currency()}


@register.filter
def money(amount, currency: str = "") -> str:
    """``{{ amount|money:currency }}``: S/ 1,250.50 as the viewer's locale writes it (crm.locales)."""
    from crm import locales
    from crm.currency import base_currency

    return locales.money(amount, currency or base_currency())


@register.filter
def number(value, digits="2") -> str:
    """``{{ value|number }}`` 1,250.50; ``number:0``; ``number:"-2"`` drops zero decimals."""
    from crm import locales

    text = str(digits)
    trim = text.startswith("-")
    try:
        places = abs(int(text))
    except ValueError:
        places = 2
    return locales.number(value, places, trim=trim)


@register.inclusion_tag("partials/filters_toggle.html")
def filters_toggle(form):
    """On a phone a list's filters, but its search box, fold behind this button
    (the columns marked ``more-filters collapse d-md-block``); it counts those in use.
    From a tablet's width up they are always shown and the button is not."""
    in_use = 0
    for name in form.fields:
        if name in ("q", "sort"):
            continue
        values = form.data.getlist(name) if hasattr(form.data, "getlist") else [form.data.get(name)]
        in_use += any(value not in (None, "") for value in values)
    return {"active": in_use}
