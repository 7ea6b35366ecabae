"""PDF font subsets made once per process, not once per figure.

A PDF embeds its fonts (TrueType, Type 42, which publishers ask for) subset to the glyphs the
figure uses; matplotlib makes each subset with fontTools, about 0.1 s a font, three fonts a figure:
a third of the time a gallery spends drawing. Here a figure's glyphs are first widened to the
font's printable ASCII and a few dozen common symbols, so most figures ask for the same set, and
each set's subset is kept for the process. A PDF's font then holds glyphs it does not use (about
16 KB more a font); the subset depends only on the figure, so the same figure still gives the same
bytes.

``install`` wraps matplotlib's subsetting function once; with a matplotlib whose internals differ
from the ones this was written against, it does nothing and PDFs are made as matplotlib makes them.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import Any

# Printable ASCII and the symbols the renderings' text uses (ligatures included: the text engine
# writes "fi" as one glyph); a figure that uses others gets a subset of its own.
_COMMON = [*range(0x20, 0x7F), *map(ord, "·×−–—…∝≈≤≥±→‖°′λαβγδεμσπΣ∑√₀₁₂₃₄₅₆₇₈₉ﬁﬂ")]
_subsets: dict[tuple[str, int, frozenset[int]], tuple[bytes, dict[int, int]]] = {}
_common_glyphs: dict[tuple[str, int], frozenset[int]] = {}


def install() -> bool:
    """Route matplotlib's PDF subsetting through the cache; whether it was installed."""
    try:
        from matplotlib.backends import _backend_pdf_ps as pdf_ps
    except ImportError:
        return False
    original = getattr(pdf_ps, "get_glyphs_subset", None)
    results = getattr(pdf_ps, "SubsetResults", None)
    if original is None or results is None:
        return False
    if not getattr(original, "_galleryforge", False):  # not installed yet
        pdf_ps.get_glyphs_subset = _cached(original, results)
    return True


def _cached(original: Callable[..., Any], results: type) -> Callable[..., Any]:
    @contextmanager
    def get_glyphs_subset(fontfile: Any, glyphs: Iterable[int]) -> Iterator[Any]:
        from fontTools.ttLib import TTFont

        path, face = str(fontfile), int(getattr(fontfile, "face_index", 0) or 0)
        wanted = frozenset(glyphs) | _common_of(path, face)
        key = (path, face, wanted)
        if key not in _subsets:
            with original(fontfile, set(wanted)) as made:
                saved = io.BytesIO()
                made.font.save(saved, reorderTables=False)
                _subsets[key] = (saved.getvalue(), dict(made.glyph_index_map))
        data, index_map = _subsets[key]
        yield results(_saved_font(TTFont, data), dict(index_map))

    get_glyphs_subset._galleryforge = True  # type: ignore[attr-defined]
    return get_glyphs_subset


def _saved_font(font_class: type, data: bytes) -> Any:
    """The subset as a font object whose ``save`` writes the bytes the subsetter's font saved (what
    matplotlib embeds), instead of compiling every table again."""

    class SavedFont(font_class):
        def save(self, file: Any, reorderTables: Any = True) -> None:
            file.write(data)

    return SavedFont(io.BytesIO(data))


def _common_of(path: str, face: int) -> frozenset[int]:
    """The glyph indices of the font's common characters (``_COMMON``)."""
    if (path, face) not in _common_glyphs:
        from matplotlib.ft2font import FT2Font

        charmap = FT2Font(path, face_index=face).get_charmap()
        _common_glyphs[path, face] = frozenset(charmap[c] for c in _COMMON if c in charmap)
    return _common_glyphs[path, face]
