"""PDFs made with the per-process font subsets say what the figure says, with the fonts embedded,
and the same figure gives the same bytes."""

from __future__ import annotations

import io

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import pytest
from pypdf import PdfReader

from galleryforge.gallery import pdf_fonts
from galleryforge.gallery.formats import figure_bytes

# ASCII, common symbols, and two characters outside the common set (ω, ∞): a subset of their own.
LINES = ("L0 = 12 · F × 3 − 1", "d*_S ≥ 4 ω ∞")


def _figure_pdf() -> bytes:
    with plt.rc_context({"pdf.fonttype": 42}):
        fig = plt.figure(figsize=(3, 2))
        for row, line in enumerate(LINES):
            fig.text(0.05, 0.7 - 0.4 * row, line)
        fig.text(0.05, 0.5, "bold: fine", fontweight="bold")
        data = figure_bytes(fig, "pdf", 100)
        plt.close(fig)
    return data


def _text(data: bytes) -> str:
    return PdfReader(io.BytesIO(data)).pages[0].extract_text()


def _font_programs(data: bytes) -> list[bytes]:
    page = PdfReader(io.BytesIO(data)).pages[0]
    programs = []
    for font in page["/Resources"]["/Font"].values():
        cid_font = font.get_object()["/DescendantFonts"][0].get_object()
        programs.append(cid_font["/FontDescriptor"].get_object()["/FontFile2"].get_data())
    return programs


def test_cached_subsets_keep_the_text_and_embed_each_font() -> None:
    assert pdf_fonts.install()
    first, second = _figure_pdf(), _figure_pdf()
    assert first == second  # the second came from the cache: the same bytes
    text = _text(first)
    for line in (*LINES, "bold: fine"):
        assert line.replace(" ", "") in text.replace(" ", "")
    programs = _font_programs(first)
    assert len(programs) >= 2  # regular and bold at least, each a TrueType program
    assert all(program[:4] == b"\x00\x01\x00\x00" for program in programs)


def test_install_is_idempotent() -> None:
    from matplotlib.backends import _backend_pdf_ps as pdf_ps

    pdf_fonts.install()
    wrapped = pdf_ps.get_glyphs_subset
    assert pdf_fonts.install()
    assert pdf_ps.get_glyphs_subset is wrapped


@pytest.mark.parametrize("glyphs", [{36}, {36, 37, 38}])
def test_a_subset_depends_only_on_the_glyphs_asked_for(glyphs: set[int]) -> None:
    from matplotlib import font_manager
    from matplotlib.backends import _backend_pdf_ps as pdf_ps

    pdf_fonts.install()
    path = font_manager.FontPath(font_manager.findfont("DejaVu Sans"), 0)
    with pdf_ps.get_glyphs_subset(path, glyphs) as made:
        saved = io.BytesIO()
        made.font.save(saved)
        assert all(glyph in made.glyph_index_map for glyph in glyphs)
    pdf_fonts._subsets.clear()  # made afresh, the same glyphs give the same font
    with pdf_ps.get_glyphs_subset(path, glyphs) as again:
        fresh = io.BytesIO()
        again.font.save(fresh)
    assert fresh.getvalue() == saved.getvalue()
