"""Validated tables on disk: ``validated/<table>/<cycle>/<source sha256>.parquet``.

One file per source file and table, written atomically: re-ingesting a file rewrites the same
bytes to the same place, so re-runs never duplicate rows.
"""

from __future__ import annotations

import io
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pandas as pd

# Imported here, with the rest of the module, rather than by pandas during the first write.
import pyarrow.pandas_compat  # type: ignore[import-untyped]
import pyarrow.parquet  # type: ignore[import-untyped]  # noqa: F401

from instruments.atomic import write_bytes_atomic


def table_path(validated_dir: Path, table: str, cycle_id: str, sha256: str) -> Path:
    return validated_dir / table / cycle_id / f"{sha256}.parquet"


def write_table(frame: pd.DataFrame, path: Path) -> None:
    """Store ``frame`` as Parquet, atomically.

    Text columns get no min/max statistics: those only serve readers that skip row groups by
    value, which ours never do, and computing them over a million texts took a third of the
    write. What is read back is the same.
    """
    buffer = io.BytesIO()
    frame = frame.reset_index(drop=True)
    counted = [
        str(name)
        for name, dtype in frame.dtypes.items()
        if not (isinstance(dtype, pd.StringDtype) or dtype == np.dtype(object))
    ]
    statistics = (counted or False) if all(isinstance(name, str) for name in frame.columns) else True
    frame.to_parquet(buffer, engine="pyarrow", index=False, write_statistics=statistics)
    write_bytes_atomic(path, buffer.getvalue())


def write_tables(tables: Mapping[Path, pd.DataFrame]) -> None:
    """:func:`write_table` for each path and frame, two at a time.

    Encoding Parquet and syncing a file to disk run without the GIL, so the tables of one source
    file are stored on two cores. Each file is still written atomically; the first error raised
    is raised here once the other writes have finished.
    """
    with ThreadPoolExecutor(max_workers=2) as pool:
        writes = [pool.submit(write_table, frame, path) for path, frame in tables.items()]
    for write in writes:
        write.result()


def read_table(validated_dir: Path, table: str, cycle_id: str, columns: list[str]) -> pd.DataFrame:
    """All stored parts of one table for one cycle, in a stable order (by source hash)."""
    parts = sorted((validated_dir / table / cycle_id).glob("*.parquet"))
    frames = [pd.read_parquet(part, engine="pyarrow") for part in parts]
    frames = [f for f in frames if not f.empty]
    if not frames:
        return pd.DataFrame({c: pd.Series(dtype="object") for c in columns})
    return pd.concat(frames, ignore_index=True)


def remove_source(validated_dir: Path, sha256: str) -> None:
    """Remove every table part that came from one source file (it has just been refused)."""
    for part in validated_dir.glob(f"*/*/{sha256}.parquet"):
        part.unlink()


SURVEY_TABLES = ("survey_responses", "survey_choices", "survey_comments")


def known_respondents(validated_dir: Path, cycle_id: str, instrument_id: str, except_source: str) -> set[str]:
    """Respondent tokens of one instrument and cycle already stored from *other* source files."""
    known: set[str] = set()
    for table in SURVEY_TABLES:
        for part in sorted((validated_dir / table / cycle_id).glob("*.parquet")):
            if part.stem == except_source:
                continue
            frame = pd.read_parquet(part, columns=["respondent_token", "instrument_id"])
            known.update(frame.loc[frame["instrument_id"] == instrument_id, "respondent_token"])
    return known


def without_known_respondents(tables: dict[str, pd.DataFrame], known: set[str]) -> tuple[dict[str, pd.DataFrame], int]:
    """Drop responses already imported from an earlier, overlapping export (research §5 #29)."""
    if not known:
        return tables, 0
    repeated: set[str] = set()
    kept = {}
    for table, frame in tables.items():
        if "respondent_token" in frame:
            mask = frame["respondent_token"].isin(known)
            repeated.update(frame.loc[mask, "respondent_token"])
            kept[table] = frame[~mask].reset_index(drop=True)
        else:
            kept[table] = frame
    return kept, len(repeated)
