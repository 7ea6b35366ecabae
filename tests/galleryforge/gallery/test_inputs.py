"""Each input read once a command: every table file and theme loaded, validated and hashed once,
in the main process; the workers draw from what it loaded; the next command reads files anew."""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from galleryforge.cli.main import main
from galleryforge.gallery import cache_keys, jobs
from galleryforge.runs import run_input_files
from galleryforge.tables import LAYERS, loaded, ordered, write_table
from galleryforge.themes import theme
from tests.factories import build_layers, write_toy, write_trial
from tests.feature_factories import write_feature_tables

Event = tuple[int, str, str]
"""(process id, what: ``table``, ``theme``, ``hash`` or ``job``, which: a path or a name)."""


@pytest.fixture
def events(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Callable[[], list[Event]]:
    """Count, in this process and in any worker it forks, every table file read (whoever calls
    the loaders), every theme built and validated, every file hashed for the cache and every job
    drawn by a worker. Returns the function that reads the events back."""
    log = tmp_path / "events.tsv"

    def count(module: Any, name: str, what: str, which: Callable[..., object]) -> None:
        original = getattr(module, name)

        def counted(*args: Any, **kwargs: Any) -> Any:
            with log.open("a", encoding="utf-8") as file:  # one short append: atomic
                file.write(f"{os.getpid()}\t{what}\t{which(*args)}\n")
            return original(*args, **kwargs)

        monkeypatch.setattr(module, name, counted)

    for reader in ("read_table", "read_features", "read_examples"):
        count(loaded, reader, "table", lambda path, *_: Path(path))
    count(theme, "build_theme", "theme", lambda name, *_: name)
    count(cache_keys, "file_digest", "hash", lambda path: path)
    count(jobs, "run_job", "job", lambda job, _: job.label)  # as a worker calls it

    def read() -> list[Event]:
        if not log.exists():
            return []
        rows = [line.split("\t") for line in log.read_text(encoding="utf-8").splitlines()]
        return [(int(pid), what, which) for pid, what, which in rows]

    return read


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Trials A, B and C with per-latent tables (so feature cards and trial comparisons draw),
    and the toy run: small, so every rendering is drawn in seconds."""
    runs = tmp_path_factory.mktemp("runs")
    for trial, layers in (("A", 3), ("B", 4), ("C", 3)):
        write_trial(runs, trial, layers)
        write_feature_tables(runs / trial, layers, width=64, max_latents=4)
    write_toy(runs)
    return runs


def _render(runs: Path, out: Path, *flags: str) -> int:
    out.mkdir(exist_ok=True)  # an existing gallery: the cache is checked (and misses) first
    return main(["render", "--runs", str(runs), "--out", str(out), "-q", *flags])


def _counts(events: list[Event], what: str) -> Counter[str]:
    return Counter(which for pid, kind, which in events if kind == what and pid == os.getpid())


def _tables(runs: Path, trial: str) -> set[str]:
    return {str(p) for p in (runs / trial / "tables").glob("*.parquet")}


@pytest.mark.slow
def test_render_of_one_trial_reads_each_input_once(
    runs: Path, tmp_path: Path, events: Callable[[], list[Event]]
) -> None:
    """``render --trial B --theme paper``, every rendering, in process (``--jobs 1``): B's
    tables, and the other trials' that the comparisons draw, the toy run's and the theme are
    each loaded once; each input file is hashed once for the cache's keys."""
    assert _render(runs, tmp_path / "g", "--trial", "B", "--theme", "paper", "--jobs", "1") == 0
    drawn = events()
    tables = _counts(drawn, "table")
    assert set(tables.values()) == {1}, tables
    assert _tables(runs, "B") <= set(tables)  # layers, curves, features and examples
    assert {str(runs / t / "tables" / "layers.parquet") for t in ("A", "C")} <= set(tables)
    assert _tables(runs, "toy") <= set(tables)
    assert _counts(drawn, "theme") == {"paper": 1}
    hashed = _counts(drawn, "hash")
    assert set(hashed.values()) == {1}, hashed
    every_input = {str(p) for t in ("A", "B", "C", "toy") for p in run_input_files(runs / t)}
    assert every_input <= set(hashed)
    assert all(pid == os.getpid() for pid, _, _ in drawn)


def test_render_of_one_trial_reads_no_other_trial_it_does_not_draw(
    runs: Path, tmp_path: Path, events: Callable[[], list[Event]]
) -> None:
    """A rendering of the trial alone: no other trial's tables are read (the toy run's are:
    predicted floors read its shape, and every trial job's cache key holds it)."""
    assert _render(runs, tmp_path / "g", "--trial", "B", "-r", "premium-heatmap") == 0
    read = set(_counts(events(), "table"))
    examples = str(runs / "B" / "tables" / "examples.parquet")  # feature cards alone read it
    assert read == (_tables(runs, "B") - {examples}) | _tables(runs, "toy")


def test_workers_draw_from_the_inputs_the_plan_loaded(
    runs: Path, tmp_path: Path, events: Callable[[], list[Event]]
) -> None:
    """With ``--jobs 2`` the workers are forked with the counters in place (the jobs they draw
    are counted in them), and read no table, build no theme and hash no file. The renderings
    draw the trial alone, every trial, the toy run's shape, and a latent's examples."""
    drawing = "premium-heatmap,trial-comparison,predicted-loss-floor,feature-card"
    flags = ("--trial", "B", "--theme", "paper", "-r", drawing, "--format", "png", "--jobs", "2")
    assert _render(runs, tmp_path / "g", *flags) == 0
    drawn = events()
    in_workers = [(pid, what) for pid, what, _ in drawn if pid != os.getpid()]
    workers = {pid for pid, what in in_workers if what == "job"}
    assert workers, "no job was counted in a worker: were the counters inherited?"
    jobs_drawn = [which for pid, what, which in drawn if what == "job"]
    assert len(jobs_drawn) == len(list((tmp_path / "g" / "B" / "paper").glob("*.png")))
    assert [what for _, what in in_workers if what != "job"] == []
    assert set(_counts(drawn, "hash").values()) == {1}
    tables = _counts(drawn, "table")
    assert set(tables.values()) == {1}
    others = {str(runs / t / "tables" / "layers.parquet") for t in ("A", "C")}
    assert _tables(runs, "B") | _tables(runs, "toy") | others <= set(tables)
    assert _counts(drawn, "theme") == {"paper": 1}


def test_social_card_reads_its_trial_and_theme_once(
    runs: Path, tmp_path: Path, events: Callable[[], list[Event]]
) -> None:
    """A framed card draws its rendering and its frame under the social theme at two sizes; the
    theme is built once, the trial's tables read once, no other trial's."""
    args = ["social", "--trial", "B", "--rendering", "premium-heatmap", "--runs", str(runs)]
    assert main([*args, "--out", str(tmp_path / "cards")]) == 0
    drawn = events()
    tables = _counts(drawn, "table")
    assert set(tables.values()) == {1}
    assert {p for p in tables if p.startswith(str(runs / "B"))} == _tables(runs, "B") - {
        str(runs / "B" / "tables" / "examples.parquet")
    }
    assert not any(p.startswith(str(runs / t)) for t in ("A", "C") for p in tables)
    assert _counts(drawn, "theme") == {"social": 1}


def test_the_next_command_reads_a_rewritten_table(tmp_path: Path) -> None:
    """Nothing outlives a command: the same process draws the table as it is now (what the
    demo does when it trains again after a render)."""
    runs, out = tmp_path / "runs", tmp_path / "gallery"
    root = write_trial(runs, "B", n_layers=3)
    heatmap = ("--trial", "B", "-r", "premium-heatmap", "--format", "png")
    assert _render(runs, out, *heatmap) == 0
    (png,) = out.rglob("*.png")
    first = png.read_bytes()
    layers = build_layers("B", 3)
    layers["mse"] = layers["mse"] * 2  # what a fresh training run would leave
    write_table(ordered(layers, LAYERS), root / "tables" / "layers.parquet")
    assert _render(runs, out, *heatmap) == 0
    assert _render(runs, tmp_path / "fresh", *heatmap) == 0
    (fresh,) = (tmp_path / "fresh").rglob("*.png")
    assert fresh.read_bytes() != first
    assert png.read_bytes() == fresh.read_bytes()
