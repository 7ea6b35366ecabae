"""The KD symbols are typeset in a page's text and left alone where markup cannot go."""

from __future__ import annotations

from galleryforge.site.typeset import typeset


def test_symbols_in_text_become_markup() -> None:
    html = "<p>Mean d*_S 117; F_alive = F − dead; g(α) at α = 0.9.</p>"
    assert typeset(html) == (
        "<p>Mean <i>d</i>*<sub>S</sub> 117; <i>F</i><sub>alive</sub> = F − dead; "
        "<i>g</i>(α) at α = 0.9.</p>"
    )


def test_attributes_scripts_and_titles_keep_the_ascii() -> None:
    html = (
        '<head><title>d*_S by layer</title><meta name="description" content="d*_S"></head>'
        '<img alt="transition / d*_S" src="x.png"><script>var s = "d*_S";</script>'
        "<style>.d*_S {}</style><textarea>F_alive</textarea>"
    )
    assert typeset(html) == html


def test_escaped_text_stays_escaped() -> None:
    html = "<td>&lt;script&gt; d*_S &amp; F_alive</td>"
    assert typeset(html) == (
        "<td>&lt;script&gt; <i>d</i>*<sub>S</sub> &amp; <i>F</i><sub>alive</sub></td>"
    )
