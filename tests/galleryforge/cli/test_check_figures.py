"""``check --figures``: draws the trial's figures, reports each layout finding under the gallery
file it belongs to, exits 1 when there is one."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from matplotlib.figure import Figure

from galleryforge.cli.main import main
from galleryforge.renderings.context import RenderContext
from galleryforge.renderings.registry import REGISTRY, get_rendering
from tests.factories import write_trial

LONG = "a subtitle that runs past the right edge of the card"


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("runs")
    write_trial(root, "B", 4)
    return root


def test_clean_figures_are_counted_and_exit_zero(
    runs: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["check", "-t", "B", "--runs", str(runs), "--figures", "--theme", "paper,social"]
    assert main([*args, "-r", "kpi-summary", "-r", "kd-quantities"]) == 0
    out = capsys.readouterr().out
    assert "trial B: OK" in out  # the tables' summary comes first
    assert "4 figures checked (matplotlib; interactive versions are not), no layout findings" in out


def test_an_offender_is_named_by_file_rendering_and_text(
    runs: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    kpi = get_rendering("kpi-summary")

    def overflowing(ctx: RenderContext) -> Figure:
        fig = kpi.draw(ctx)
        fig.text(0.8, 0.01, LONG, fontsize=ctx.theme.font.label_size)
        return fig

    monkeypatch.setitem(REGISTRY, "kpi-summary", dataclasses.replace(kpi, draw=overflowing))
    args = ["check", "-t", "B", "--runs", str(runs), "--figures", "--theme", "social"]
    assert main([*args, "-r", "kpi-summary"]) == 1
    out = capsys.readouterr().out
    assert "  B/social/kpi-summary.png:\n" in out
    assert f"    off-canvas: '{LONG}' (past the right by " in out
    assert "1 figure checked (matplotlib; interactive versions are not), 1 with 1 layout" in out
