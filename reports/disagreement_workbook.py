"""The disagreement workbook: what two reviewers did not agree on, reconciled by them together.

One row per (segment, code) without an agreed value, i.e. where the two reviewers differ, or
where either left the code blank: both values, the segment's text and context, and a
**Reconciled** dropdown (present/absent), the only editable column. Reading it back gives the
final codings: the agreed values plus the reconciled ones, for every segment and code.

Inputs are plain DataFrames: segments with :data:`reports.workbook.SEGMENT_COLUMNS`, codings with
:data:`reports.reviewer_workbook.CODING_COLUMNS` for both reviewers (as the reviewer workbook
reader gives them). Final codings have the same columns, ``reviewer_id`` being
:data:`RECONCILED` and ``value`` never missing.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from openpyxl.utils import get_column_letter

from instruments.errors import Failure, InputRefused, TamperedWorkbook
from instruments.evaluation import Codebook
from reports.reviewer_workbook import CODING_COLUMNS
from reports.workbook import (
    ABSENT,
    INSTRUCTIONS_SHEET,
    META_SHEET,
    PRESENT,
    SEGMENT_COLUMNS,
    SEGMENT_HEADERS,
    SEGMENT_WIDTHS,
    add_choice_list,
    add_codebook_sheet,
    add_meta_sheet,
    add_table_sheet,
    add_text_sheet,
    check_codebook,
    check_kind_and_cycle,
    check_table,
    code_text,
    fingerprint,
    finish,
    make_editable,
    new_workbook,
    open_workbook,
    parse_choice,
    protect,
    read_meta,
    refuse_cells,
    require_columns,
    require_sheets,
    segment_cells,
)

DISAGREEMENTS_SHEET = "Disagreements"
RECONCILED_HEADER = "Reconciled"
#: ``reviewer_id`` of final codings.
RECONCILED = "reconciled"
NOT_CODED = "(not coded)"
_KIND = "disagreement"


def _grid(
    segments: pd.DataFrame, codings: pd.DataFrame, codebook: Codebook, reviewers: tuple[str, str]
) -> pd.DataFrame:
    """Every segment and code (segment order, then codebook order) with both reviewers' values."""
    require_columns(segments, SEGMENT_COLUMNS, "segments")
    require_columns(codings, CODING_COLUMNS, "codings")
    if len(set(reviewers)) != 2:
        raise ValueError(f"two different reviewers are needed, not {', '.join(reviewers)}")
    index = pd.MultiIndex.from_product(
        [segments["segment_id"].tolist(), [code.id for code in codebook.codes]],
        names=["segment_id", "code_id"],
    )
    grid = pd.DataFrame(index=index)
    for column, reviewer in zip(("a", "b"), reviewers, strict=True):
        mine = codings[codings["reviewer_id"] == reviewer].set_index(["segment_id", "code_id"])["value"]
        grid[column] = mine.astype("boolean").reindex(index)
    return grid.reset_index()


def _open_rows(
    segments: pd.DataFrame, codings: pd.DataFrame, codebook: Codebook, reviewers: tuple[str, str]
) -> list[tuple[str, ...]]:
    """The locked cells of each row of the disagreement sheet."""
    grid = _grid(segments, codings, codebook, reviewers)
    cells = {row["segment_id"]: segment_cells(row) for row in segments.to_dict("records")}
    rows = []
    for segment_id, code_id, a, b in grid.itertuples(index=False):
        if a is pd.NA or b is pd.NA or bool(a) != bool(b):
            _, source, speaker, context, text = cells[segment_id]
            shown = [code_text(v) or NOT_CODED for v in (a, b)]
            rows.append((str(segment_id), str(code_id), source, speaker, context, text, *shown))
    return rows


def _headers(reviewers: tuple[str, str]) -> tuple[str, ...]:
    return (SEGMENT_HEADERS[0], "Code", *SEGMENT_HEADERS[1:], *reviewers, RECONCILED_HEADER)


def _instructions(cycle_id: str, reviewers: tuple[str, str], count: int) -> list[str]:
    a, b = reviewers
    return [
        f"Reconciling the coding of {a} and {b}, cycle {cycle_id}",
        f"This workbook lists the {count} places where {a} and {b} did not give the same answer: "
        "one row per segment and code where they differ, or where either left the code blank.",
        f"Together, read the Text (and its Context), look at both answers and the codebook, agree "
        f"on an answer, and choose it in the Reconciled column: '{PRESENT}' or '{ABSENT}'. Every "
        "row needs an answer: a workbook with a blank Reconciled cell is sent back to you.",
        "Only the Reconciled column can be edited. Do not change the other cells, the headings, "
        "the sheet names or the rows: a workbook changed there is refused, with the cells to put "
        "right.",
        "Agreement between the two reviewers is computed from the workbooks as they were "
        "returned, before reconciliation; reconciling changes the final codes, not the agreement "
        "figures.",
    ]


def write_disagreement_workbook(
    path: Path,
    segments: pd.DataFrame,
    codings: pd.DataFrame,
    codebook: Codebook,
    cycle_id: str,
    reviewers: tuple[str, str],
) -> int:
    """Write the disagreement workbook (atomically); returns how many rows need reconciling."""
    rows = _open_rows(segments, codings, codebook, reviewers)
    headers = _headers(reviewers)
    workbook = new_workbook()
    add_text_sheet(workbook, INSTRUCTIONS_SHEET, _instructions(cycle_id, reviewers, len(rows)))
    widths = (SEGMENT_WIDTHS[0], 16, *SEGMENT_WIDTHS[1:], 14, 14, 16)
    sheet = add_table_sheet(workbook, DISAGREEMENTS_SHEET, headers, widths, ((*r, None) for r in rows))
    make_editable(sheet, len(headers), len(headers), len(rows))
    add_choice_list(sheet, len(headers), len(headers), len(rows))
    protect(sheet)
    add_codebook_sheet(workbook, codebook)
    add_meta_sheet(
        workbook,
        {
            "kind": _KIND,
            "cycle_id": cycle_id,
            "reviewer_ids": ",".join(reviewers),
            "code_ids": ",".join(code.id for code in codebook.codes),
            "fingerprint": fingerprint(rows),
        },
    )
    finish(workbook, path, DISAGREEMENTS_SHEET)
    return len(rows)


def read_disagreement_workbook(
    path: Path,
    segments: pd.DataFrame,
    codings: pd.DataFrame,
    codebook: Codebook,
    cycle_id: str,
    reviewers: tuple[str, str],
) -> pd.DataFrame:
    """Final codings of every segment and code: agreed values, and reconciled ones from ``path``.

    Refuses with :class:`~instruments.errors.TamperedWorkbook` a workbook of another kind, cycle,
    pair of reviewers, codebook or set of codings, or one changed outside the Reconciled column;
    and with :class:`~instruments.errors.InputRefused` (rule ``reconciliation.unfinished``) one
    with Reconciled cells left blank, listing every open cell.
    """
    file = path.name
    rows = _open_rows(segments, codings, codebook, reviewers)
    workbook = open_workbook(path)
    require_sheets(workbook, file, [DISAGREEMENTS_SHEET, META_SHEET])
    record = read_meta(workbook, file, ["kind", "cycle_id", "reviewer_ids", "code_ids", "fingerprint"])
    check_kind_and_cycle(
        record,
        file,
        _KIND,
        cycle_id,
        "this is not a disagreement workbook (it may be a reviewer's coding workbook).",
        f"Put the disagreement workbook of cycle {cycle_id} here instead.",
    )
    if record["reviewer_ids"] != ",".join(reviewers):
        raise TamperedWorkbook(
            file,
            f"this workbook reconciles {record['reviewer_ids'].replace(',', ' and ')}, not {' and '.join(reviewers)}.",
            f"Return the disagreement workbook of {' and '.join(reviewers)} for cycle {cycle_id}.",
            rule="workbook.wrong-reviewer",
        )
    check_codebook(record, file, codebook)
    if record["fingerprint"] != fingerprint(rows):
        raise TamperedWorkbook(
            file,
            "this workbook was made from codings that differ from the reviewers' codings now (a "
            "reviewer workbook was read again after it was made, or its hidden record was edited).",
            "Ask the evaluator for a new disagreement workbook made from the codings as they are now.",
            rule="workbook.codings-changed",
        )
    headers = _headers(reviewers)
    failures, found = check_table(workbook[DISAGREEMENTS_SHEET], headers, rows, key_width=2)
    reconciled: dict[tuple[str, str], bool] = {}
    open_cells: list[Failure] = []
    column = get_column_letter(len(headers))
    for key, (number, (raw,)) in found.items():
        valid, value = parse_choice(raw)
        ref = f"{DISAGREEMENTS_SHEET}!{column}{number}"
        if not valid:
            problem = f"the value is not {PRESENT} or {ABSENT}"
            failures.append(Failure("workbook.value-invalid", problem, number, RECONCILED_HEADER, ref))
        elif value is None:
            problem = "no reconciled answer was chosen"
            open_cells.append(Failure("reconciliation.unfinished", problem, number, RECONCILED_HEADER, ref))
        else:
            reconciled[(key[0], key[1])] = value
    if failures:
        raise refuse_cells(file, DISAGREEMENTS_SHEET, failures)
    if open_cells:
        raise _unfinished(file, open_cells, len(rows))
    final = _grid(segments, codings, codebook, reviewers)
    keys = list(zip(final["segment_id"], final["code_id"], strict=True))
    values = [reconciled.get(key, a) for key, a in zip(keys, final["a"], strict=True)]
    return pd.DataFrame(
        {
            "segment_id": final["segment_id"],
            "code_id": final["code_id"],
            "reviewer_id": RECONCILED,
            "value": pd.array(values, dtype="boolean"),
        }
    )


def _unfinished(file: str, open_cells: list[Failure], total: int) -> InputRefused:
    cells = [f.cell.split("!", 1)[1] for f in open_cells if f.cell]
    named = ", ".join(cells[:5]) + (f" and {len(cells) - 5} more" if len(cells) > 5 else "")
    return InputRefused(
        f"{file}, sheet '{DISAGREEMENTS_SHEET}', cell{'s' if len(cells) > 1 else ''} {named}",
        f"the reconciliation is not finished: {len(open_cells)} of {total} rows have no answer in "
        f"the {RECONCILED_HEADER} column, so the final codes are not known yet.",
        f"Choose {PRESENT} or {ABSENT} in every {RECONCILED_HEADER} cell listed in failures.csv, "
        "then return the workbook again.",
        rule="reconciliation.unfinished",
        failures=tuple(open_cells),
    )
