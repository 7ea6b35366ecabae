"""The feature browser's pages as built: counts and values from the tables, escaping, links."""

from __future__ import annotations

import json
import math
import re
import shutil
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
from tests.pages import visible_text


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
            own[own["kind"] == "bin"].sort_values("rank"),
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


def _bin_sections(html: str) -> list[tuple[str, int]]:
    """Each bin heading's text and how many contexts follow it before the next heading."""
    section = html.split("<h2>Contexts by activation</h2>", 1)[1].split("</section>", 1)[0]
    parts = re.split(r'<h3 class="bin-range">(.*?)</h3>', section)
    return [
        (heading, body.count('<p class="context">'))
        for heading, body in zip(parts[1::2], parts[2::2], strict=True)
    ]


def test_a_page_shows_its_bin_examples_under_their_ranges(built_site: BuiltSite) -> None:
    features, examples = _tables(built_site)
    binned = examples[examples["kind"] == "bin"]
    layer, latent = binned[["layer", "latent"]].iloc[0]
    own = binned[(binned["layer"] == layer) & (binned["latent"] == latent)]
    top = float(features.set_index(["layer", "latent"]).loc[(layer, latent), "max_activation"])
    # By hand: w = 2^ceil(log2 max) / 8, bins (j·w, (j + 1)·w], the top one ending at the max.
    width = 2.0 ** math.ceil(math.log2(top)) / 8
    expected = []
    for low in sorted(set(own["bin_low"]), reverse=True):
        j = round(low / width)
        high = min((j + 1) * width, top)
        count = int((own["bin_low"] == low).sum())
        assert ((own["bin_low"] == low) <= (own["bin_high"] == high)).all()
        expected.append((f"Activation {j * width:.3g} to {high:.3g}", count))
    html = (built_site.out / f"features/B/L{layer}/{latent}.html").read_text(encoding="utf-8")
    assert _bin_sections(html) == expected
    assert len(expected) == 3 and {c for _, c in expected} == {2}


def test_a_page_lists_its_logit_effects_strongest_first(built_site: BuiltSite) -> None:
    logits = pd.read_parquet(built_site.runs / "B" / "tables" / "logits.parquet")
    first = logits.iloc[0]
    layer, latent = int(first["layer"]), int(first["latent"])
    page = built_site.out / f"features/B/L{layer}/{latent}.html"
    html = page.read_text(encoding="utf-8")
    text = visible_text(page)
    own = logits[(logits["layer"] == layer) & (logits["latent"] == latent)]
    shown = []
    for sign, heading in (("positive", "Promoted"), ("negative", "Suppressed")):
        ranked = own[own["sign"] == sign].sort_values("rank")
        words = [t.replace("Ġ", " ").strip() for t in ranked["token"]]
        values = [f"{e:+.3g}" for e in ranked["effect"]]
        shown.append(
            heading + " " + " ".join(f"{w} {v}" for w, v in zip(words, values, strict=True))
        )
    assert " ".join(shown) in text
    # The first promoted token is the hostile one: text on the page, never markup.
    assert HOSTILE_TOKEN in text and "<script>alert(" not in html


def test_a_run_without_logit_effects_or_bins_says_nothing_of_them(
    built_site: BuiltSite, tmp_path: Path
) -> None:
    """An encoder's run (no LM head: no logits.parquet) and examples from before the bins."""
    runs = tmp_path / "runs"
    shutil.copytree(built_site.runs, runs)
    (runs / "B" / "tables" / "logits.parquet").unlink()
    examples = pd.read_parquet(runs / "B" / "tables" / "examples.parquet")
    older = examples[examples["kind"] != "bin"].drop(columns=["bin_low", "bin_high"])
    older.to_parquet(runs / "B" / "tables" / "examples.parquet", index=False)
    gallery = tmp_path / "gallery"  # a copy: the build may redraw figures of the changed run
    shutil.copytree(built_site.gallery, gallery)
    request = built_site.request(
        runs=runs, gallery=gallery, out=tmp_path / "site", max_feature_pages=1
    )
    result = build_site(request)
    pages = [p for p in result.pages if re.fullmatch(r"features/B/L\d+/\d+\.html", p)]
    assert pages
    for name in pages:
        text = visible_text(tmp_path / "site" / name)
        assert "Logit effects" not in text and "Promoted" not in text
        assert "Contexts by activation" not in text and "Top contexts" in text
