"""The legibility checks every rendering's test relies on: they must see a collision when there is
one, or those tests could not fail."""

from __future__ import annotations

import matplotlib.pyplot as plt

from tests.figures import laid_out, overlapping_labels, values_spilling_out_of_cells


def test_crowded_tick_labels_overlap_and_spaced_ones_do_not() -> None:
    fig, (crowded, spaced) = plt.subplots(1, 2, figsize=(4, 2), layout="constrained")
    crowded.set_xticks(range(30), [f"layer {i}" for i in range(30)])
    spaced.set_xticks([0, 10], ["first", "last"])
    pairs = list(overlapping_labels(fig, laid_out(fig)))
    assert ("layer 0", "layer 1") in pairs
    assert all(label.startswith("layer") for pair in pairs for label in pair)
    plt.close(fig)


def test_a_value_wider_than_its_cell_spills_out() -> None:
    fig, ax = plt.subplots(figsize=(2, 2))
    ax.imshow([[0.0, 1.0], [1.0, 0.0]])
    ax.text(0, 0, "1", ha="center", va="center", gid="cell-value")
    ax.text(1, 1, "0.123456789 0.123456789", ha="center", va="center", gid="cell-value")
    assert list(values_spilling_out_of_cells(fig, laid_out(fig))) == ["0.123456789 0.123456789"]
    plt.close(fig)
