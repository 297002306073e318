"""Building a :class:`SurveyExport` from a grid, the same way for every survey platform.

A platform module says which header rows it has, which column is the respondent id, which
columns identify a person and which are routine metadata; this module does the rest: stable
column keys, blank trailing columns, duplicated headers, and row numbers for messages.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Collection, Mapping, Sequence

import numpy as np
import pandas as pd
import pyarrow as pa  # type: ignore[import-untyped]
import pyarrow.compute as pc  # type: ignore[import-untyped]

from instruments.errors import Failure, UnreadableFile
from validation.grid import Grid
from validation.survey_export import SurveyExport

#: Signs of text that was decoded with the wrong encoding before it reached us (research §5 #7):
#: the replacement character, and UTF-8 read as Windows-1252 (``Ã©``, ``â€™``).
MOJIBAKE = re.compile("\ufffd|Ã[\u0080-\u00bf]|â€")  # literal characters: Arrow's RE2 takes no \\u escapes


def misdecoded_cells(frame: pd.DataFrame, file_rows: Sequence[int], labels: Mapping[str, str]) -> list[str]:
    """Notes naming each cell whose text looks mis-decoded (the text itself is not repeated)."""
    notes = []
    for column in frame.columns:
        cells = pa.array(frame[column].array)
        if _plain_ascii(cells) or pc.all(pc.string_is_ascii(cells)).as_py():
            continue  # every sign of mis-decoding is a non-ASCII character
        hits = frame[column].str.count(MOJIBAKE.pattern)
        for position in hits[hits > 0].index:
            notes.append(
                f"row {file_rows[int(position)]}, column {labels.get(str(column), str(column))!r}: "
                f"{int(hits[position])} character(s) look mis-decoded (for example \ufffd or Ã©); "
                "check the source system's text"
            )
    return notes


def _plain_ascii(cells: pa.Array | pa.ChunkedArray) -> bool:
    """Whether all the bytes the cells' text is kept in are ASCII (then every cell is).

    One pass over the character data instead of a test per cell; False only means "look closer".
    """
    for chunk in cells.chunks if isinstance(cells, pa.ChunkedArray) else [cells]:
        buffers = chunk.buffers()
        if len(buffers) != 3 or not pa.types.is_large_string(chunk.type):
            return False
        if buffers[2] is not None and (np.frombuffer(buffers[2], dtype=np.uint8) > 0x7F).any():
            return False
    return True


def unique_keys(headers: Sequence[str]) -> tuple[list[str], list[str]]:
    """Column keys from header texts: blanks get their position, repeats get ``[2]``, ``[3]``...

    Returns the keys and a note for every header that had to be renamed.
    """
    keys: list[str] = []
    notes: list[str] = []
    seen: dict[str, int] = {}
    for position, header in enumerate(headers, start=1):
        key = header.strip() or f"(column {position})"
        if key in seen:
            seen[key] += 1
            renamed = f"{key} [{seen[key]}]"
            notes.append(f"column {position}: the header {key!r} repeats an earlier one; read as {renamed!r}")
            key = renamed
        else:
            seen[key] = 1
        keys.append(key)
    return keys, notes


def build_export(
    *,
    platform: str,
    grid: Grid,
    name: str,
    header_rows: int,
    keys: Sequence[str],
    id_key: str | tuple[str, ...] | None,
    is_identifying: Callable[[str], bool],
    is_routine: Callable[[str], bool],
    excluded: Callable[[pd.DataFrame], pd.Series] | None = None,
    partial: Callable[[pd.DataFrame], pd.Series] | None = None,
    labels: Sequence[str] | None = None,
    notes: Collection[str] = (),
) -> SurveyExport:
    """Split a grid's columns into answers, identifying and routine columns."""
    if grid.height <= header_rows:
        raise UnreadableFile(
            name,
            "the file has its header row(s) but no responses.",
            "Check the export's date range and filters on the survey platform, then export again.",
            rule="survey.empty",
        )
    # Arrow-backed strings: every column operation below runs in Arrow rather than per Python object.
    frame = grid.frame(header_rows, keys)
    # A column with no header and no values is an artefact of a trailing delimiter: drop it.
    headers = list(zip(*(grid.row(n) for n in range(header_rows)), strict=True))
    blank = [
        k
        for k, cells in zip(keys, headers, strict=True)
        if not any(c.strip() for c in cells) and not (frame[k].str.strip() != "").any()
    ]
    frame = frame.drop(columns=blank)
    kept = [k for k in keys if k not in blank]
    file_rows = tuple(range(header_rows + 1, header_rows + 1 + len(frame)))
    id_keys = (id_key,) if isinstance(id_key, str) else id_key
    if id_keys:
        first = id_keys[0]
        present = [k for k in id_keys if k in frame.columns]
        if present == [first]:
            ids = tuple(frame[first].str.strip().tolist())
        else:
            ids = tuple(
                "|".join(parts)
                for parts in frame[present].apply(lambda c: c.str.strip()).itertuples(index=False, name=None)
            )
        blank_ids = frame[first].str.strip().eq("").to_numpy(dtype=bool)
        missing = [file_rows[i] for i in np.flatnonzero(blank_ids)]
        if missing:
            raise UnreadableFile(
                f"{name}, column {first!r}",
                f"{len(missing)} response(s) have no response id, so re-imports cannot be matched.",
                "Export the responses again with the platform's response-id column included.",
                rule="survey.missing-response-id",
                failures=tuple(
                    Failure(rule="survey.missing-response-id", problem="no response id", row=r, column=first)
                    for r in missing
                ),
            )
    else:
        # No id column (e.g. Google Forms): a response is identified by everything it holds.
        ids = tuple(
            hashlib.sha256("\x1f".join(row).encode("utf-8")).hexdigest()[:24]
            for row in frame.astype(str).itertuples(index=False, name=None)
        )
    identifying = [k for k in kept if is_identifying(k)]
    routine = [k for k in kept if k not in identifying and (is_routine(k) or k in (id_keys or ()))]
    answers = [k for k in kept if k not in identifying and k not in routine]
    # ``excluded`` gives each response's reason to leave it out ("" to keep it); ``partial`` marks
    # unfinished responses. Both see the whole frame at once.
    reasons = excluded(frame) if excluded is not None else pd.Series("", index=frame.index)
    reasons_at = reasons.to_numpy(dtype=object)
    skipped = {int(p): str(reasons_at[p]) for p in np.flatnonzero(reasons_at.astype(bool))}
    marks = partial(frame).to_numpy(dtype=object) if partial is not None else np.zeros(len(frame), dtype=object)
    unfinished = frozenset(int(p) for p in np.flatnonzero(marks.astype(bool)) if int(p) not in skipped)
    names = dict(zip(keys, labels, strict=True)) if labels is not None else {k: k for k in keys}
    flagged = misdecoded_cells(frame[answers], file_rows, names)
    return SurveyExport(
        platform=platform,
        name=name,
        header_rows=header_rows,
        answers=frame[answers].reset_index(drop=True),
        respondent_ids=ids,
        file_rows=file_rows,
        identifying=frame[identifying].reset_index(drop=True),
        routine=tuple(routine),
        excluded=skipped,
        partial=unfinished,
        column_names={k: names[k] for k in answers},
        notes=(*notes, *flagged),
    )
