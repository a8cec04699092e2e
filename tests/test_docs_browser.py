"""The built lessons site in a real browser: Debian's Chromium, headless, with no network.

The site is served from 127.0.0.1 by this test. Chromium cannot resolve or reach any other host
(host-resolver rules and a dead proxy), and every request that tries anyway is recorded and
aborted, so a page that depends on a CDN fails here. Material draws Mermaid diagrams into closed
shadow roots; an init script opens them so that the test can see the SVG.
"""

from __future__ import annotations

import http.server
import re
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlparse

import pytest

from tests.docs_support import DOCS, all_lessons, built_site, code_blocks, first_heading

CHROMIUM = Path("/usr/bin/chromium")

pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists(),
    reason="Chromium is not installed at /usr/bin/chromium (Debian: apt-get install chromium)",
)

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
    "--proxy-server=http://127.0.0.1:9",
    "--proxy-bypass-list=127.0.0.1",
]
OPEN_SHADOW_ROOTS = """
const attachShadow = Element.prototype.attachShadow;
Element.prototype.attachShadow = function (options) {
  return attachShadow.call(this, { ...options, mode: "open" });
};
"""
TIMEOUT_MS = 15_000


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def base_url() -> Iterator[str]:
    build = built_site()
    if build.returncode != 0:
        pytest.fail(f"the site did not build:\n{build.output}")
    site = str(build.site)

    class Handler(_QuietHandler):
        def __init__(self, *args, **kwargs) -> None:  # type: ignore[no-untyped-def]
            super().__init__(*args, directory=site, **kwargs)

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


@dataclass
class Browser:
    context: object
    external: list[str] = field(default_factory=list)


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Browser]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(tmp_path_factory.mktemp("chromium-profile")),
            executable_path=str(CHROMIUM),
            headless=True,
            args=CHROMIUM_ARGS,
            viewport={"width": 1280, "height": 900},
            service_workers="block",
        )
        recorded = Browser(context)

        def only_loopback(route, request) -> None:  # type: ignore[no-untyped-def]
            if urlparse(request.url).hostname == "127.0.0.1" or request.url.startswith("data:"):
                route.continue_()
            else:
                recorded.external.append(request.url)
                route.abort()

        context.route("**/*", only_loopback)
        context.add_init_script(OPEN_SHADOW_ROOTS)
        try:
            yield recorded
        finally:
            context.close()


@dataclass
class Tab:
    page: object
    errors: list[str]

    def assert_clean(self, browser: Browser) -> None:
        assert not self.errors, "the page logged errors:\n" + "\n".join(self.errors)
        assert not browser.external, f"the page tried to reach other hosts: {browser.external}"


@pytest.fixture
def tab(browser: Browser) -> Iterator[Tab]:
    page = browser.context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    errors: list[str] = []
    page.on("console", lambda message: errors.append(message.text)
            if message.type == "error" else None)
    page.on("pageerror", lambda error: errors.append(str(error)))
    try:
        yield Tab(page, errors)
    finally:
        page.close()


def _heading(markdown: str) -> str:
    return first_heading(markdown).replace("`", "")


def _h1(page) -> str:  # type: ignore[no-untyped-def]
    """The page's title as shown, without the permalink sign that follows it."""
    return page.locator("article h1").inner_text().replace("¶", "").strip()


def test_home_page_loads(tab: Tab, browser: Browser, base_url: str) -> None:
    page = tab.page
    page.goto(base_url)
    expected = _heading((DOCS / "index.md").read_text(encoding="utf-8"))
    assert _h1(page) == expected
    assert page.locator("article table a", has_text="Single-turn travel assistant").count() >= 1
    tab.assert_clean(browser)


def test_navigation_reaches_every_lesson_and_its_diagrams_render(
    tab: Tab, browser: Browser, base_url: str
) -> None:
    page = tab.page
    page.goto(base_url)
    lessons = all_lessons()
    assert len(lessons) >= 7
    for title, source in lessons:
        sidebar = page.locator(".md-sidebar--primary")
        sidebar.get_by_role("link", name=title, exact=True).click()
        page.wait_for_url(
            re.compile(re.escape(source.removesuffix(".md")) + "/$"),
            wait_until="domcontentloaded",
        )
        markdown = (DOCS / source).read_text(encoding="utf-8")
        assert _h1(page) == _heading(markdown)
        _assert_diagrams_rendered(page, source, _diagram_count(source, markdown))
    tab.assert_clean(browser)


def test_search_finds_the_parameters_lesson_for_temperature(
    tab: Tab, browser: Browser, base_url: str
) -> None:
    page = tab.page
    page.goto(base_url)
    search = page.locator(".md-search__input")
    search.click()
    # The index loads in a web worker; the theme says when it is ready for queries.
    page.wait_for_function(
        """() => !document.querySelector(".md-search-result__meta")
                  .textContent.includes("Initializing")"""
    )
    search.press_sequentially("temperature")
    first = page.locator(".md-search-result__item > a").first
    first.wait_for()
    assert "/lessons/04-parameters/" in (first.get_attribute("href") or "")
    tab.assert_clean(browser)


def _diagram_count(uri: str, markdown: str) -> int:
    return sum(block.language == "mermaid" for block in code_blocks(uri, markdown))


def _assert_diagrams_rendered(page, where: str, count: int) -> None:  # type: ignore[no-untyped-def]
    """Every Mermaid block of the page has become an SVG drawing with text in it."""
    page.wait_for_function(
        """count => {
          const found = document.querySelectorAll("article div.mermaid");
          return found.length === count &&
            [...found].every(d => d.shadowRoot && d.shadowRoot.querySelector("svg"));
        }""",
        arg=count,
    )
    diagrams = page.locator("article div.mermaid")
    for index in range(count):
        svg = diagrams.nth(index).locator("svg")
        box = svg.bounding_box()
        assert box and box["width"] > 100 and box["height"] > 50, where
        assert (svg.text_content() or "").strip(), f"{where}: diagram {index + 1} has no text"
    assert page.locator("article pre.mermaid").count() == 0, f"{where}: unrendered diagram"


def test_mermaid_diagram_renders_as_svg(tab: Tab, browser: Browser, base_url: str) -> None:
    lessons = list((DOCS / "lessons").glob("*.md"))
    assert sum(_diagram_count(p.name, p.read_text(encoding="utf-8")) > 0 for p in lessons) >= 5, (
        "the lessons should show their flows as diagrams"
    )
    # The lessons' diagrams are checked on the way through the nav; here, the other pages'.
    for path in sorted(DOCS.glob("*.md")):
        count = _diagram_count(path.name, path.read_text(encoding="utf-8"))
        if count:
            url = "" if path.name == "index.md" else path.stem + "/"
            tab.page.goto(base_url + url)
            _assert_diagrams_rendered(tab.page, path.name, count)
    tab.assert_clean(browser)
