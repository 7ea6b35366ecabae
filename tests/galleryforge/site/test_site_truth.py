"""What the site says is what the runs hold: the demo-shaped site read as a visitor reads it.

A site is built the way ``galleryforge demo`` builds it (its prose, the shipped sources) from runs
of one model (``tests/study_runs.py``). Its pages' visible text — and what a link preview shows —
must name that model and its real scale, name no other model, carry no placeholder text, and
hold no number that cannot be traced to the runs.
"""

from __future__ import annotations

import json
import math
import re
import tomllib
from pathlib import Path

import pytest

from galleryforge.cli.main import main
from galleryforge.demo import DEMO_PROSE
from galleryforge.site import SiteRequest, build_site
from galleryforge.tables import load_toy_tables, load_trial_tables
from tests.galleryforge.site.conftest import site_request
from tests.pages import visible_text
from tests.study_runs import MINILM_D_MODEL, SMALL_TRIALS, write_demo_runs, write_preset_trial

RENDERINGS = ("kpi-summary", "toy-floor-vs-dstar")
OTHER_MODELS = ("pythia", "eleutherai", "gpt-2", "gpt2", "llama", "gemma", "mistral", "bert-base")
PLACEHOLDER_WORDS = ("your name", "your lab", "edit", "todo", "lorem", "none", "nan", "null")
# A number as a page writes it: 1,024 · 0.9705 · 3.0e-03 · 184k · 300M (not the 0 of L0).
NUMBER = re.compile(r"(?<![\w.])(\d[\d,]*(?:\.\d+)?(?:e[-+]?\d+)?)([kMB]?)(?![\w])")
SCALE = {"": 1.0, "k": 1e3, "M": 1e6, "B": 1e9}
FORMULA_CONSTANTS = {0.0, 1.0}
"""The 0 and 1 of the definitions the pages print (α = 1 − L0 / F_alive, α in [0, 1])."""


def pages(site: Path) -> list[Path]:
    return sorted(p for p in site.rglob("*.html") if "files" not in p.relative_to(site).parts)


@pytest.fixture(scope="module")
def demo_site(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    root = tmp_path_factory.mktemp("demo-site")
    runs = write_demo_runs(root / "runs")
    build_site(site_request(root, renderings=RENDERINGS, prose=DEMO_PROSE))
    return runs, root / "site"


def _run_numbers(runs: Path) -> list[float]:
    """Every number the runs hold or the pages may derive from them (means, ratios, counts)."""
    values: list[float] = [float(len(SMALL_TRIALS))]
    for trial in SMALL_TRIALS:
        tables = load_trial_tables(runs / trial)
        values += tables.layers.select_dtypes("number").to_numpy().ravel().tolist()
        final = tables.final.select_dtypes("number")
        values += [*final.mean(), *final.sum()]  # means over layers; dead latents, all layers
        values += [tables.n_layers, len(tables.checkpoints)]
        values += _numbers_in((runs / trial / "trial.toml").read_text("utf-8"))
        values += _numbers_in((runs / trial / "provenance.json").read_text("utf-8"))
    toy = load_toy_tables(runs / "toy")
    for frame in (toy.sweep, toy.summary):
        values += frame.select_dtypes("number").to_numpy().ravel().tolist()
    # The toy figures' text counts the summary's rows and its censored cells; the fit (c, its
    # interval, the slope) is in the summary's own columns, taken above.
    values += [float(len(toy.summary)), float(toy.summary["censored"].sum())]
    values += [100 * v for v in toy.summary.groupby("decoder")["converged_frac"].mean()]  # as %
    return values


def _numbers_in(text: str) -> list[float]:
    return [float(m) for m in re.findall(r"\d+(?:\.\d+)?(?:e[-+]?\d+)?", text)]


def _traced(shown: str, suffix: str, values: list[float]) -> bool:
    """Whether some run value, rounded as the page rounded it, reads as ``shown``."""
    digits = shown.replace(",", "")
    mantissa = digits.split("e")[0]
    decimals = len(mantissa.split(".")[1]) if "." in mantissa else 0
    exponent = int(digits.split("e")[1]) if "e" in digits else 0
    value = float(digits) * SCALE[suffix]
    half_unit = 0.5 * 10.0 ** (exponent - decimals) * SCALE[suffix]
    if value in FORMULA_CONSTANTS:
        return True
    return any(math.isclose(v, value, abs_tol=half_unit * 1.0001) for v in values)


def test_demo_site_names_its_model_and_scale(demo_site: tuple[Path, Path]) -> None:
    runs, site = demo_site
    overview = visible_text(site / "index.html")
    assert "all-MiniLM-L6-v2" in overview
    assert "sentence-transformers/all-MiniLM-L6-v2" in overview  # the Hub id, not pip:
    assert f"the 6 layers of sentence-transformers/all-MiniLM-L6-v2 (d_model {MINILM_D_MODEL})" in (
        overview
    )
    config = tomllib.loads((runs / "A-small" / "trial.toml").read_text("utf-8"))
    assert f"F = {config['width']:,}" in overview
    assert f"{config['tokens']:,} training tokens of docstrings" in overview
    trial = visible_text(site / "trials" / "C-small.html")
    assert "Σ |f|·‖W_dec‖, coefficient starting at 0.003, proportional controller to L0 = 20" in (
        trial
    )
    # Only the reproducibility page quotes trial.toml as written (model = "pip:...").
    shown = [visible_text(p) for p in pages(site) if p.name != "reproducibility.html"]
    assert not any("pip:" in text for text in shown)


def test_no_other_model_and_no_placeholder_text(demo_site: tuple[Path, Path]) -> None:
    _, site = demo_site
    for page in pages(site):
        text = visible_text(page).lower()
        for name in OTHER_MODELS:
            assert name not in text, f"{page.name} names {name}"
        for word in PLACEHOLDER_WORDS:
            assert not re.search(rf"\b{word}\b", text), f"{page.name} shows {word!r}"
        placeholder = re.search(r"\{\w*\}", text)
        assert placeholder is None, f"{page.name} shows {placeholder.group(0)}"


def test_every_number_shown_comes_from_the_runs(demo_site: tuple[Path, Path]) -> None:
    runs, site = demo_site
    values = _run_numbers(runs)
    from galleryforge import __version__

    untraced = []
    for page in pages(site):
        text = visible_text(page).replace(f"galleryforge {__version__}", "galleryforge")
        if "/figures/" in page.as_posix():
            # Download sizes (kB) describe the files, not the study.
            text = re.sub(r"\d[\d.,]* [kM]B\b", "", text)
        for match in NUMBER.finditer(text):
            if not _traced(match.group(1), match.group(2), values):
                untraced.append(f"{page.relative_to(site)}: {match.group(0)}")
    assert not untraced, untraced
    # The check catches the study's own numbers had they leaked into the demo's pages.
    for shown, suffix in (("32,768", ""), ("300", "M"), ("6,200", ""), ("410", "M")):
        assert not _traced(shown, suffix, values)


def test_mixed_site_names_each_trials_model(tmp_path: Path) -> None:
    runs = tmp_path / "runs"
    write_preset_trial(runs, "A", n_layers=24, d_model=1024)
    write_preset_trial(runs, "B-small", n_layers=6, d_model=384, name="demo")
    request = SiteRequest(
        runs=runs, gallery=tmp_path / "gallery", out=tmp_path / "site", renderings=("kpi-summary",)
    )
    build_site(request)
    overview = visible_text(tmp_path / "site" / "index.html")
    assert "2 trials of sparse autoencoders on different models or scales" in overview
    assert "A on EleutherAI/pythia-410m, 24 layers, F = 32,768, 300M tokens" in overview
    assert "demo on sentence-transformers/all-MiniLM-L6-v2, 6 layers, F = 1,024" in overview
    assert "each row names its own" in overview
    assert "Trial demo on all-MiniLM-L6-v2: 6 layers" in visible_text(
        tmp_path / "site" / "trials" / "demo.html"
    )


def test_a_control_is_named_by_its_weights_and_linked_both_ways(tmp_path: Path) -> None:
    runs = tmp_path / "runs"
    write_preset_trial(runs, "B-small", n_layers=6, d_model=384)
    write_preset_trial(runs, "B-small-random", n_layers=6, d_model=384)
    request = SiteRequest(
        runs=runs, gallery=tmp_path / "gallery", out=tmp_path / "site", renderings=("kpi-summary",)
    )
    build_site(request)
    trials = tmp_path / "site" / "trials"
    control = visible_text(trials / "B-small-random.html")
    assert "Trial B-small-random on all-MiniLM-L6-v2, random weights (seed 0): 6 layers" in control
    assert "Model weights random weights (seed 0)" in control
    assert "These SAEs are a control: trained like Trial B-small" in control
    trained = visible_text(trials / "B-small.html")
    assert "Trial B-small on all-MiniLM-L6-v2: 6 layers" in trained
    assert "re-initialised weights: Trial B-small-random" in trained
    assert 'href="../trials/B-small-random.html"' in (trials / "B-small.html").read_text()
    assert 'href="../trials/B-small.html"' in (trials / "B-small-random.html").read_text()


def test_users_prose_gets_the_runs_numbers_and_warnings(
    demo_site: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    runs, built = demo_site
    sources = tmp_path / "mine"
    sources.mkdir()
    (sources / "site.toml").write_text(
        'title = "Dictionaries for {model}"\n'
        'intro = "We trained {trials} trials on {layers} layers (d_model {d_model}), F = {width}, '
        'on {tokens} tokens, {checkpoints} checkpoints each."\n'
        'lab = "Example Lab"\n',
        encoding="utf-8",
    )
    out = tmp_path / "site"
    args = ["site", "build", "--runs", str(runs), "--gallery", str(built.parent / "gallery")]
    args += ["--out", str(out), "--site-dir", str(sources), "-q", "-r", "kpi-summary"]
    assert main(args) == 0
    text = visible_text(out / "index.html")
    assert "Dictionaries for all-MiniLM-L6-v2" in text
    assert (
        "We trained 3 trials on 6 layers (d_model 384), F = 1,024, on 184,320 tokens, "
        "6 checkpoints each." in text
    )
    assert "Example Lab" in text
    err = capsys.readouterr().err.splitlines()
    assert len(err) == 2
    assert (
        err[0].startswith("warning: ") and "'author'" not in err[0] and "author is empty" in err[0]
    )
    assert "base_url is empty" in err[1]


def test_placeholder_without_a_value_is_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    runs = tmp_path / "runs"
    write_preset_trial(runs, "B-small", n_layers=2, d_model=384)
    (runs / "B-small" / "provenance.json").write_text(json.dumps({}), "utf-8")
    (runs / "B-small" / "trial.toml").write_text('name = "B-small"\n', "utf-8")
    sources = tmp_path / "mine"
    sources.mkdir()
    (sources / "site.toml").write_text('title = "SAEs on {model}"\n', encoding="utf-8")
    args = ["site", "build", "--runs", str(runs), "--out", str(tmp_path / "site")]
    assert main([*args, "--site-dir", str(sources), "-q", "-r", "kpi-summary"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "'title': placeholder {model}" in err and "site.toml" in err
    assert not (tmp_path / "site").exists()


def test_missing_sources_folder_is_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["site", "build", "--runs", str(tmp_path), "--out", str(tmp_path / "site")]
    assert main([*args, "--site-dir", str(tmp_path / "nope"), "-q"]) == 2
    err = capsys.readouterr().err
    assert err.splitlines() == [f"error: {tmp_path / 'nope'}: no such site sources folder"]
