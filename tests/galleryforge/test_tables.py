"""Loading and validating run tables; every bad-input class names file, column and row."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from galleryforge import kd
from galleryforge.cli.main import main
from galleryforge.errors import InputError
from galleryforge.tables import (
    load_toy_tables,
    load_trial_tables,
    read_examples,
    read_logits,
    write_table,
)
from tests.factories import build_layers, write_toy, write_trial


def test_loads_a_run_with_kd_columns_and_final_rows(tmp_path: Path) -> None:
    write_trial(tmp_path, "B", 24)
    tables = load_trial_tables(tmp_path / "B")
    assert tables.trial == "B"
    assert tables.n_layers == 24
    assert tables.checkpoints == (50_000, 100_000, 150_000)
    assert list(tables.final["layer"]) == list(range(24))
    assert (tables.final["tokens"] == 150_000).all()
    assert tables.curves is not None and set(tables.curves["layer"]) == set(range(24))
    assert tables.config["trial"] == "B"


def test_csv_input_and_derived_kd_columns(tmp_path: Path) -> None:
    layers = build_layers("C", 6).drop(columns=list(kd.KD_COLUMNS))
    write_table(layers, tmp_path / "C" / "tables" / "layers.csv")
    tables = load_trial_tables(tmp_path / "C")
    expected = kd.d_star(layers["l0"], layers["width"], layers["dead"])
    np.testing.assert_allclose(tables.layers["d_star"], expected)
    assert tables.curves is None


def test_extra_numeric_columns_become_metrics(tmp_path: Path) -> None:
    write_trial(tmp_path, "B", 6, extra_metrics=True)
    assert "feature_density_entropy" in load_trial_tables(tmp_path / "B").metrics


def test_toy_tables_load(tmp_path: Path) -> None:
    write_toy(tmp_path)
    toy = load_toy_tables(tmp_path / "toy")
    assert set(toy.summary.columns) >= {"decoder", "d_star", "transition_width", "censored"}


Corrupt = Callable[[pd.DataFrame], pd.DataFrame]


def _set(column: str, row: int, value: object) -> Corrupt:
    def corrupt(frame: pd.DataFrame) -> pd.DataFrame:
        if isinstance(value, str):  # a text cell makes the whole column text, as in a real file
            frame = frame.astype({column: str})
        frame.loc[row, column] = value
        return frame

    return corrupt


BAD_INPUTS: dict[str, tuple[Corrupt, str]] = {
    "missing column": (lambda f: f.drop(columns=["mse"]), "missing required column 'mse' (has: "),
    "wrong type": (_set("l0", 4, "many"), "column 'l0', row 5: expected a number, got 'many'"),
    "nan": (_set("mse", 2, np.nan), "column 'mse', row 3: expected a finite number, got nan"),
    "inf": (_set("fvu", 0, np.inf), "column 'fvu', row 1: expected a finite number, got inf"),
    "negative count": (_set("dead", 7, -3), "column 'dead', row 8: negative count -3"),
    "l0 above width": (
        _set("l0", 1, 5_000.0),
        "column 'l0', row 2: L0 5000 is above the width 4096",
    ),
    "alpha outside": (_set("alpha", 3, 1.5), "column 'alpha', row 4: alpha 1.5 is outside [0, 1]"),
    "duplicate key": (
        lambda f: pd.concat([f, f.iloc[[2]]], ignore_index=True),
        "column 'tokens', row 19: duplicate row for (trial=B, layer=0, tokens=150000)",
    ),
    "empty": (lambda f: f.iloc[0:0], "the table is empty"),
}


@pytest.mark.parametrize("fmt", ["parquet", "csv"])
@pytest.mark.parametrize("case", sorted(BAD_INPUTS))
def test_bad_input_names_file_column_row_and_writes_nothing(
    tmp_path: Path, case: str, fmt: str, capsys: pytest.CaptureFixture[str]
) -> None:
    corrupt, message = BAD_INPUTS[case]
    runs = tmp_path / "runs"
    path = runs / "B" / "tables" / f"layers.{fmt}"
    write_table(corrupt(build_layers("B", 6)), path)
    with pytest.raises(InputError) as caught:
        load_trial_tables(runs / "B")
    assert str(caught.value).startswith(f"{path}: {message}")
    assert "\n" not in str(caught.value)

    out = tmp_path / "gallery"
    status = main(["render", "--trial", "B", "--runs", str(runs), "--out", str(out), "-q"])
    assert status == 2
    error = capsys.readouterr().err
    assert error.startswith(f"error: {path}: {message}") and error.count("\n") == 1
    assert not out.exists()


def test_unreadable_table(tmp_path: Path) -> None:
    path = tmp_path / "B" / "tables" / "layers.parquet"
    path.parent.mkdir(parents=True)
    path.write_bytes(b"not parquet at all")
    with pytest.raises(InputError, match=r"layers\.parquet: cannot read the table"):
        load_trial_tables(tmp_path / "B")


def test_missing_layer_table(tmp_path: Path) -> None:
    (tmp_path / "B").mkdir()
    with pytest.raises(InputError, match=r"layers\.parquet: missing"):
        load_trial_tables(tmp_path / "B")


def test_bad_toy_alpha(tmp_path: Path) -> None:
    root = write_toy(tmp_path)
    sweep = pd.read_parquet(root / "tables" / "sweep.parquet")
    sweep.loc[0, "alpha"] = 2.0
    write_table(sweep, root / "tables" / "sweep.parquet")
    with pytest.raises(InputError, match=r"sweep\.parquet: column 'alpha', row 1: alpha 2 is"):
        load_toy_tables(root)


def _examples_with_bins(tmp_path: Path) -> tuple[Path, pd.DataFrame]:
    from tests.feature_factories import build_examples, build_features

    path = tmp_path / "tables" / "examples.parquet"
    return path, build_examples(build_features("B", 1, 16), max_latents=2, bins=True)


def test_an_examples_table_from_before_the_bins_still_loads(tmp_path: Path) -> None:
    path, table = _examples_with_bins(tmp_path)
    older = table[table["kind"] != "bin"].drop(columns=["bin_low", "bin_high"])
    write_table(older, path)
    assert set(read_examples(path)["kind"]) == {"top", "random"}
    write_table(table, path)
    assert set(read_examples(path)["kind"]) == {"top", "random", "bin"}


def test_a_bin_example_outside_its_bin_names_file_field_and_value(tmp_path: Path) -> None:
    path, table = _examples_with_bins(tmp_path)
    row = int(np.flatnonzero(table["kind"] == "bin")[1])
    table.loc[row, "activation"] = table.loc[row, "bin_high"] + 1.0
    write_table(table, path)
    with pytest.raises(InputError) as caught:
        read_examples(path)
    message = str(caught.value)
    assert message.startswith(f"{path}: column 'activation', row {row + 1}: ")
    assert f"{table.loc[row, 'activation']:g} is outside its bin" in message
    assert "\n" not in message


def test_logit_effects_out_of_rank_order_name_the_row(tmp_path: Path) -> None:
    from tests.feature_factories import build_examples, build_features, build_logits

    logits = build_logits(build_examples(build_features("B", 1, 16), max_latents=1))
    logits.loc[3, "effect"] = logits.loc[2, "effect"] + 1.0  # rank 3 above rank 2
    path = tmp_path / "tables" / "logits.parquet"
    write_table(logits, path)
    with pytest.raises(InputError, match=r"logits\.parquet: column 'effect', row 4: .* stronger"):
        read_logits(path)
