"""The built lessons site in a real browser: Debian's Chromium, headless, with no network.

The site is served from 127.0.0.1 by this test. Chromium cannot resolve or reach any other host
(host-resolver rules and a dead proxy), and every request that tries anyway is recorded and
aborted, so a page that depends on a CDN fails here. Material draws Mermaid diagrams into closed
shadow roots; an init script opens them so that the test can see the SVG.
"""

from __future__ import annotations

import base64
import http.server
import re
import struct
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


DRAWINGS = """() => [...document.querySelectorAll("article div.mermaid")].map(diagram => {
  const svgs = [...diagram.querySelectorAll("svg"), ...diagram.shadowRoot.querySelectorAll("svg")];
  const box = svgs[0].getBoundingClientRect();
  return { svgs: svgs.length, width: box.width, height: box.height,
           text: svgs[0].textContent.trim() };
})"""


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
    # One call for all of them: a round trip per diagram and measure cost more than the check.
    for number, drawing in enumerate(page.evaluate(DRAWINGS), start=1):
        assert drawing["svgs"] == 1, f"{where}: diagram {number} is {drawing['svgs']} drawings"
        assert drawing["width"] > 100 and drawing["height"] > 50, where
        assert drawing["text"], f"{where}: diagram {number} has no text"
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


# --- phone and desktop widths, checked on screenshots -------------------------------------------

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}


def _png_size(data: bytes) -> tuple[int, int]:
    """Width and height from a PNG's header."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


INK = """async png => {
  const bytes = Uint8Array.from(atob(png), c => c.charCodeAt(0));
  const image = await createImageBitmap(new Blob([bytes], { type: "image/png" }),
                                        { colorSpaceConversion: "none", premultiplyAlpha: "none" });
  const canvas = new OffscreenCanvas(image.width, image.height);
  const context = canvas.getContext("2d");
  context.drawImage(image, 0, 0);
  const pixels = context.getImageData(0, 0, image.width, image.height).data;
  let dark = 0;
  for (let i = 0; i < pixels.length; i += 4) {
    dark += pixels[i] + pixels[i + 1] + pixels[i + 2] < 600;
  }
  return dark / (image.width * image.height);
}"""


def _ink(page, data: bytes) -> float:  # type: ignore[no-untyped-def]
    """The share of pixels darker than the page's near-white background.

    The browser decodes the PNG exactly (no colour conversion) and counts in a few milliseconds,
    where decoding it in Python took about a second.
    """
    return page.evaluate(INK, base64.b64encode(data).decode("ascii"))


@pytest.fixture
def screenshots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("screenshots")


@pytest.mark.parametrize("size", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_the_exercise_table_fits_the_screen(
    tab: Tab, browser: Browser, base_url: str, size: dict[str, int], screenshots: Path
) -> None:
    page = tab.page
    page.set_viewport_size(size)
    page.goto(base_url)
    table = page.locator("article .workshop-exercises table")
    shot = table.screenshot(path=str(screenshots / f"exercise-table-{size['width']}.png"))
    width, height = _png_size(shot)
    assert width <= size["width"], f"the exercise table is {width} px wide on a {size['width']} px screen"
    rows = table.locator("tbody tr")
    assert rows.count() >= 9 and height > 40 * rows.count()
    assert _ink(page, shot) > 0.01, "the table's screenshot is blank"
    first = rows.first.locator("a").first
    assert first.is_visible() and first.bounding_box()["x"] + 20 < size["width"]
    tab.assert_clean(browser)


@pytest.mark.parametrize("size", [PHONE, DESKTOP], ids=["phone", "desktop"])
@pytest.mark.parametrize("url", ["providers/", "lessons/10-errors-and-retries/"])
def test_names_in_tables_are_never_broken_mid_word(
    tab: Tab, browser: Browser, base_url: str, url: str, size: dict[str, int], screenshots: Path
) -> None:
    page = tab.page
    page.set_viewport_size(size)
    page.goto(base_url + url)
    broken = page.evaluate(
        """() => [...document.querySelectorAll("article table code")]
                .filter(code => code.getClientRects().length > 1)
                .map(code => code.textContent)"""
    )
    assert not broken, f"{url}: these names wrap onto two lines: {broken}"
    shot = page.locator("article table").first.screenshot(
        path=str(screenshots / f"{url.strip('/').replace('/', '-')}-{size['width']}.png")
    )
    assert _ink(page, shot) > 0.01
    # A table too wide for the screen scrolls inside the page instead of widening it.
    page_width = page.evaluate("() => document.documentElement.scrollWidth")
    assert page_width <= size["width"], f"{url} is {page_width} px wide on a {size['width']} px screen"
    tab.assert_clean(browser)


def test_diagrams_stay_readable_on_a_phone(
    tab: Tab, browser: Browser, base_url: str, screenshots: Path
) -> None:
    page = tab.page
    page.set_viewport_size(PHONE)
    page.goto(base_url + "lessons/01-first-request/")
    _assert_diagrams_rendered(page, "lessons/01-first-request.md", 1)
    box = page.locator("article .workshop-diagram").first
    shot = box.screenshot(path=str(screenshots / "diagram-390.png"))
    assert _ink(page, shot) > 0.005, "the diagram's screenshot is blank"
    sizes = page.evaluate(
        """() => [...document.querySelector("article div.mermaid").shadowRoot
                  .querySelectorAll("text, span, p")]
                 .map(t => t.getBoundingClientRect().height).filter(h => h > 0)"""
    )
    assert sizes and min(sizes) >= 12, f"diagram labels are {min(sizes or [0]):.1f} px tall on a phone"
    scrolls = page.evaluate(
        """() => { const box = document.querySelector("article .workshop-diagram");
                   return box.scrollWidth > box.clientWidth &&
                          getComputedStyle(box).overflowX === "auto"; }"""
    )
    assert scrolls, "a diagram wider than the phone should scroll sideways"
    assert page.evaluate("() => document.documentElement.scrollWidth") <= PHONE["width"]
    tab.assert_clean(browser)


def test_mermaid_loads_only_on_pages_with_a_diagram(tab: Tab, browser: Browser, base_url: str) -> None:
    page = tab.page
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    # Nothing may fetch Mermaid, however late: wait until the page has stopped loading anything.
    page.goto(base_url + "setup/", wait_until="networkidle")
    assert not _diagram_count("setup.md", (DOCS / "setup.md").read_text(encoding="utf-8"))
    assert requested and not [url for url in requested if "mermaid" in url], requested
    with page.expect_response(lambda response: response.url.endswith("/mermaid.min.js")):
        page.goto(base_url + "lessons/01-first-request/")
    assert [url for url in requested if url.endswith("mermaid.min.js")]
    tab.assert_clean(browser)
