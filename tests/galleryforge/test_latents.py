"""A latent's examples come in the order its page and feature card show them: the top examples by
rank, then the random ones by rank, whether looked up one latent at a time or for a whole table;
and their tokens read as text."""

from __future__ import annotations

import pandas as pd
import pytest

from galleryforge.latents import ExamplesByLatent, display_tokens, latent_examples

# Hand-made rows in a shuffled order: (layer, latent, kind, rank).
ROWS = [
    (1, 7, "random", 1),
    (0, 7, "top", 0),
    (1, 7, "top", 1),
    (1, 3, "top", 0),
    (1, 7, "random", 0),
    (1, 7, "top", 0),
    (1, 3, "random", 0),
    (1, 7, "top", 2),
]
EXPECTED_1_7 = [("top", 0), ("top", 1), ("top", 2), ("random", 0), ("random", 1)]


def _examples() -> pd.DataFrame:
    frame = pd.DataFrame(ROWS, columns=["layer", "latent", "kind", "rank"])
    return frame.assign(activation=[float(i) for i in range(len(ROWS))])  # its row in ROWS


def _order(rows: pd.DataFrame) -> list[tuple[str, int]]:
    return list(zip(rows["kind"], rows["rank"], strict=True))


def test_one_latent_top_examples_first_then_random_each_by_rank() -> None:
    rows = latent_examples(_examples(), 1, 7)
    assert _order(rows) == EXPECTED_1_7
    assert set(rows["layer"]) == {1} and set(rows["latent"]) == {7}
    assert list(rows.index) == [0, 1, 2, 3, 4]


def test_the_whole_table_at_once_gives_each_latent_the_same_rows_in_the_same_order() -> None:
    by_latent = ExamplesByLatent(_examples())
    assert _order(by_latent[1, 7]) == EXPECTED_1_7
    assert list(by_latent[1, 7]["activation"]) == [5.0, 2.0, 7.0, 4.0, 0.0]
    assert _order(by_latent[1, 3]) == [("top", 0), ("random", 0)]
    assert _order(by_latent[0, 7]) == [("top", 0)]


@pytest.mark.parametrize(
    ("tokens", "reads"),
    [
        # WordPiece (MiniLM) contexts from the demo, which the pages used to show glued together.
        ("object with a ` file ##no ( ) ` method .", "object with a `fileno ()` method."),
        ("to this gradient map . returns", "to this gradient map. returns"),
        ("app ##end ( cm", "append (cm"),
        ('##ing the " quoted " word \' s', 'ing the "quoted" word\'s'),
        # Byte-level BPE spells its own spaces and line breaks.
        ("Ġthe Ġcat Ċ def", " the cat↵def"),
        ("▁the ▁cat", " the cat"),  # SentencePiece
    ],
)
def test_contexts_read_as_text(tokens: str, reads: str) -> None:
    words = tokens.split()
    shown = display_tokens(words)
    assert "".join(shown) == reads
    assert len(shown) == len(words)  # one piece per token: each keeps its own shade
