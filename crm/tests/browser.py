"""Browser journeys: Playwright driving Debian's Chromium against the CRM served
by the test run (pytest-django's live server, on the test PostgreSQL database),
with a real task worker draining the queue in a thread of the test process.

Each journey runs three times: in Spanish on a desktop, in Portuguese on a
desktop, and in Spanish on a phone-sized viewport. A screenshot of every step
goes to ``test-artifacts/browser/<journey>/<variant>/``. A journey fails when
the browser's console shows a JavaScript error or a Content-Security-Policy
violation, whatever the steps asserted.

Chromium comes from apt (``apt-get install chromium``), never from a download at
test time. Without it the journeys are skipped, unless ``BROWSER_TESTS=required``
(as in CI), which makes a missing browser a failure.
"""

from __future__ import annotations

import os
import re
import shutil
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.utils import translation

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
ARTIFACTS = Path(settings.BASE_DIR) / "test-artifacts" / "browser"
# What Chromium needs on a machine with no network and no display (DESIGN.md).
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
TIMEOUT_MS = 15_000


@dataclass(frozen=True)
class Variant:
    name: str
    locale: str  # the browser's language (Accept-Language), as a user's browser sends it
    language: str  # the CRM's language code it should answer in
    viewport: dict
    phone: bool = False


VARIANTS = [
    Variant("es-desktop", "es-PE", "es", {"width": 1366, "height": 900}),
    Variant("pt-desktop", "pt-BR", "pt-br", {"width": 1366, "height": 900}),
    Variant("es-phone", "es-MX", "es", {"width": 390, "height": 844}, phone=True),
]


def variants(*names: str):
    """Parametrise a journey over the three variants, or over the ones named."""
    chosen = [v for v in VARIANTS if not names or v.name in names]
    return pytest.mark.parametrize("variant", chosen, ids=[v.name for v in chosen])


# A listener for CSP violations, forwarded to the console that the journey watches.
# Playwright adds it through the DevTools protocol, which the page's CSP does not govern.
WATCH_CSP = """
document.addEventListener("securitypolicyviolation", function (event) {
  console.error("CSP violation: " + event.violatedDirective + " " + event.blockedURI);
});
"""


@dataclass
class Journey:
    """One user's browser tab, with a step counter for the screenshots."""

    page: object
    base_url: str
    variant: Variant
    folder: Path
    problems: list[str] = field(default_factory=list)
    step: int = 0

    def url(self, path: str) -> str:
        return self.base_url + path

    def go(self, path: str):
        self.page.goto(self.url(path))
        return self.page

    def shot(self, name: str) -> None:
        """Save a screenshot of the step just taken."""
        self.step += 1
        self.page.screenshot(path=str(self.folder / f"{self.step:02d}-{name}.png"), full_page=True)

    def t(self, message: str) -> str:
        """The message as the user's language shows it."""
        with translation.override(self.variant.language):
            return translation.gettext(message)

    def text(self, message: str):
        """A regular expression matching the translated message anywhere in a text."""
        return re.compile(re.escape(self.t(message)))

    def sign_in(self, username: str, password: str) -> None:
        page = self.go("/accounts/login/")
        lang = page.locator("html").get_attribute("lang")
        # The language, with the team's country where it writes numbers its own way (es-pe).
        assert lang == self.variant.language or lang.startswith(f"{self.variant.language}-"), lang
        page.fill("#id_username", username)
        page.fill("#id_password", password)
        self.shot("sign-in")
        page.get_by_role("button", name=self.t("Sign in"), exact=True).click()
        page.wait_for_url(re.compile(r"^(?!.*/accounts/login/).*$"))

    def confirm(self, control) -> None:
        """Click the control and wait for the success message it brings: a new one, not the
        previous step's still on the page (whether the answer is a new page or an htmx swap)."""
        self.page.evaluate("document.querySelectorAll('.alert-success').forEach(a => a.dataset.seen = '1')")
        control.click()
        self.page.locator(".alert-success:not([data-seen])").first.wait_for()

    def drag(self, source, target) -> None:
        """Drag with the mouse, as a person would: from the middle of the source to the
        part of the target that is on screen (a phone shows a board's next column only in
        part; scrolling it into view would push the card off screen)."""
        page = self.page
        source.scroll_into_view_if_needed()
        start = source.bounding_box()
        box = target.bounding_box()
        view = page.viewport_size
        left, right = max(box["x"], 0), min(box["x"] + box["width"], view["width"])
        top, bottom = max(box["y"], 0), min(box["y"] + box["height"], view["height"])
        assert left < right, "the drop target is not on screen"
        assert top < bottom, "the drop target is not on screen"
        page.mouse.move(start["x"] + start["width"] / 2, start["y"] + start["height"] / 2)
        page.mouse.down()
        page.mouse.move((left + right) / 2, (top + bottom) / 2, steps=12)
        page.mouse.up()

    def open_filters(self) -> None:
        """On a phone a list's filters, but its search box, fold behind "More filters"."""
        if self.variant.phone:
            self.page.locator("[data-filters-toggle]").click()
            self.page.locator(".more-filters.show").first.wait_for()

    def menu(self, label: str) -> None:
        """Follow a link of the module menu (the off-canvas menu on a phone)."""
        page = self.page
        if self.variant.phone:
            page.get_by_role("button", name=self.t("Menu")).first.click()
            page.locator("#sidebar.show").wait_for()
        page.locator("#sidebar").get_by_role("link", name=self.t(label), exact=True).click()
        page.wait_for_load_state()


def speaking(journey: Journey, *users) -> None:
    """The users read the CRM in the journey's language (their own setting wins over the
    browser's)."""
    for user in users:
        user.language = journey.variant.language
        user.save(update_fields=["language"])


def second_tab(chromium, live_server, journey: Journey, name: str):
    """Another person's browser beside the journey's (same language and size), its
    screenshots in a folder of its own."""
    return tab(chromium, live_server.url, journey.variant, journey.folder / name)


@pytest.fixture(scope="session")
def chromium():
    if not shutil.which(CHROMIUM) and not Path(CHROMIUM).exists():
        if os.environ.get("BROWSER_TESTS") == "required":
            pytest.fail(f"Chromium is required for the browser journeys and is not at {CHROMIUM}")
        pytest.skip(f"Chromium is not installed at {CHROMIUM} (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    # Playwright's sync API keeps an event loop in this thread; the ORM calls the
    # tests make between steps are synchronous all the same.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@contextmanager
def tab(browser, base_url: str, variant: Variant, folder: Path) -> Iterator[Journey]:
    """A fresh browser context (no cookies) in the variant's language and size, whose
    console errors, uncaught exceptions and CSP violations are collected."""
    from playwright.sync_api import expect

    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    context = browser.new_context(
        locale=variant.locale,
        viewport=variant.viewport,
        timezone_id=settings.TIME_ZONE,
        accept_downloads=True,
    )
    context.set_default_timeout(TIMEOUT_MS)
    # Assertions on the page (expect(...).to_have_count) wait as long as the steps do.
    expect.set_options(timeout=TIMEOUT_MS)
    context.add_init_script(WATCH_CSP)
    page = context.new_page()
    this = Journey(page=page, base_url=base_url, variant=variant, folder=folder)
    page.on("console", lambda message: message.type == "error" and this.problems.append(message.text))
    page.on("pageerror", lambda error: this.problems.append(f"JavaScript error: {error}"))
    try:
        yield this
    finally:
        context.close()


@pytest.fixture
def journey(request, chromium, live_server, variant: Variant) -> Iterator[Journey]:
    folder = ARTIFACTS / request.node.module.__name__.rsplit(".", 1)[-1] / variant.name
    with tab(chromium, live_server.url, variant, folder) as this:
        try:
            yield this
            # The last step's scripts have run by now; anything they logged counts too.
            this.page.wait_for_load_state()
        finally:
            report = getattr(request.node, "rep_call", None)
            if report is not None and report.failed:
                this.page.screenshot(path=str(folder / "failure.png"), full_page=True)
    assert this.problems == [], "The browser's console reported problems"


class TaskWorker:
    """django-tasks-db's worker, draining the real queue in a thread of the test
    process (the live server's database is the test database). A journey starts
    it when it wants the queue drained and may stop it to watch work wait."""

    def __init__(self):
        self.worker = None
        self.thread: threading.Thread | None = None

    def _run(self) -> None:
        try:
            self.worker.run()
        finally:
            connection.close()

    def start(self) -> None:
        from django_tasks_db.management.commands.db_worker import Worker

        if self.thread is not None:
            return
        self.worker = Worker(
            queue_names=["default"],
            interval=0.1,
            batch=False,
            backend_name="default",
            startup_delay=False,
            max_tasks=None,
            worker_id="browser-journeys",
            excluded_queue_names=[],
        )
        self.thread = threading.Thread(target=self._run, name="task-worker", daemon=True)
        self.thread.start()

    def stop(self) -> None:
        if self.thread is not None:
            self.worker.running = False
            self.thread.join(timeout=30)
            self.thread = None


@pytest.fixture
def task_worker(transactional_db) -> Iterator[TaskWorker]:
    """A worker the journey starts when it wants the queue drained."""
    worker = TaskWorker()
    yield worker
    worker.stop()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    # Lets the journey fixture know whether the test failed (for a last screenshot).
    report = yield
    if report.when == "call":
        item.rep_call = report
    return report
