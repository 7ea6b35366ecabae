"""The feature browser's pages as built: counts and values from the tables, escaping, links."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from itertools import pairwise
from pathlib import Path

import pandas as pd
import pytest

from galleryforge.errors import InputError
from galleryforge.site import build_site
from galleryforge.site.config import load_site_config
from tests.feature_factories import HOSTILE_TOKEN
from tests.galleryforge.site.conftest import BuiltSite


class Tokens(HTMLParser):
    """The text and ``--a`` shade of every ``span.tok``, context by context."""

    def __init__(self) -> None:
        super().__init__()
        self.contexts: list[list[tuple[str, float]]] = []
        self._shade: float | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "p" and found.get("class") == "context":
            self.contexts.append([])
        if tag == "span" and "tok" in (found.get("class") or "").split():
            self._shade = float((found.get("style") or "").removeprefix("--a:"))
            self.contexts[-1].append(("", self._shade))

    def handle_data(self, data: str) -> None:
        if self._shade is not None:
            text, shade = self.contexts[-1][-1]
            self.contexts[-1][-1] = (text + data, shade)

    def handle_endtag(self, tag: str) -> None:
        if tag == "span":
            self._shade = None


def _tables(built: BuiltSite) -> tuple[pd.DataFrame, pd.DataFrame]:
    tables = built.runs / "B" / "tables"
    return pd.read_parquet(tables / "features.parquet"), pd.read_parquet(
        tables / "examples.parquet"
    )


def test_a_page_per_latent_with_examples(built_site: BuiltSite) -> None:
    _, examples = _tables(built_site)
    expected = {
        f"features/B/L{layer}/{latent}.html"
        for layer, latent in examples[["layer", "latent"]].drop_duplicates().itertuples(index=False)
    }
    built = {p for p in built_site.result.pages if re.fullmatch(r"features/B/L\d+/\d+\.html", p)}
    assert built == expected
    assert {"features/B/index.html", "features/B/L0/index.html", "features/B/L1/index.html"} <= set(
        built_site.result.pages
    )


def test_shaded_tokens_are_the_examples_table(built_site: BuiltSite) -> None:
    features, examples = _tables(built_site)
    first = examples.iloc[0]
    layer, latent = int(first["layer"]), int(first["latent"])
    html = (built_site.out / f"features/B/L{layer}/{latent}.html").read_text(encoding="utf-8")
    parser = Tokens()
    parser.feed(html)
    own = examples[(examples["layer"] == layer) & (examples["latent"] == latent)]
    ordered = pd.concat(
        [
            own[own["kind"] == "top"].sort_values("rank"),
            own[own["kind"] == "random"].sort_values("rank"),
        ]
    )
    top = float(features.set_index(["layer", "latent"]).loc[(layer, latent), "max_activation"])
    assert len(parser.contexts) == len(ordered)
    for drawn, (_, row) in zip(parser.contexts, ordered.iterrows(), strict=True):
        spelled = [t.replace("Ġ", " ").replace("Ċ", "↵") for t in row["tokens"]]
        assert [text for text, _ in drawn] == spelled
        shades = [min(max(a, 0) / top, 1) for a in row["token_activations"]]
        assert [shade for _, shade in drawn] == pytest.approx(shades, abs=5e-4)
    # the corpus token with a script tag is text on the page, never markup
    assert HOSTILE_TOKEN in [text for text, _ in parser.contexts[0]]
    assert "<script>alert(" not in html and "&lt;script&gt;alert(" in html


def test_histogram_counts_and_missing_neighbours_are_said(built_site: BuiltSite) -> None:
    features, examples = _tables(built_site)
    row = features[features["latent"].isin(examples["latent"]) & (features["layer"] == 1)].iloc[0]
    html = (built_site.out / f"features/B/L1/{row['latent']}.html").read_text(encoding="utf-8")
    counts = [int(c) for c in re.findall(r'class="hist-bar" data-count="(\d+)"', html)]
    own = examples[(examples["layer"] == 1) & (examples["latent"] == row["latent"])]
    edges = [row["max_activation"] * i / 10 for i in range(11)]
    expected = [
        int(((own["activation"] >= lo) & ((own["activation"] < hi) | (i == 9))).sum())
        for i, (lo, hi) in enumerate(pairwise(edges))
    ]
    assert counts == expected
    assert "Not available: this run has no checkpoint for layer 1" in html


def test_index_shards_hold_every_latent(built_site: BuiltSite) -> None:
    features, _ = _tables(built_site)
    text = (built_site.out / "features/B/L0/shard-000.js").read_text(encoding="ascii")
    data = json.loads(text.removeprefix("gfFeatureShard(").removesuffix(");\n"))
    layer = features[features["layer"] == 0].sort_values("latent")
    assert [r[0] for r in data["rows"]] == layer["latent"].tolist()
    assert [r[1] for r in data["rows"]] == layer["frequency"].tolist()
    assert sum(r[6] for r in data["rows"]) == 3  # three latents with examples have pages


def test_links_both_ways(built_site: BuiltSite) -> None:
    trial = (built_site.out / "trials/B.html").read_text(encoding="utf-8")
    assert 'href="../features/B/index.html"' in trial
    page = next((built_site.out / "features/B/L0").glob("[0-9]*.html")).read_text(encoding="utf-8")
    assert 'href="../../../trials/B.html"' in page and 'href="index.html">Layer 0' in page


def test_max_feature_pages_must_be_a_whole_number(tmp_path: Path) -> None:
    path = tmp_path / "site.toml"
    path.write_text('title = "t"\ndescription = "d"\nauthor = "a"\nmax_feature_pages = -3\n')
    with pytest.raises(InputError, match=r"max_feature_pages.*-3"):
        load_site_config(path)


def test_a_request_limits_the_pages_to_the_most_frequent_latents(
    built_site: BuiltSite, tmp_path: Path
) -> None:
    # The demo's smaller browser: max_feature_pages on the request replaces site.toml's (0: all).
    features, examples = _tables(built_site)
    result = build_site(built_site.request(out=tmp_path / "site", max_feature_pages=1))
    built = {p for p in result.pages if re.fullmatch(r"features/B/L\d+/\d+\.html", p)}
    with_examples = features.merge(examples[["layer", "latent"]].drop_duplicates())
    most_frequent = with_examples.sort_values("frequency", ascending=False).groupby("layer").head(1)
    assert built == {
        f"features/B/L{layer}/{latent}.html"
        for layer, latent in most_frequent[["layer", "latent"]].itertuples(index=False)
    }


def test_a_page_gives_the_frequency_to_three_significant_digits(built_site: BuiltSite) -> None:
    features, examples = _tables(built_site)
    layer, latent = examples[["layer", "latent"]].iloc[0]
    row = features[(features["layer"] == layer) & (features["latent"] == latent)].iloc[0]
    page = built_site.out / "features" / "B" / f"L{layer}" / f"{latent}.html"
    shown = re.search(r"Fires on</dt><dd>([\d.]+)% of", page.read_text(encoding="utf-8"))
    assert shown is not None
    digits = shown.group(1).replace(".", "").lstrip("0")
    assert len(digits) <= 3  # 14.3%, not 14.3066%
    expected = float(f"{row['frequency'] * 100:.3g}")
    assert float(shown.group(1)) == pytest.approx(expected)
