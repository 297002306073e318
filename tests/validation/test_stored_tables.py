"""Mapped tables become the stored Arrow strings unchanged, however their columns are laid out in memory."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import cast

import numpy as np
import pandas as pd
import pyarrow as pa  # type: ignore[import-untyped]
import pytest

from validation.survey_mapping import as_stored, as_stored_tables
from validation.tables import write_table, write_tables

ROWS = 3 * (1 << 16) + 17  # past the block a repeated text is made of, and not a multiple of it


def mapped(rows: int) -> pd.DataFrame:
    rng = np.random.default_rng(4)
    tokens = pd.CategoricalDtype(pd.Index([f"r-{n:016x}" for n in range(1000)], dtype=object))
    codes = rng.integers(0, 1000, rows)
    return pd.DataFrame(
        {
            "respondent_token": pd.Categorical.from_codes(cast(Sequence[int], codes), dtype=tokens),
            "instrument_id": pd.Categorical(["participant-feedback"] * rows),
            "item_id": pd.Categorical(rng.choice(["pf_better", "pf_welcome"], rows)),
            "value": rng.integers(1, 6, rows),
        }
    )


def spelled_out(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.astype({c: "string[pyarrow]" for c in frame.columns if c != "value"})


def test_stored_columns_hold_the_same_texts_as_spelling_each_one_out() -> None:
    for rows in (ROWS, 1 << 16, 5, 0):
        frame = mapped(rows)
        pd.testing.assert_frame_equal(as_stored(frame), spelled_out(frame))


def test_tables_sharing_their_tokens_are_each_stored_whole() -> None:
    first, second = mapped(ROWS), mapped(40)
    stored = as_stored_tables({"a": first, "b": second})
    pd.testing.assert_frame_equal(stored["a"], spelled_out(first))
    pd.testing.assert_frame_equal(stored["b"], spelled_out(second))


def test_a_stored_table_reads_back_as_the_spelled_out_one(tmp_path: Path) -> None:
    frame = mapped(ROWS)
    write_table(as_stored(frame), tmp_path / "stored.parquet")
    write_table(spelled_out(frame), tmp_path / "spelled.parquet")
    back = pd.read_parquet(tmp_path / "stored.parquet")
    pd.testing.assert_frame_equal(back, pd.read_parquet(tmp_path / "spelled.parquet"))
    assert back["instrument_id"].eq("participant-feedback").all()


def test_tables_written_together_are_the_files_written_one_by_one(tmp_path: Path) -> None:
    frames = {"a": as_stored(mapped(ROWS)), "b": as_stored(mapped(50)), "c": mapped(7)}
    write_tables({tmp_path / "together" / f"{name}.parquet": frame for name, frame in frames.items()})
    for name, frame in frames.items():
        write_table(frame, tmp_path / "alone" / f"{name}.parquet")
        assert (tmp_path / "together" / f"{name}.parquet").read_bytes() == (
            tmp_path / "alone" / f"{name}.parquet"
        ).read_bytes()


def test_a_table_that_cannot_be_written_is_reported_after_the_others_are_stored(tmp_path: Path) -> None:
    unwritable = pd.DataFrame({"mixed": [1, "two", 3.0]})
    with pytest.raises(pa.ArrowException):
        write_tables({tmp_path / "bad.parquet": unwritable, tmp_path / "good.parquet": mapped(10)})
    assert pd.read_parquet(tmp_path / "good.parquet").shape == (10, 4)
    assert not list(tmp_path.glob("*bad*"))
