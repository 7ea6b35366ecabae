"""The toy finding: the sentence under every toy figure, its numbers those of the summary."""

from __future__ import annotations

import re

import numpy as np
import pytest

from galleryforge.renderings.registry import get_rendering
from galleryforge.renderings.toy_readouts import toy_finding
from tests.contexts import BuildRenderContext
from tests.factories import build_toy

PART = re.compile(
    r"(\w+): transition at ([\d.]+) × d\*_S \(95% interval ([\d.]+)–([\d.]+), slope ([\d.-]+)\)"
)


def test_the_numbers_in_the_finding_are_the_summarys(
    build_render_context: BuildRenderContext,
) -> None:
    summary = build_render_context(trial="toy").toy_tables.summary
    text = toy_finding(summary)
    found = {m[0]: tuple(float(v) for v in m[1:]) for m in PART.findall(text)}
    assert list(found) == ["nnls", "untied", "tied"]  # in display order
    for decoder, numbers in found.items():
        row = summary[summary["decoder"] == decoder].iloc[0]
        expected = [row["c"], row["c_low"], row["c_high"], row["slope"]]
        assert numbers == pytest.approx(expected, abs=0.005)
    censored = int(summary["censored"].sum())
    assert f"{censored} of {len(summary)} cells censored" in text
    tied = summary[summary["decoder"] == "tied"]
    assert f"tied: transition at {tied['c'].iloc[0]:.2f}" in text
    assert f"{int(tied['censored'].sum())} of {len(tied)} cells censored" in text


def test_every_toy_rendering_states_it() -> None:
    for name in ("toy-loss-floor", "toy-summary-heatmap", "toy-floor-vs-dstar"):
        assert get_rendering(name).finding is not None
    assert get_rendering("premium-heatmap").finding is None


def test_a_read_out_without_uncensored_cells_and_a_summary_without_fit_columns() -> None:
    _, summary = build_toy((0.8, 0.9), (32, 64), constants={"nnls": 1.5, "tied": 40.0})
    text = toy_finding(summary)
    assert "tied: no transition within the widths swept (all 4 cells censored)" in text
    bare = summary.drop(columns=["c", "c_low", "c_high", "slope"])
    text = toy_finding(bare)
    # Without the run's fit columns: c and the slope from the rows, no interval.
    assert "nnls: transition at 1.50 × d*_S (slope 1.00)" in text
    assert np.isclose(float(re.findall(r"at ([\d.]+) ×", text)[0]), 1.5)
