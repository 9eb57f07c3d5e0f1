"""The browser journeys' own watch: a JavaScript error or a CSP violation in the
page is reported, so a journey that passes had a clean console."""

from __future__ import annotations

import pytest

from crm.tests.browser import ARTIFACTS, VARIANTS, tab

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_console_watch_reports_csp_violations_and_javascript_errors(chromium, live_server):
    with tab(chromium, live_server.url, VARIANTS[0], ARTIFACTS / "harness") as journey:
        page = journey.go("/accounts/login/")
        page.wait_for_load_state()
        assert journey.problems == []
        # An inline script and an inline style: the CSP refuses both.
        page.evaluate(
            """() => {
              const script = document.createElement("script");
              script.textContent = "window.ran = true";
              document.head.appendChild(script);
              document.body.setAttribute("style", "color: red");
            }"""
        )
        page.evaluate("() => { setTimeout(() => { throw new Error('broken page'); }); }")
        page.wait_for_timeout(300)
        assert page.evaluate("() => window.ran === true") is False
        problems = "\n".join(journey.problems)
        assert "CSP violation: script-src" in problems
        assert "CSP violation: style-src" in problems
        assert "JavaScript error: broken page" in problems
