"""architecture-frontier: each architecture's trials at the drawn trial's width, their layers and
means at the values their tables hold, the architecture's mean d*_S in the legend."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from galleryforge.renderings import architecture_frontier
from galleryforge.tables import load_trial_tables
from tests.contexts import drawn, render_context
from tests.factories import write_trial
from tests.figures import artists_with_gid

# (trial, architecture, width); the generated tables differ by trial name only through the seed.
TRIALS = [
    ("r1", "relu", 4096),
    ("r2", "relu", 4096),
    ("t", "topk", 4096),
    ("j", "jumprelu", 4096),
    ("wide", "topk", 8192),  # another width: left out
]


@pytest.fixture(scope="module")
def arch_runs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Generated runs (tests/factories.py) given an architecture in trial.toml and an
    ``embedding_recovered`` column at every checkpoint."""
    runs = tmp_path_factory.mktemp("arch-runs")
    for seed, (name, arch, width) in enumerate(TRIALS):
        root = write_trial(runs, name, n_layers=4, width=width, seed=seed)
        table = root / "tables" / "layers.parquet"
        layers = pd.read_parquet(table)
        layers["embedding_recovered"] = 0.9 - 0.02 * layers["layer"] - 0.01 * seed
        layers.to_parquet(table)
        (root / "trial.toml").write_text(f'name = "{name}"\narchitecture = "{arch}"\n')
    return runs


def test_layers_and_means_are_drawn_at_the_tables_values(arch_runs: Path) -> None:
    ctx = render_context(arch_runs, trial="t")
    fig = drawn(ctx, architecture_frontier)
    layers, means = artists_with_gid(fig, "arch-layers"), artists_with_gid(fig, "arch-mean")
    order = ["r1", "r2", "t", "j"]  # relu first (two trials, by name), then topk, then jumprelu
    assert len(layers) == len(means) == 2 * len(order)  # FVU panel, then fidelity panel
    fvu_axes, fidelity_axes = fig.axes[:2]
    for panel, column in ((fvu_axes, "fvu"), (fidelity_axes, "embedding_recovered")):
        drawn_layers = [c for c in layers if c.axes is panel]
        drawn_means = [m for m in means if m.axes is panel]
        for name, collection, mean in zip(order, drawn_layers, drawn_means, strict=True):
            final = load_trial_tables(arch_runs / name).final
            np.testing.assert_allclose(
                collection.get_offsets(),  # type: ignore[attr-defined]
                final[["l0", column]].to_numpy(),
            )
            assert mean.get_xdata()[0] == pytest.approx(final["l0"].mean())  # type: ignore[attr-defined]
            assert mean.get_ydata()[0] == pytest.approx(final[column].mean())  # type: ignore[attr-defined]
    colours = [tuple(c.get_facecolor()[0]) for c in layers[:4]]  # type: ignore[attr-defined]
    assert colours[0] == colours[1] != colours[2] != colours[3]  # one colour per architecture


def test_legend_states_each_architectures_mean_d_star(arch_runs: Path) -> None:
    ctx = render_context(arch_runs, trial="r1")
    fig = drawn(ctx, architecture_frontier)
    texts = [t.get_text() for t in fig.legends[0].get_texts()]
    d_star = {
        name: float(load_trial_tables(arch_runs / name).final["d_star"].mean())
        for name, *_ in TRIALS
    }
    relu = (d_star["r1"] + d_star["r2"]) / 2
    assert texts == [
        f"ReLU + L1: mean $d^*_S$ {relu:,.0f}",
        f"TopK: mean $d^*_S$ {d_star['t']:,.0f}",
        f"JumpReLU: mean $d^*_S$ {d_star['j']:,.0f}",
    ]


def test_another_width_is_compared_with_its_own(arch_runs: Path) -> None:
    ctx = render_context(arch_runs, trial="wide")
    assert {a: [t.trial for t in ts] for a, ts in architecture_frontier.compared(ctx).items()} == {
        "topk": ["wide"]
    }
    alt = architecture_frontier.describe(ctx)
    assert "F = 8,192" in alt and "TopK trial wide" in alt and "trial t" not in alt


def test_without_downstream_fidelity_only_fvu_is_drawn(tmp_path: Path) -> None:
    for name in ("a", "b"):
        write_trial(tmp_path, name, n_layers=3)
    ctx = render_context(tmp_path, trial="a")
    fig = drawn(ctx, architecture_frontier)
    assert len([ax for ax in fig.axes if ax.get_label() != "<colorbar>"]) == 1
    assert "no downstream fidelity measured" in architecture_frontier.describe(ctx)
    assert len(architecture_frontier.interactive(ctx).data) == 2 * 2  # layers and mean, a trial
