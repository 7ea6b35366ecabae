"""parts.shaded_contexts: which tokens around the example token fit a row."""

from __future__ import annotations

from galleryforge.renderings.parts.shaded_contexts import fitting


def test_everything_fits_a_wide_row() -> None:
    assert fitting(["a", "b", "c", "d"], 2, budget=100) == (0, 4)


def test_about_three_quarters_of_the_room_before_the_focus() -> None:
    tokens = ["x"] * 20
    # 8 one-character tokens fit. By hand: the row grows left while it holds fewer than three
    # tokens before the focus per token from the focus on: 3 before, 1 after (the focus's
    # neighbour), then 3 more before: 6 before, the focus, 1 after.
    start, stop = fitting(tokens, 10, budget=8)
    assert (start, stop) == (4, 12)


def test_the_focus_alone_when_nothing_else_fits() -> None:
    assert fitting(["long", "focus", "long"], 1, budget=5) == (1, 2)
