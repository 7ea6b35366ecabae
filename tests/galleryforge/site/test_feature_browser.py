"""The feature browser in a real browser: the index loads its shards, the filter changes the
listed latents, a feature page loads; no console error and no request off the site."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

import pandas as pd
import pytest

from galleryforge.site.serve import SiteServer, site_server
from tests.galleryforge.site.conftest import BuiltSite
from tests.galleryforge.site.test_site_browser import Problems
from tests.galleryforge.site.test_site_browser import browser as browser  # the fixture

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def server(built_site: BuiltSite) -> Iterator[SiteServer]:
    with site_server(built_site.out) as running:
        yield running


def _open(browser: Browser, server: SiteServer, path: str) -> tuple[Page, Problems, list[str]]:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    problems = Problems(page)
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    page.goto(server.url + path, wait_until="networkidle")
    return page, problems, requests


def _listed(page: Page) -> list[int]:
    return [
        int(x)
        for x in page.eval_on_selector_all(
            ".feature-table tbody tr", "rows => rows.map(r => r.dataset.latent)"
        )
    ]


def test_index_loads_and_filter_changes_the_latents(
    browser: Browser,
    server: SiteServer,
    built_site: BuiltSite,
) -> None:
    features = pd.read_parquet(built_site.runs / "B" / "tables" / "features.parquet")
    layer = features[features["layer"] == 0]
    page, problems, requests = _open(browser, server, "features/B/L0/index.html")
    page.wait_for_function(
        "document.querySelector('.feature-count').textContent.includes('of 64 latents')"
    )
    by_frequency = layer.sort_values(["frequency", "latent"], ascending=[False, True])["latent"]
    assert _listed(page) == by_frequency.head(50).tolist()

    page.fill("input[name=min_frequency]", "1")  # at least 1% of tokens
    expected = by_frequency[by_frequency.isin(layer.loc[layer["frequency"] >= 0.01, "latent"])]
    assert _listed(page) == expected.head(50).tolist()
    assert len(expected) < len(layer)
    assert page.text_content(".feature-count").startswith(f"{len(expected)} of 64")

    page.fill("input[name=min_frequency]", "")
    page.fill("input[name=token]", "script")  # the hostile token of the first example
    listed = _listed(page)
    assert listed and len(listed) < 64
    assert page.locator(".feature-table script").count() == 0  # shown as text, not run
    assert problems.found == []
    assert all(url.startswith(server.url) for url in requests), requests
    page.context.close()


def test_feature_page_loads_cleanly(
    browser: Browser,
    server: SiteServer,
    built_site: BuiltSite,
) -> None:
    path = next(
        p
        for p in built_site.result.pages
        if p.startswith("features/B/L0/") and not p.endswith("index.html")
    )
    page, problems, requests = _open(browser, server, path)
    assert page.locator(".context").count() > 0
    assert page.locator(".hist-bar").count() == 10
    assert problems.found == []
    assert all(url.startswith(server.url) for url in requests), requests
    page.context.close()
