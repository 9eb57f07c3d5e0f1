from __future__ import annotations

from django import template
from django.urls import reverse

from crm import access

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
def add_days(value, days):
    import datetime

    return value + datetime.timedelta(days=int(days)) if value else value


@register.simple_tag
def chart_json(chart):
    """A chart's data in a <script type="application/json"> for charts.js."""
    from django.utils.html import json_script

    return json_script({"type": chart.kind, "stacked": chart.stacked, **chart.chart()}, f"chart-{chart.slug}")


@register.simple_tag
def activity_kind(value):
    from crm.models import Activity

    return dict(Activity.Kind.choices).get(value, value)


@register.simple_tag
def opportunity_status(value):
    from django.apps import apps

    return dict(apps.get_model("opportunities", "Opportunity").Status.choices).get(value, value)
