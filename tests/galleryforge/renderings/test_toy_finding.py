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
    r"([\w-]+): T = e\^([\d.-]+) · d\*_S\^([\d.-]+) \(b 95% interval ([\d.-]+)–([\d.-]+), "
    r"a ([\d.-]+)–([\d.-]+)\), T / d\*_S = ([\d.]+) \(([\d.]+)–([\d.]+)\), "
    r"over (\d+) of (\d+) cells"
)


def test_the_numbers_in_the_finding_are_the_summarys(
    build_render_context: BuildRenderContext,
) -> None:
    summary = build_render_context(trial="toy").toy_tables.summary
    text = toy_finding(summary)
    found = {m[0]: tuple(float(v) for v in m[1:]) for m in PART.findall(text)}
    assert list(found) == ["lp", "active-set", "untied", "tied"]  # in display order
    for decoder, numbers in found.items():
        rows = summary[summary["decoder"] == decoder]
        row = rows.iloc[0]
        expected = [
            row["a"],
            row["b"],
            row["b_low"],
            row["b_high"],
            row["a_low"],
            row["a_high"],
            row["c"],
            row["c_low"],
            row["c_high"],
            int((rows["censored"] == 0).sum()),
            len(rows),
        ]
        assert numbers == pytest.approx(expected, abs=0.005)
    # The censored cells are named, per read-out, from the summary's rows.
    tied = summary[(summary["decoder"] == "tied") & (summary["censored"] == 1)]
    names = ", ".join(f"k={r.k:g} F={r.features}" for r in tied.itertuples())
    assert tied.size and f"censored (lower bounds): {names}" in text
    # The exact read-outs' 50% widths against δ(k, F), as a range over their cells.
    lp = summary[summary["decoder"] == "lp"]
    ratios = lp["exact_half_ratio"]
    np.testing.assert_allclose(ratios, lp["exact_half_width"] / lp["delta"])
    assert f"50% exact recovery at {ratios.min():.2f}–{ratios.max():.2f} × δ(k, F)" in text
    assert "At ε = 0.01" in text


def test_every_toy_rendering_states_it() -> None:
    for name in ("toy-loss-floor", "toy-summary-heatmap", "toy-floor-vs-dstar"):
        assert get_rendering(name).finding is not None
    assert get_rendering("premium-heatmap").finding is None


def test_a_read_out_without_uncensored_cells_and_a_summary_without_fit_columns() -> None:
    _, summary = build_toy((2, 4), (64, 256), laws={"lp": (0.4, 1.0), "tied": (4.0, 1.0)})
    text = toy_finding(summary)
    assert "tied: no transition within the widths swept (all 4 cells censored)" in text
    fit_columns = ["c", "c_low", "c_high", "a", "a_low", "a_high", "b", "b_low", "b_high"]
    text = toy_finding(summary.drop(columns=fit_columns))
    # Without the run's fit columns: c and (a, b) from the rows, no interval.
    assert f"lp: T = e^0.40 · d*_S^1.00, T / d*_S = {np.exp(0.4):.2f}, over 4" in text
