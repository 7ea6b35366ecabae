"""The site's feature browser: for each trial with per-latent tables, a page of its layers, a
latent index per layer (its rows in script shards), and a page per latent with examples (all of
them, or the ``max_feature_pages`` that fired most often per layer, from site.toml), with its
logit effects where the run has ``logits.parquet`` (causal LMs).

Pages link both ways: the trial page and the density figure's page to the trial's feature pages
(``links``), and each feature page back to its layer's index, the trial page and the trial's
feature figures.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import cast

import pandas as pd

from galleryforge.decoders import layer_neighbours
from galleryforge.latents import DENSE_FREQUENCY, ExamplesByLatent
from galleryforge.site.feature_data import LayerData, fired_on, layer_data, shard_name
from galleryforge.site.feature_views import (
    feature_page,
    feature_view,
    features_root,
    layer_index,
)
from galleryforge.site.page import Page
from galleryforge.site.views import FigureView, trial_label, trial_page
from galleryforge.tables import TrialTables

FEATURE_FIGURES = ("feature-density", "feature-density-trials", "feature-card")


@dataclass
class FeatureSite:
    pages: list[Page] = field(default_factory=list)
    files: dict[str, bytes] = field(default_factory=dict)
    links: dict[str, str] = field(default_factory=dict)
    """Trial → its feature browser's first page (for the trial and figure pages)."""


def feature_site(
    tables: Mapping[str, TrialTables],
    figures: Mapping[tuple[str, str], FigureView],
    max_pages: int | None,
    fallback: FigureView | None,
) -> FeatureSite:
    """``fallback``: the card of pages whose trial has no ``feature-density`` figure."""
    site = FeatureSite()
    for trial, trial_tables in tables.items():
        if trial_tables.features is None or trial_tables.examples_path is None:
            continue
        site.links[trial] = features_root(trial)
        _trial_pages(site, trial_tables, figures, max_pages, fallback)
    return site


def _trial_pages(
    site: FeatureSite,
    trial: TrialTables,
    figures: Mapping[tuple[str, str], FigureView],
    max_pages: int | None,
    fallback: FigureView | None,
) -> None:
    features, examples = trial.features, trial.examples
    assert features is not None and examples is not None
    name, label = trial.trial, trial_label(trial.trial)
    card = figures.get((name, "feature-density")) or fallback
    shown = [figures[(name, r)] for r in FEATURE_FIGURES if (name, r) in figures]
    links = {
        "trial_page": trial_page(name),
        "figures": [(v.title, v.page) for v in shown],
        "features_root": features_root(name),
    }
    tokens = fired_on(examples)
    by_latent = ExamplesByLatent(examples)
    logits = _logits_by_latent(trial.logits)
    layers: list[LayerData] = []
    for layer in sorted(int(x) for x in features["layer"].unique()):
        rows = features[features["layer"] == layer]
        data = layer_data(name, layer, rows, tokens.get(layer, {}), max_pages)
        layers.append(data)
        folder = f"features/{name}/L{layer}/"
        for index, script in enumerate(data.shards):
            site.files[folder + shard_name(index)] = script.encode("ascii")
        site.pages.append(
            Page(
                layer_index(name, layer),
                "site/features_layer.html",
                f"{label}, layer {layer}: latents",
                f"Every latent of layer {layer} of {label}: firing frequency, max activation "
                f"and the tokens it fires on, sortable and searchable.",
                f"trial-{name}",
                card,
                {
                    "layer": data,
                    "shards": [shard_name(i) for i in range(len(data.shards))],
                    **links,
                },
            )
        )
        neighbours = layer_neighbours(trial.root, layer, list(data.pages))
        pages = frozenset(data.pages)
        indexed = rows.set_index("latent")
        for latent in data.pages:
            row = pd.Series({"layer": layer, "latent": latent, **indexed.loc[latent].to_dict()})
            own = by_latent[layer, latent]
            view = feature_view(name, row, own, neighbours, pages, logits.get((layer, latent)))
            site.pages.append(
                Page(
                    feature_page(name, layer, latent),
                    "site/feature.html",
                    f"{label}, layer {layer}, latent {latent}",
                    f"Latent {latent} of layer {layer} ({label}) fires on {view.frequency} of "
                    f"{view.latent_tokens} tokens; max activation {view.max_activation}.",
                    f"trial-{name}",
                    card,
                    {"feature": view, **links},
                )
            )
    site.pages.append(
        Page(
            features_root(name),
            "site/features_trial.html",
            f"{label}: feature browser",
            f"The latents of {label}, layer by layer: how often each fires and on what.",
            f"trial-{name}",
            card,
            {
                "layers": layers,
                "trial_name": name,
                "label": label,
                "dense_threshold": f"{DENSE_FREQUENCY:.0%}",
                **links,
            },
        )
    )


def _logits_by_latent(logits: pd.DataFrame | None) -> dict[tuple[int, int], pd.DataFrame]:
    """(layer, latent) → its rows of ``logits.parquet``; empty when the run has none."""
    if logits is None:
        return {}
    found: dict[tuple[int, int], pd.DataFrame] = {}
    for key, rows in logits.groupby(["layer", "latent"], sort=False):
        layer, latent = cast(tuple[int, int], key)
        found[int(layer), int(latent)] = rows
    return found


def with_feature_links(pages: list[Page], links: Mapping[str, str]) -> list[Page]:
    """The trial pages and the feature figures' pages, each given ``features_link``: its trial's
    feature browser (None where the trial has no per-latent tables)."""
    linked = []
    for page in pages:
        trial = None
        if page.template == "site/trial.html":
            trial = page.context["trial"].name
        elif page.template == "site/figure.html" and page.context["figure"].id in FEATURE_FIGURES:
            trial = page.context["figure"].trial
        if trial is not None:
            page = replace(page, context={**page.context, "features_link": links.get(trial)})
        linked.append(page)
    return linked
