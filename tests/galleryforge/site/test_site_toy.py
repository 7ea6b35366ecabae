"""The toy page and the toy figure's pages: the finding and every number come from the summary."""

from __future__ import annotations

import html
import re

from galleryforge.renderings.toy_readouts import fits, toy_finding
from galleryforge.tables import load_toy_tables
from tests.galleryforge.site.conftest import BuiltSite, as_read


def _text(page: str) -> str:
    """The page's visible text, tags dropped (inline ones without a space: the typeset symbols
    read d*S) and entities decoded, whitespace collapsed."""
    body = re.sub(r"<(script|style)\b.*?</\1>", " ", page, flags=re.S)
    body = re.sub(r"</?(i|sub|sup)>", "", body)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", body)).split())


def test_the_finding_is_under_the_figure_on_gallery_figure_and_toy_pages(
    built_site: BuiltSite,
) -> None:
    summary = load_toy_tables(built_site.runs / "toy").summary
    finding = as_read(toy_finding(summary))
    for page in ("gallery.html", "figures/toy/toy-floor-vs-dstar.html", "toy.html"):
        text = _text((built_site.out / page).read_text(encoding="utf-8"))
        assert finding in text, page
    gallery = _text((built_site.out / "gallery.html").read_text(encoding="utf-8"))
    assert gallery.count("Measured:") == 1  # only the toy figure states a result here


def test_toy_page_shows_each_read_outs_fit_and_marks_lower_bounds(built_site: BuiltSite) -> None:
    summary = load_toy_tables(built_site.runs / "toy").summary
    text = _text((built_site.out / "toy.html").read_text(encoding="utf-8"))
    for fit in fits(summary):
        rows = summary[summary["decoder"] == fit.decoder]
        first = rows.iloc[0]
        cells = f"{int(rows['censored'].sum())} of {len(rows)}"
        law = (
            f"{fit.decoder} e^{first['a']:.2f} · d*^{first['b']:.2f} "
            f"{first['b_low']:.2f}–{first['b_high']:.2f} "
            f"{first['a_low']:.2f}–{first['a_high']:.2f} "
            f"{first['c']:.2f} {first['c_low']:.2f}–{first['c_high']:.2f} {cells}"
        )
        assert law in text, law
    for row in summary.itertuples():
        bound = "> " if row.censored else ""
        levels = " / ".join(
            ("> " if getattr(row, f"censored_{s}") else "")
            + f"{getattr(row, f'transition_{s}'):.1f}"
            for s in ("e1", "e2", "e3")
        )
        cell = (
            f"{row.decoder} {row.k:.3g} {row.features:,} {row.alpha:.4g} {row.d_star:.1f} "
            f"{row.delta:.1f} {row.onset_width:.1f} {bound}{row.transition_width:.1f} "
            f"{bound}{row.ratio:.2f} {levels}"
        )
        assert cell in text, cell
    assert int(summary["censored"].sum()) > 0 and "> " in text
