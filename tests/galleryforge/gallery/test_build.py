"""Building the gallery: layout, manifest, reproducible bytes, embedded fonts, exact card sizes."""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import struct
from pathlib import Path

import pytest
from pypdf import PdfReader

from galleryforge.cli.main import main
from galleryforge.gallery.chromium import find_chromium
from galleryforge.resources import data_dir

RENDERINGS = ["premium-heatmap", "kpi-summary", "toy-floor-vs-dstar"]
SAME_REQUEST = ("--theme", "paper", "--theme", "social", "--format", "png,svg,pdf,html")


def _render_b(runs: Path, out: Path, *extra: str) -> int:
    """``galleryforge render`` of trial B into ``out``, quietly, with ``extra`` flags."""
    return main(["render", "--runs", str(runs), "--out", str(out), "-q", "--trial", "B", *extra])


def _render(runs: Path, out: Path, *extra: str) -> int:
    """Trial B and the toy run, the renderings of ``RENDERINGS``."""
    chosen = [arg for rendering in RENDERINGS for arg in ("--rendering", rendering)]
    return _render_b(runs, out, "--trial", "toy", *chosen, *extra)


@pytest.fixture(scope="module")
def gallery(runs_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("gallery")
    assert _render(runs_dir, out, *SAME_REQUEST) == 0
    return out


def _png_size(path: Path) -> tuple[int, int]:
    width, height = struct.unpack(">II", path.read_bytes()[16:24])
    return width, height


def test_layout_and_manifest(gallery: Path) -> None:
    manifest = json.loads((gallery / "manifest.json").read_text())["files"]
    paths = {item["path"] for item in manifest}
    assert "B/paper/premium-heatmap.pdf" in paths
    assert "B/social/kpi-summary.png" in paths
    assert "toy/paper/toy-floor-vs-dstar.svg" in paths
    assert "B/paper/kpi-summary.html" not in paths  # no interactive version of the KPI card
    for item in manifest:
        data = (gallery / item["path"]).read_bytes()
        assert item["sha256"] == hashlib.sha256(data).hexdigest()
        assert item["bytes"] == len(data)
        assert item["theme"] in ("paper", "social") and item["alt"]
        if item["format"] == "png":
            assert _png_size(gallery / item["path"]) == (item["width_px"], item["height_px"])


def test_social_cards_are_exactly_1200_by_627(gallery: Path) -> None:
    for rendering in ("premium-heatmap", "kpi-summary"):
        assert _png_size(gallery / "B" / "social" / f"{rendering}.png") == (1200, 627)


def test_paper_pdf_embeds_truetype_fonts(gallery: Path) -> None:
    reader = PdfReader(gallery / "B" / "paper" / "premium-heatmap.pdf")
    fonts = []
    for page in reader.pages:
        resources = page["/Resources"]
        for font in resources["/Font"].values():
            fonts.append(font.get_object())
    assert fonts
    for font in fonts:
        descriptor = (
            font.get("/FontDescriptor")
            or font["/DescendantFonts"][0].get_object()["/FontDescriptor"]
        )
        assert "/FontFile2" in descriptor.get_object(), font  # TrueType program embedded
    width_pt = float(reader.pages[0].mediabox.width)
    assert width_pt == pytest.approx(5.5 * 72)


def test_paper_svg_has_text_as_paths(gallery: Path) -> None:
    svg = (gallery / "B" / "paper" / "premium-heatmap.svg").read_text()
    assert "<text" not in svg and "<path" in svg


def test_html_is_offline(gallery: Path) -> None:
    html = (gallery / "B" / "paper" / "premium-heatmap.html").read_text()
    sources = re.findall(r'<script[^>]*src="([^"]+)"', html)
    assert sources == ["../../plotly.min.js"]
    assert re.findall(r'(?:src|href)="(https?://[^"]*)"', html) == []
    assert "cdn.plot.ly" not in html and "mathjax.js" not in html.lower()
    assert (gallery / "plotly.min.js").stat().st_size > 1_000_000


def test_two_renders_are_byte_identical(runs_dir: Path, gallery: Path, tmp_path: Path) -> None:
    again = tmp_path / "again"
    assert _render(runs_dir, again, *SAME_REQUEST, "--jobs", "2") == 0
    first = (gallery / "manifest.json").read_bytes()
    assert (again / "manifest.json").read_bytes() == first


def test_rebuild_rewrites_nothing(
    runs_dir: Path, gallery: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = {p: p.stat().st_mtime_ns for p in gallery.rglob("*") if p.is_file()}
    assert _render(runs_dir, gallery, *SAME_REQUEST) == 0
    after = {p: p.stat().st_mtime_ns for p in gallery.rglob("*") if p.is_file()}
    assert after == before
    assert "(0 written, 22 unchanged; up to date)" in capsys.readouterr().out


def test_unknown_rendering_and_theme_name_close_matches(
    runs_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "g"
    assert _render_b(runs_dir, out, "--rendering", "premium-heatmp") == 2
    assert "did you mean 'premium-heatmap'" in capsys.readouterr().err
    assert _render_b(runs_dir, out, "--theme", "darkk") == 2
    assert "did you mean 'dark'" in capsys.readouterr().err
    assert not out.exists()


def test_study_file_names_are_aliases(runs_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "g"
    assert _render_b(runs_dir, out, "--rendering", "SAE_Premium_Heatmap", "--format", "png") == 0
    assert (out / "B" / "paper" / "premium-heatmap.png").exists()


def test_missing_chromium_is_a_clear_error_and_matplotlib_still_works(
    runs_dir: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("GALLERYFORGE_CHROMIUM", str(tmp_path / "no-such-browser"))
    out = tmp_path / "g"
    heatmap = ("--rendering", "premium-heatmap")
    assert _render_b(runs_dir, out, *heatmap, "--format", "plotly.png") == 2
    assert "apt-get install chromium" in capsys.readouterr().err
    assert _render_b(runs_dir, out, *heatmap, "--format", "png,html") == 0


@pytest.mark.browser
@pytest.mark.skipif(find_chromium() is None, reason="no Chromium: apt-get install chromium")
def test_plotly_images_through_one_browser(
    runs_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two figures in two formats, four images: one Chromium is launched for all of them. Each
    launch is counted where kaleido opens a browser, for its server or for a single image."""
    import kaleido

    launches: list[object] = []
    launch = kaleido.Kaleido.open

    async def counted(self: kaleido.Kaleido) -> None:
        launches.append(self)
        await launch(self)

    monkeypatch.setattr(kaleido.Kaleido, "open", counted)
    out = tmp_path / "g"
    two = ("premium-heatmap", "layer-metric-heatmap")
    flags = ("--rendering", ",".join(two), "--theme", "social", "--format", "plotly.png,plotly.svg")
    assert _render_b(runs_dir, out, *flags) == 0
    assert len(launches) == 1
    for rendering in two:
        assert _png_size(out / "B" / "social" / f"{rendering}.plotly.png")[0] == 1200
        svg = out / "B" / "social" / f"{rendering}.plotly.svg"
        assert svg.read_text().startswith("<svg")


def test_a_job_asking_fewer_formats_is_answered_from_the_cache(
    runs_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Drawn once in png, svg, pdf and html, the same figures in png alone (the site's cards) or in
    png and svg are not drawn again; a format never drawn is drawn, the others stay untouched."""
    out = tmp_path / "gallery"
    two = ("--rendering", "premium-heatmap", "--rendering", "kpi-summary", "--theme", "social")
    assert _render_b(runs_dir, out, *two, "--format", "png,svg,pdf,html") == 0
    figures = [p for p in out.rglob("*") if p.parent != out]  # not the manifest or the cache
    drawn = {p: p.stat().st_mtime_ns for p in figures if p.is_file()}
    assert len(drawn) == 2 * 3 + 1  # kpi-summary has no interactive version
    capsys.readouterr()
    for fewer, files in (("png", 2), ("png,svg", 4), ("html,pdf", 3)):  # kpi-summary: no html
        assert _render_b(runs_dir, out, *two, "--format", fewer) == 0
        assert f"(0 written, {files} unchanged" in capsys.readouterr().out, fewer
        assert {p: p.stat().st_mtime_ns for p in drawn} == drawn
        manifest = json.loads((out / "manifest.json").read_text())["files"]
        assert {out / entry["path"] for entry in manifest} == set(drawn)  # still every file

    only_png = tmp_path / "only-png"
    assert _render_b(runs_dir, only_png, *two, "--format", "png") == 0
    png = {p: p.stat().st_mtime_ns for p in only_png.rglob("*.png")}
    capsys.readouterr()
    assert _render_b(runs_dir, only_png, *two, "--format", "png,pdf") == 0
    assert "(2 written, 2 unchanged" in capsys.readouterr().out
    assert {p: p.stat().st_mtime_ns for p in png} == png  # same bytes: not rewritten
    assert _render_b(runs_dir, only_png, *two, "--format", "pdf") == 0
    assert "(0 written, 2 unchanged" in capsys.readouterr().out


def test_a_changed_theme_file_redraws_and_an_unchanged_one_does_not(
    runs_dir: Path, tmp_path: Path
) -> None:
    """The cache keys each job by its theme's files, not only the theme's name."""
    themes, out = tmp_path / "themes", tmp_path / "gallery"
    shutil.copytree(data_dir("themes"), themes)
    mine = themes / "mine.toml"
    mine.write_text((themes / "paper.toml").read_text(encoding="utf-8"), encoding="utf-8")
    one_png = ("--rendering", "kpi-summary", "--theme", str(mine), "--format", "png")
    assert _render_b(runs_dir, out, *one_png) == 0
    (png,) = out.rglob("*.png")
    first = png.read_bytes()

    assert _render_b(runs_dir, out, *one_png) == 0
    assert png.read_bytes() == first  # nothing changed: answered from the cache

    with mine.open("a", encoding="utf-8") as edit:  # a pink canvas instead of white
        edit.write('\n[colors]\nbackground = "#fde8e8"\n')
    assert _render_b(runs_dir, out, *one_png) == 0
    assert _render_b(runs_dir, tmp_path / "fresh", *one_png) == 0
    (fresh,) = (tmp_path / "fresh").rglob("*.png")
    assert fresh.read_bytes() != first  # the edit shows in a figure drawn from scratch ...
    assert png.read_bytes() == fresh.read_bytes()  # ... and in the gallery that had the old one
