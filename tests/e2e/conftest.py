"""A real `samatcha serve` process and Debian's Chromium driven by Playwright."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    # the browser tests annotate their `server` argument with `conftest.Server`
    from tests.conftest import RealServer as Server
    from tests.conftest import ServeSamatcha

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--headless",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PASSWORD = "e2e-password-1"
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"


@pytest.fixture(scope="module")
def server(
    tmp_path_factory: pytest.TempPathFactory, serve_samatcha: ServeSamatcha
) -> Iterator[Server]:
    running = serve_samatcha(
        tmp_path_factory.mktemp("e2e-data"),
        password=PASSWORD,
        accounts=[("organizer", "org"), ("facilitator", "fac")],
    )
    yield running
    running.stop()


class SharedChromium:
    """One Chromium for consecutive browser test files (a launch costs seconds on 2 cores).

    Closed as soon as the next test to run is not a browser test: Playwright's sync API keeps
    its event loop marked as running in this thread, so `asyncio.run` would fail in the
    integration tests a worker runs next. Launched again if browser tests come back.
    """

    def __init__(self) -> None:
        self.playwright: Any = None
        self.browser: Any = None

    def get(self) -> Any:
        if self.browser is None:
            from playwright.sync_api import sync_playwright

            self.playwright = sync_playwright().start()
            self.browser = self.playwright.chromium.launch(
                executable_path=CHROMIUM, args=CHROMIUM_FLAGS, headless=True
            )
        return self.browser

    def close(self) -> None:
        if self.browser is not None:
            self.browser.close()
            self.playwright.stop()
            self.browser = self.playwright = None


_CHROMIUM = SharedChromium()
_HERE = Path(__file__).resolve().parent


@pytest.hookimpl(trylast=True)  # after the file's fixtures (pages, contexts) are torn down
def pytest_runtest_teardown(item: pytest.Item, nextitem: pytest.Item | None) -> None:
    if nextitem is None or _HERE not in nextitem.path.parents:
        _CHROMIUM.close()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Chromium for this file; every context the file opened is closed when it ends."""
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI"):
            pytest.fail("CI=true but /usr/bin/chromium is missing (.ci/run installs it)")
        pytest.skip("browser tests need Debian's chromium at /usr/bin/chromium")
    shared = _CHROMIUM.get()
    yield shared
    for context in shared.contexts:
        context.close()


@pytest.fixture
def screenshot_dir() -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS


# ---------------------------------------------------------------- accessibility, in every step

AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
MIN_TAP = 44  # px: WCAG 2.5.5 target size, and what a thumb on an old Android needs
MIN_HALL_TEXT = 24  # px on a 1920×1080 projector: 1/45 of its height, read from the back rows
BLOCKING = {"serious", "critical"}  # axe's serious includes WCAG AA colour contrast

_SMALL_TARGETS = """(min) => [...document.querySelectorAll(
    'a, button, input:not([type=hidden]), select, textarea, summary')]
  .filter((el) => el.checkVisibility())
  // a tick box or radio inside its label: the whole label is what the thumb taps
  .map((el) => (el.matches('[type=checkbox], [type=radio]') && el.closest('label')) || el)
  // a link inside a sentence is exempt (WCAG 2.5.8), not a link that stands alone
  .filter((el) => !(el.matches('a:not(.btn, .btn-small, .lang, .brand)')
                    && el.parentElement.textContent.trim() !== el.textContent.trim()))
  .map((el) => [el, el.getBoundingClientRect()])
  .filter(([el, r]) => r.height < min || r.width < min)
  .map(([el, r]) => `${el.outerHTML.slice(0, 90)} ${r.width | 0}x${r.height | 0}`)"""

_SMALL_TEXT = """(min) => {
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  const small = new Set();
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const el = node.parentElement;
    if (!node.textContent.trim() || !el || !el.checkVisibility()) continue;
    if (el.closest('.sr-only, template, script')) continue;
    const size = parseFloat(getComputedStyle(el).fontSize);
    if (size < min) small.add(`${el.outerHTML.slice(0, 70)} ${size}px`);
  }
  return [...small];
}"""


class Audit:
    """axe-core's serious and critical findings (names, roles, WCAG AA contrast), targets a
    thumb cannot hit, and type too small for a hall, for the page as it is now."""

    def __init__(self, axe_source: str) -> None:
        self.axe_source = axe_source

    def axe(self, page: Any) -> list[str]:
        # evaluate() is not subject to the page's Content-Security-Policy, unlike a <script> tag
        if not page.evaluate("() => typeof window.axe === 'object'"):
            page.evaluate(self.axe_source)
        result = page.evaluate(
            "async () => (await axe.run(document, {resultTypes: ['violations']})).violations"
        )
        return [
            f"{v['impact']}: {v['id']} — {v['help']} — {[n['target'] for n in v['nodes']][:3]}"
            for v in result
            if v["impact"] in BLOCKING
        ]

    def small_targets(self, page: Any) -> list[str]:
        return list(page.evaluate(_SMALL_TARGETS, MIN_TAP))

    def small_text(self, page: Any) -> list[str]:
        return list(page.evaluate(_SMALL_TEXT, MIN_HALL_TEXT))

    def __call__(self, page: Any, where: str) -> None:
        """Assert the page passes: the phone also for tap targets, the presenter for type size."""
        width = page.viewport_size["width"]
        problems = self.axe(page)
        if width < 500:
            problems += [f"tap target: {t}" for t in self.small_targets(page)]
        if width >= 1900:
            problems += [f"small for a hall: {t}" for t in self.small_text(page)]
        assert problems == [], f"{where}:\n" + "\n".join(problems)


@pytest.fixture(scope="session")
def audit() -> Audit:
    if not AXE.exists():
        if os.environ.get("CI"):
            pytest.fail("CI=true but axe-core is missing (.ci/run runs npm ci)")
        pytest.skip("accessibility checks need axe-core: run `npm ci` once")
    return Audit(AXE.read_text(encoding="utf-8"))
