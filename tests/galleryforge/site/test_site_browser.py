"""The built site in a real browser: Playwright driving the system Chromium, over local HTTP.

Skipped, with the reason shown, where Chromium or the playwright package is missing.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import pytest

from galleryforge.gallery.chromium import find_chromium
from galleryforge.site.serve import SiteServer, site_server
from tests.galleryforge.site.conftest import BuiltSite

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

pytestmark = pytest.mark.browser

LAUNCH_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
FIGURE_PAGE = "figures/B/premium-heatmap.html"
# Scroll through the page so lazy images load, then wait for every image that is shown.
LOAD_VISIBLE_IMAGES = """async () => {
  for (let y = 0; y <= document.body.scrollHeight; y += 700) {
    window.scrollTo(0, y);
    await new Promise((done) => setTimeout(done, 15));
  }
  window.scrollTo(0, 0);
  const shown = [...document.images].filter((img) => img.offsetParent !== null);
  await Promise.all(shown.map((img) => img.decode().catch(() => null)));
  return shown.map((img) => ({src: img.currentSrc, alt: img.alt, width: img.naturalWidth}));
}"""
VISIBLE_FIGURE = """() => [...document.querySelectorAll('.figure-large img')]
  .filter((img) => img.offsetParent !== null).map((img) => img.getAttribute('src'))"""
BACKGROUND = "() => getComputedStyle(document.body).backgroundColor"
DARK_CANVAS = "rgb(13, 17, 23)"  # #0d1117, the dark figure theme's canvas


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    chromium = find_chromium()
    if chromium is None:
        pytest.skip("no Chromium found (install it, or set GALLERYFORGE_CHROMIUM): browser tests")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError as error:
        pytest.skip(f"the playwright package is not installed ({error}): browser tests")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(chromium), args=LAUNCH_ARGS)
        yield launched
        launched.close()


@pytest.fixture(scope="module")
def server(built_site: BuiltSite) -> Iterator[SiteServer]:
    with site_server(built_site.out) as running:
        yield running


class Problems:
    """Console errors, failed requests and error responses seen by a page."""

    def __init__(self, page: Page) -> None:
        self.found: list[str] = []
        page.on("console", lambda msg: self._console(msg))
        page.on("pageerror", lambda error: self.found.append(f"page error: {error}"))
        page.on("requestfailed", lambda req: self._failed(req))
        page.on("response", lambda res: self._response(res))

    def _console(self, message: Any) -> None:
        if message.type == "error":
            self.found.append(f"console: {message.text}")

    def _failed(self, request: Any) -> None:
        # A request the page cancelled is no fault of the site: the favicon, fetched after the
        # load event, when the test goes on to the next page; a figure still loading when the
        # theme toggle swaps it for its other rendering. A missing file still shows as an error
        # response, and the tests check that the images they see loaded.
        if request.failure == "net::ERR_ABORTED":
            return
        self.found.append(f"failed: {request.url} {request.failure}")

    def _response(self, response: Any) -> None:
        if response.status >= 400:
            self.found.append(f"HTTP {response.status}: {response.url}")


def _new_page(
    browser: Browser, scheme: Literal["light", "dark"] = "light"
) -> tuple[Page, Problems]:
    context = browser.new_context(color_scheme=scheme, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    return page, Problems(page)


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_every_page_loads_cleanly(
    browser: Browser, server: SiteServer, built_site: BuiltSite, scheme: Literal["light", "dark"]
) -> None:
    page, problems = _new_page(browser, scheme)
    for path in built_site.result.pages:
        # "load" waits for the page's scripts, images and frames; images below the fold load
        # as the page is scrolled. (Waiting for the network to idle adds half a second a page.)
        page.goto(server.url + path, wait_until="load")
        images = page.evaluate(LOAD_VISIBLE_IMAGES)
        for image in images:
            assert image["alt"].strip(), f"{path}: image without alt text {image['src']}"
            assert image["width"] > 0, f"{path}: image did not load {image['src']}"
            assert ("/dark/" in image["src"]) == (scheme == "dark"), (path, image["src"])
        assert problems.found == [], path
    page.context.close()


def test_toggle_switches_figures_and_is_remembered(browser: Browser, server: SiteServer) -> None:
    page, problems = _new_page(browser, "light")
    page.goto(server.url + FIGURE_PAGE, wait_until="load")
    assert page.get_attribute("html", "data-theme") == "light"
    [light] = page.evaluate(VISIBLE_FIGURE)
    assert "/paper/" in light
    assert "/paper/" in (page.get_attribute("iframe.plotly-frame", "src") or "")

    assert page.evaluate(BACKGROUND) == "rgb(255, 255, 255)"
    page.click("[data-theme-toggle]")
    assert page.get_attribute("html", "data-theme") == "dark"
    assert page.evaluate(BACKGROUND) == DARK_CANVAS
    [dark] = page.evaluate(VISIBLE_FIGURE)
    assert "/dark/" in dark
    assert page.evaluate(LOAD_VISIBLE_IMAGES)[0]["width"] > 0
    assert "/dark/" in (page.get_attribute("iframe.plotly-frame", "src") or "")
    assert page.get_attribute("[data-theme-toggle]", "aria-pressed") == "true"

    page.goto(server.url + "index.html", wait_until="load")  # remembered across pages
    assert page.get_attribute("html", "data-theme") == "dark"
    page.goto(server.url + FIGURE_PAGE, wait_until="load")
    page.click("[data-theme-toggle]")
    assert page.evaluate(VISIBLE_FIGURE) == [light]
    page.wait_for_load_state("networkidle")
    assert all(image["width"] > 0 for image in page.evaluate(LOAD_VISIBLE_IMAGES))
    assert problems.found == []
    page.context.close()


def _assert_figure_page_is_dark(browser: Browser, url: str, system_scheme: str) -> None:
    """The figure page at ``url``, opened by a reader whose system prefers ``system_scheme``,
    shows the dark theme and its dark figure."""
    page, problems = _new_page(browser, system_scheme)
    page.goto(url, wait_until="load")
    assert page.get_attribute("html", "data-theme") == "dark"
    assert "/dark/" in page.evaluate(VISIBLE_FIGURE)[0]
    assert page.evaluate(BACKGROUND) == DARK_CANVAS
    assert problems.found == []
    page.context.close()


def test_system_dark_preference_is_followed(browser: Browser, server: SiteServer) -> None:
    _assert_figure_page_is_dark(browser, server.url + FIGURE_PAGE, "dark")


def test_site_default_dark_wins_over_light_system(
    browser: Browser, built_site: BuiltSite, tmp_path: Path
) -> None:
    from galleryforge.site import build_site

    out = tmp_path / "site"
    build_site(built_site.request(out=out, theme="dark"))
    with site_server(out) as dark_site:
        _assert_figure_page_is_dark(browser, dark_site.url + FIGURE_PAGE, "light")


def test_interactive_figure_responds(browser: Browser, server: SiteServer) -> None:
    page, problems = _new_page(browser, "light")
    page.goto(server.url + FIGURE_PAGE, wait_until="load")
    frame = page.frame_locator("iframe.plotly-frame")
    plot = frame.locator(".js-plotly-plot")
    plot.wait_for(state="attached", timeout=15_000)
    frame.locator(".nsewdrag").first.hover()  # the heatmap's plot area
    frame.locator(".hoverlayer .hovertext").first.wait_for(timeout=5_000)
    title = plot.evaluate(
        "gd => Plotly.relayout(gd, {'title.text': 'relaid out'}).then(() => gd.layout.title.text)"
    )
    assert title == "relaid out"
    assert frame.locator(".gtitle").text_content() == "relaid out"
    assert problems.found == []
    page.context.close()


def test_site_works_from_file_urls(browser: Browser, built_site: BuiltSite) -> None:
    page, problems = _new_page(browser, "light")
    page.goto((built_site.out / FIGURE_PAGE).as_uri(), wait_until="load")
    images = page.evaluate(LOAD_VISIBLE_IMAGES)
    assert images and all(image["width"] > 0 for image in images)
    frame = page.frame_locator("iframe.plotly-frame")
    frame.locator(".js-plotly-plot").wait_for(state="attached", timeout=15_000)
    assert problems.found == []
    page.context.close()


LONG_TITLE = "Sparse autoencoders on all-MiniLM-L6-v2 with random-weights controls"
BRAND_LINES = """() => {
  const brand = document.querySelector('.brand');
  const line = parseFloat(getComputedStyle(brand).lineHeight);
  const nav = document.querySelector('.site-nav').getBoundingClientRect();
  return {lines: Math.round(brand.getBoundingClientRect().height / line),
          navShown: nav.width > 0 && nav.height > 0, full: brand.title};
}"""


@pytest.mark.parametrize("width", [1280, 760, 420])
def test_a_long_site_title_fits_the_header(
    browser: Browser, server: SiteServer, width: int
) -> None:
    """The demo's site title takes two lines at most (it took three beside the links)."""
    context = browser.new_context(viewport={"width": width, "height": 900})
    page = context.new_page()
    page.goto(server.url + "index.html", wait_until="load")
    page.evaluate(f"() => {{ document.querySelector('.brand').textContent = {LONG_TITLE!r}; }}")
    found = page.evaluate(BRAND_LINES)
    assert found["lines"] <= 2 and found["navShown"], found
    assert found["full"]  # the whole name stays in the title attribute
    context.close()
