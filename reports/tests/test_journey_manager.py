"""A manager's morning with the dashboard and reports, in a real browser (see
crm/tests/browser.py), on the demo data that `make run` starts with."""

from __future__ import annotations

import re
from decimal import Decimal

import openpyxl
import pytest
from django.core.management import call_command
from django.utils import timezone, translation
from playwright.sync_api import expect

from crm import locales
from crm.management.commands.seed_demo import DEMO_PASSWORD
from crm.models import User
from crm.tests.browser import variants
from goals.models import Goal
from opportunities.models import Opportunity
from reports.charts import CHARTS

pytestmark = pytest.mark.django_db(transaction=True)

# What each chart holds as drawn (Chart.js's own data), whether its canvas has pixels
# drawn, and the numbers its "show the numbers" table prints.
READ_CHARTS = """
(selector) => Array.from(document.querySelectorAll(selector)).map(canvas => {
  const chart = canvas.chart;
  const pixels = canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height).data;
  let drawn = 0;
  for (let i = 3; i < pixels.length; i += 4) { if (pixels[i] > 0) { drawn++; } }
  const slug = canvas.getAttribute("data-chart").replace(/^chart-/, "");
  const table = document.querySelector(`table[data-table="${slug}"]`);
  return {
    slug: slug,
    drawn: drawn,
    labels: chart ? chart.data.labels.map(String) : null,
    data: chart ? chart.data.datasets.map(d => d.data.map(Number)) : null,
    rows: Array.from(table.querySelectorAll("tbody tr")).filter(tr => tr.querySelector("th")).map(tr => ({
      label: tr.querySelector("th").textContent.trim(),
      values: Array.from(tr.querySelectorAll("td")).map(td => td.textContent.trim()),
    })),
  };
})
"""


def number(text: str, language: str) -> Decimal:
    """A number, or an amount, as the page prints it for the user's language in a Peruvian
    team (1,234.5 and S/ 1,234.50 in Spanish, 1.234,5 and PEN 1.234,50 in Portuguese)."""
    from babel.numbers import parse_decimal

    digits = re.sub(r"[^\d.,-]", "", text)
    locale = translation.to_locale(locales.django_language(language, "PE"))
    return parse_decimal(digits, locale=locale, strict=False)


def check_charts(journey) -> dict[str, list[list[Decimal]]]:
    """Every chart drawn, and the table toggle printing the very numbers drawn."""
    page = journey.page
    for summary in page.locator("summary", has_text=journey.t("Show the numbers")).all():
        summary.click()
    charts = page.evaluate(READ_CHARTS, 'canvas[data-chart]:not([data-chart="chart-forecast"])')
    assert [c["slug"] for c in charts] == [chart.slug for chart in CHARTS]
    drawn = {}
    for chart in charts:
        assert chart["labels"] is not None, f"{chart['slug']}: Chart.js did not draw it"
        assert chart["drawn"] > 500, f"{chart['slug']}: the canvas is blank"
        assert [row["label"] for row in chart["rows"]] == chart["labels"], chart["slug"]
        for index, row in enumerate(chart["rows"]):
            shown = [number(value, journey.variant.language) for value in row["values"]]
            assert shown == [Decimal(str(series[index])) for series in chart["data"]], chart["slug"]
        drawn[chart["slug"]] = chart["data"]
    return drawn


def check_goals_and_forecast(journey) -> None:
    """The team's goals with their bars, each agent's in a table, and the forecast drawn with
    the very numbers its table prints; then the forecast's figures agree with the
    opportunities report its links open."""
    page = journey.page
    team_goals = Goal.objects.filter(agent=None).count()
    agent_goals = Goal.objects.exclude(agent=None).count()
    section = page.locator("section", has=page.locator("#title-goals"))
    expect(section.locator('[role="progressbar"][aria-valuenow]')).to_have_count(team_goals)
    expect(section.locator('table[data-table="agent-goals"] tbody tr')).to_have_count(agent_goals)
    month_goal = Goal.objects.get(agent=None, metric="won_amount", period="month")
    bar = section.locator(f'[data-goal="{month_goal.pk}"]')
    with translation.override(locales.django_language(journey.variant.language, "PE")):
        target = locales.money(month_goal.target, "PEN")
    expect(bar.locator("[data-figures]")).to_contain_text(target)  # "S/ 12,000.00 of S/ 60,000.00"
    assert bar.locator("[data-state]").inner_text() != ""

    [forecast] = page.evaluate(READ_CHARTS, 'canvas[data-chart="chart-forecast"]')
    assert forecast["drawn"] > 500, "the forecast's canvas is blank"
    rows = [row for row in forecast["rows"] if row["label"] in forecast["labels"]]
    assert [row["label"] for row in rows] == forecast["labels"]
    for index, row in enumerate(rows):
        shown = [number(value, journey.variant.language) for value in row["values"][1:5]]
        assert shown == [Decimal(str(series[index])) for series in forecast["data"][:4]], row["label"]

    # The whole forecast; a month's open cards and won cards in the opportunities report.
    page.get_by_role("link", name=journey.t("The whole forecast")).click()
    page.locator('canvas[data-chart="chart-forecast"]').wait_for()
    journey.shot("forecast")
    this_month = timezone.localdate().strftime("%Y-%m")
    month = page.locator(f'table[data-table="forecast"] tr[data-row="month-{this_month}"]')
    cells = [number(text, journey.variant.language) for text in month.locator("td").all_inner_texts()[1:5]]
    won, best = cells[0], cells[3]
    assert won > 0
    assert best > won
    month.locator("td").nth(0).locator("a").click()
    page.locator('table[data-table="base-totals"]').wait_for()
    open_amounts = page.locator(
        'table[data-table="base-totals"] tr[data-status]:not([data-status="closed"]):not([data-status="lost"]) .base-total'
    ).all_inner_texts()
    assert sum((number(text, journey.variant.language) for text in open_amounts), Decimal(0)) == best - won
    page.go_back()
    month.locator("td").nth(1).locator("a").click()
    page.wait_for_url(re.compile(r"status=closed"))
    reported = page.locator('table[data-table="base-totals"] tr[data-status="closed"] .base-total')
    assert (
        number(reported.inner_text(), journey.variant.language) if reported.count() else Decimal(0)
    ) == won


def total(series: list[list]) -> Decimal:
    return sum((Decimal(str(value)) for values in series for value in values), Decimal(0))


@pytest.fixture
def demo(db):
    call_command("seed_demo", verbosity=0)
    # The manager reads the CRM in the browser's language.
    User.objects.filter(username="gerente").update(language="")


# Desktop in both languages: a manager reads the dashboard at a desk (the phone's layout of every
# module is checked by crm/tests/test_journey_forms.py; the suite's 5-minute budget).
@variants("es-desktop", "pt-desktop")
def test_a_managers_morning(journey, demo, tmp_path):
    page = journey.page
    journey.sign_in("gerente", DEMO_PASSWORD)
    journey.menu("Dashboard")
    page.locator("canvas[data-chart]").first.wait_for()
    team = check_charts(journey)
    journey.shot("dashboard")
    empty = [slug for slug, series in team.items() if total(series) == 0]
    assert empty == [], "every chart has data to show"
    check_goals_and_forecast(journey)
    journey.menu("Dashboard")
    page.locator("canvas[data-chart]").first.wait_for()

    # One agent's figures: a part of the team's, drawn and tabled alike.
    ana = User.objects.get(username="ana")
    page.locator("#id_agent").select_option(label=str(ana))
    page.get_by_role("button", name=journey.t("Apply")).click()
    page.wait_for_url(re.compile(rf"agent={ana.pk}"))
    page.locator("canvas[data-chart]").first.wait_for()
    assert str(ana) in page.locator("main p.text-body-secondary").first.inner_text()
    hers = check_charts(journey)
    journey.shot("dashboard-agent")
    assert 0 < total(hers["people-by-stage"]) < total(team["people-by-stage"])
    assert 0 < total(hers["opportunities-by-stage"]) < total(team["opportunities-by-stage"])

    # The opportunities report of the won ones, as a spreadsheet and printed.
    journey.menu("Reports")
    page.get_by_role("link", name=journey.t("Opportunities")).last.click()
    page.locator("#id_status").select_option("closed")
    page.get_by_role("button", name=journey.t("Show")).click()
    page.wait_for_url(re.compile(r"status=closed"))
    journey.shot("report")
    won = Opportunity.objects.filter(status=Opportunity.Status.CLOSED)
    with page.expect_download() as download:
        page.get_by_role("link", name="XLSX").click()
    assert download.value.suggested_filename.endswith(".xlsx")
    saved = tmp_path / download.value.suggested_filename
    download.value.save_as(saved)
    sheet = openpyxl.load_workbook(saved, read_only=True).active
    rows = list(sheet.iter_rows(values_only=True))
    assert len(rows) == 1 + won.count()
    assert {row[rows[0].index(journey.t("Subject"))] for row in rows[1:]} == set(
        won.values_list("subject", flat=True)
    )

    # Print: the browser's print dialog opens; the page prints without menus or buttons.
    page.evaluate("() => { window.printed = 0; window.print = () => { window.printed += 1; }; }")
    page.get_by_role("button", name=journey.t("Print")).click()
    assert page.evaluate("() => window.printed") == 1
    page.emulate_media(media="print")
    journey.shot("report-print")
    assert not page.locator("#sidebar").is_visible()
    assert not page.get_by_role("link", name="XLSX").is_visible()
    header = page.locator("main .d-print-block").first
    assert header.is_visible()
    with_filter = f"{journey.t('Status')}: {journey.t('Closed (won)')}"
    assert with_filter in header.inner_text()
    assert page.locator("main table").first.is_visible()
