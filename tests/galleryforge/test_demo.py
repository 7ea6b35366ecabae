"""The demo end to end on a tiny scale: toy, three trials and a width family from one pass, site;
then reuse."""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest

from galleryforge.cli.main import main
from galleryforge.demo import pipeline, training
from galleryforge.tables import load_toy_tables, load_trial_tables
from galleryforge.train.data.corpus import docstring_corpus
from tests.pages import visible_text

TINY_TRAINING = (
    "width=128",  # the three trials' F (the family's members have their own widths)
    "tokens=2048",
    "checkpoint_every=1024",
    "batch_tokens=256",
    "buffer_tokens=1024",
    "heldout_tokens=256",
    "latent_tokens=2048",
    "l1_warmup_tokens=256",
    "lr_warmup_tokens=256",
    "lr_decay_tokens=1024",
    "dead_window_tokens=1024",
    "log_every=1",
)
TINY_TOY = (
    "ks=2",
    "features=8,16",
    "seeds=0",
    "max_steps=200",
    "eval_samples=256",
    "exact_samples=32",
    "bootstrap=20",
)


@pytest.mark.slow
def test_quick_demo_then_reuse_then_fresh(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(training, "QUICK_OVERRIDES", TINY_TRAINING)
    monkeypatch.setattr(training, "TOY_OVERRIDES", TINY_TOY)
    # The family in bf16 (tiny here, so cheap even without bf16 matrix units) and the trials in
    # fp32: each trial page must say its own arithmetic.
    monkeypatch.setattr(training, "FAMILY_OVERRIDES", ("widths=16,32", "k=4", "precision=bf16"))
    # Two feature pages a layer: enough to show the browser is built, without a page for each
    # of the five runs' latents (three builds of those were most of this test's time).
    monkeypatch.setattr(pipeline, "DEMO_FEATURE_PAGES", 2)
    runs, build = tmp_path / "runs", tmp_path / "build"
    args = [
        "demo",
        "--quick",
        "--runs",
        str(runs),
        "--build",
        str(build),
        "-j",
        "1",
        "--rendering",
        "premium-heatmap",
        "--rendering",
        "toy-floor-vs-dstar",
        "--rendering",
        "width-sweep",
    ]
    assert main(args) == 0
    out = capsys.readouterr().out
    assert str(build / "site" / "index.html") in out

    members = ("widths-small-F16", "widths-small-F32")
    trials = {name: load_trial_tables(runs / name) for name in (*training.SMALL_TRIALS, *members)}
    for tables in trials.values():
        assert tables.n_layers == 6 and tables.checkpoints == (1024, 2048)
        assert tables.config["tokens"] == 2048
        final = tables.final  # the final checkpoint's new metrics and per-latent tables
        assert final[["cosine_similarity", "embedding_recovered"]].notna().all().all()
        assert (tables.root / "tables" / "features.parquet").is_file()
        assert (tables.root / "tables" / "examples.parquet").is_file()
    assert [trials[m].config["family"] for m in members] == ["widths-small"] * 2
    assert (
        trials["widths-small-F16"].provenance["start_time"]
        == trials["A-small"].provenance["start_time"]
    )  # one forward pass: one training session
    assert set(load_toy_tables(runs / "toy").summary["features"]) == {8, 16}
    site = build / "site"
    assert (site / "index.html").exists() and (site / "gallery.html").exists()
    figure_pages = {p.relative_to(site).as_posix() for p in site.glob("figures/*/*.html")}
    # The family is shown through one member (none is at B-small's width here: the widest),
    # whose width-sweep draws both members.
    assert figure_pages == {
        *(f"figures/{trial}/premium-heatmap.html" for trial in training.SMALL_TRIALS),
        "figures/widths-small-F32/premium-heatmap.html",
        "figures/widths-small-F32/width-sweep.html",
        "figures/toy/toy-floor-vs-dstar.html",
    }
    assert not (site / "trials" / "widths-small-F16.html").exists()
    for trial in training.SMALL_TRIALS:  # a feature browser per trial, two pages a layer
        assert (site / "features" / trial / "index.html").is_file()
        pages = sorted(p.parent.name for p in (site / "features" / trial).glob("L*/[0-9]*.html"))
        assert pages == [f"L{layer}" for layer in range(6) for _ in range(2)]
    # A feature page's contexts read as text: whole words of the corpus, no wordpiece marks, no
    # pieces glued together ("tothisgradientmap", "app##end(cm" before). A context's first and
    # last words may be cut by its window, so only the words between are read.
    page = sorted((site / "features" / "B-small").glob("L*/[0-9]*.html"))[0]
    words = context_words(page.read_text(encoding="utf-8"))
    corpus = set(re.findall(r"[a-z]{4,}", " ".join(docstring_corpus()[0]).lower()))
    assert len(words) >= 10 and len(words & corpus) >= 0.95 * len(words), words - corpus
    trial_page = (site / "trials" / "widths-small-F32.html").read_text(encoding="utf-8")
    assert "width-sweep" in trial_page
    # Each trial page says how its SAE step multiplied: the family in bf16, B-small in fp32.
    assert "SAE step arithmetic bf16 autocast, fp32 weights" in visible_text(
        site / "trials" / "widths-small-F32.html"
    )
    assert "SAE step arithmetic fp32" in visible_text(site / "trials" / "B-small.html")
    assert "Architecture ReLU Sparsity regime L1" in visible_text(site / "trials" / "B-small.html")

    # The site describes what the demo ran, from its runs.
    overview = visible_text(site / "index.html")
    assert "the 6 layers of sentence-transformers/all-MiniLM-L6-v2 (d_model 384)" in overview
    # The width family's members have their own widths, so each width names its trials.
    assert "F = 128 (A-small, B-small, C-small)" in overview
    assert "2,048 training tokens of docstrings" in overview
    for absent in ("pythia", "your name", "your lab", "{"):
        assert absent not in overview.lower()

    layers = runs / "A-small" / "tables" / "layers.parquet"
    trained_at = layers.stat().st_mtime_ns
    assert main(args) == 0  # everything is reused
    assert "reusing" in capsys.readouterr().out
    assert layers.stat().st_mtime_ns == trained_at

    # Toy figures alone: the site has no trial page, so it describes what it shows.
    toy_only = [*args[: args.index("--rendering")], "--rendering", "toy-floor-vs-dstar"]
    assert main(toy_only) == 0
    overview = visible_text(site / "index.html")
    assert "A toy experiment that checks the KD width model's predicted width" in overview
    assert not (site / "trials").exists()

    # --fresh trains again; one quick figure is enough to see the rest of the pipeline run after it.
    fewer_figures = [*args[: args.index("--rendering")], "--rendering", "kpi-summary"]
    assert main([*fewer_figures, "--fresh"]) == 0
    assert layers.stat().st_mtime_ns != trained_at


def context_words(page: str) -> set[str]:
    """The words of four or more letters inside a feature page's contexts (its ``<p
    class="context">`` rows, less their activation values and each row's first and last word)."""
    words: set[str] = set()
    for row in re.findall(r'<p class="context"[^>]*>(.*?)</p>', page, re.S):
        row = re.sub(r'<span class="context-value"[^>]*>.*?</span>', "", row, flags=re.S)
        text = html.unescape(re.sub(r"<[^>]+>", "", row))
        assert "##" not in text
        words |= set(re.findall(r"[a-z]{4,}", " ".join(text.split()[1:-1]).lower()))
    return words
