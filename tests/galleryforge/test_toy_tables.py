"""Reading the toy run's tables: what a summary must hold, and one-line errors for bad values."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from galleryforge.errors import InputError
from galleryforge.tables import load_toy_tables, write_table
from tests.factories import write_toy


def _corrupt(root: Path, stem: str, column: str, value: object) -> None:
    path = root / "tables" / f"{stem}.parquet"
    frame = pd.read_parquet(path)
    frame[column] = frame[column].astype(object) if isinstance(value, str) else frame[column]
    frame.loc[2, column] = value
    write_table(frame, path)


@pytest.mark.parametrize(
    ("stem", "column", "value", "message"),
    [
        ("summary", "censored", 2, r"summary\.parquet: column 'censored', row 3: expected 0 or 1"),
        ("summary", "ratio", np.nan, r"column 'ratio', row 3: expected a finite number, got nan"),
        ("summary", "converged_frac", 1.5, r"column 'converged_frac', row 3: expected a share"),
        ("summary", "c", np.inf, r"column 'c', row 3: expected a finite number, got inf"),
        ("sweep", "width", 0, r"sweep\.parquet: column 'width', row 3: expected a width"),
        ("sweep", "normalised_loss", -1.0, r"column 'normalised_loss', row 3: negative value"),
    ],
)
def test_bad_values_name_file_column_and_row(
    tmp_path: Path, stem: str, column: str, value: object, message: str
) -> None:
    root = write_toy(tmp_path)
    _corrupt(root, stem, column, value)
    with pytest.raises(InputError, match=message):
        load_toy_tables(root)


def test_a_read_out_without_a_fit_may_leave_c_empty(tmp_path: Path) -> None:
    root = write_toy(tmp_path)
    for column in ("c", "c_low", "c_high", "a", "a_low", "a_high", "b", "b_low", "b_high"):
        _corrupt(root, "summary", column, np.nan)
    assert np.isnan(load_toy_tables(root).summary["c"]).sum() == 1


def test_a_summary_made_elsewhere_needs_only_the_required_columns(tmp_path: Path) -> None:
    root = write_toy(tmp_path)
    path = root / "tables" / "summary.parquet"
    frame = pd.read_parquet(path)
    required = ["decoder", "alpha", "features", "k", "d_star", "transition_width", "censored"]
    write_table(frame[[*required, "ratio"]], path)
    assert len(load_toy_tables(root).summary) == len(frame)
    write_table(frame[required], path)
    with pytest.raises(InputError, match="missing required column 'ratio'"):
        load_toy_tables(root)
