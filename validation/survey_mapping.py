"""Mapping a survey export's answer columns onto the evaluation's items, in long, tidy form.

Ratings become scale positions, choices become one row per chosen option, free text is
redacted. Every answer that does not fit its item is listed in one refusal (row and column,
never the answer itself).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import cast

import numpy as np
import pandas as pd
import pyarrow as pa  # type: ignore[import-untyped]

from instruments.errors import ContractViolation, Failure, UnmappedInput
from instruments.evaluation import Evaluation, Instrument, Item
from validation.privacy import Redactor, token_numbers, token_texts
from validation.survey_export import SurveyExport

_SELECTED = frozenset({"1", "true", "checked", "yes", "y", "selected", "x"})
_NOT_SELECTED = frozenset({"0", "false", "unchecked", "no", "n"})
_CODE_PREFIX = re.compile(r"^(\d+)\s*-\s*\S")
KEY_COLUMNS = ["respondent_token", "instrument_id", "cycle_id", "item_id"]


@dataclass(frozen=True)
class MappedAnswers:
    ratings: pd.DataFrame
    choices: pd.DataFrame
    comments: pd.DataFrame


def column_targets(export: SurveyExport, instrument: Instrument) -> dict[str, tuple[str, str]]:
    """Each answer column → (item id, choice or ""), refusing unmapped and doubly mapped columns."""
    mapping = next(m for m in instrument.exports if m.platform == export.platform)
    # Column keys are compared without surrounding spaces (form tools keep stray ones in headers).
    targets = {key.strip(): value for key, value in mapping.columns.items()}
    ignored = {key.strip() for key in mapping.ignore}
    labels = export.column_names
    unmapped = [c for c in export.answers.columns if c.strip() not in targets and c.strip() not in ignored]
    if unmapped:
        listed = ", ".join(repr(c) if labels.get(c, c) == c else f"{labels[c]!r} (id {c})" for c in unmapped)
        raise UnmappedInput(
            f"{export.name}, column(s) {listed}",
            f"these columns are not mapped to any item of instrument {instrument.id!r}, so their "
            "answers would be stored without a meaning.",
            f"Add the column ids to 'exports' of instrument {instrument.id!r} in the evaluation "
            "file (or list them under 'ignore'), then put the file back in the inbox.",
            rule="mapping.unmapped-column",
            failures=tuple(
                Failure(
                    rule="mapping.unmapped-column",
                    problem="column not mapped to an item",
                    column=labels.get(c, c),
                )
                for c in unmapped
            ),
        )
    resolved: dict[str, tuple[str, str]] = {}
    for column in export.answers.columns:
        if column.strip() in ignored:
            continue
        item_id, _, choice = targets[column.strip()].partition("=")
        resolved[column] = (item_id, choice)
    seen: dict[tuple[str, str], str] = {}
    for column, target in resolved.items():
        if target in seen:
            raise UnmappedInput(
                f"{export.name}, columns {labels.get(seen[target], seen[target])!r} and {labels.get(column, column)!r}",
                f"both columns are mapped to item {target[0]!r}"
                + (f" (choice {target[1]!r})" if target[1] else "")
                + ", so one answer would overwrite the other.",
                "Map each column to its own item in the evaluation file (a renamed copy of a question "
                "needs its own item), then put the file back in the inbox.",
                rule="mapping.duplicate-target",
            )
        seen[target] = column
    return resolved


@dataclass(frozen=True)
class _Cells:
    """The answers of some columns for the included respondents, each distinct text held once.

    ``columns`` are in key order; ``codes[i, j]`` is the distinct text that respondent ``i``
    gave in column ``j``, numbered across all columns (``texts`` holds them, stripped);
    ``positions``/``which`` list the non-blank cells in file order (by respondent, then column
    key), the order the long tables have always had.
    """

    columns: list[str]
    texts: list[str]
    bounds: list[int]  # column j's distinct texts are texts[bounds[j]:bounds[j + 1]]
    codes: np.ndarray
    positions: np.ndarray  # the respondent (row of ``codes``) of each non-blank cell
    which: np.ndarray  # the column of each non-blank cell
    text_of_cell: np.ndarray  # the distinct text of each non-blank cell

    def first_seen(self) -> list[int]:
        """Column numbers in the order they first hold an answer (by respondent, then key)."""
        columns, first = np.unique(self.which, return_index=True)  # cells are in file order
        order = np.lexsort((columns, self.positions[first]))
        return [int(c) for c in columns[order]]


def _cells(export: SurveyExport, included: np.ndarray, columns: list[str]) -> _Cells:
    ordered = sorted(columns)
    texts: list[str] = []
    bounds = [0]
    blank: list[bool] = []
    codes = np.empty((len(included), len(ordered)), dtype=np.int64)
    for number, column in enumerate(ordered):
        column_codes, distinct = pd.factorize(export.answers[column], use_na_sentinel=False)
        stripped = pd.Series(distinct).astype("string[pyarrow]").str.strip()
        codes[:, number] = column_codes[included] + len(texts)
        texts.extend(stripped.tolist())
        blank.extend((stripped == "").tolist())
        bounds.append(len(texts))
    answered = ~np.asarray(blank, dtype=bool)[codes] if texts else np.zeros(codes.shape, dtype=bool)
    positions, which = np.nonzero(answered)  # row-major: by respondent, then column key
    return _Cells(ordered, texts, bounds, codes, positions, which, codes[positions, which])


def _categorical(
    codes: np.ndarray, categories: Sequence[str] | pd.CategoricalDtype
) -> pd.Categorical | pd.arrays.ArrowStringArray:
    """The texts ``categories[codes]``: categorical when texts repeat or are shared, else Arrow-backed strings.

    A contract checks a categorical column once per category, so repeats are checked once, and
    categories shared by the tables of one export (the respondent tokens) once for all of them
    (:mod:`validation.conformance`); texts of one column that hardly repeat are checked as fast
    as Arrow strings.
    """
    numbers = cast(Sequence[int], codes)  # the stubs ask for a sequence; an array of codes is what pandas wants
    shared = isinstance(categories, pd.CategoricalDtype)
    if isinstance(categories, pd.CategoricalDtype):
        dtype = categories
    else:
        dtype = pd.CategoricalDtype(pd.Index(list(categories), dtype=object))
    if not shared and 2 * len(dtype.categories) > len(codes):
        values = pa.array(dtype.categories.to_numpy(dtype=object), type=pa.large_string())
        return pd.arrays.ArrowStringArray(values.take(pa.array(codes)))
    return pd.Categorical.from_codes(numbers, dtype=dtype)


def _constant(value: str, length: int) -> pd.Categorical | pd.arrays.ArrowStringArray:
    return _categorical(np.zeros(length, dtype=np.int8), [value])


def _token_categories(numbers: np.ndarray) -> tuple[np.ndarray, pd.CategoricalDtype]:
    """Each included respondent's token code, and the tokens as categories the tables share."""
    distinct, codes = np.unique(numbers, return_inverse=True)
    tokens = pd.Index(token_texts(distinct), dtype=object)
    # Sorted and distinct, the tokens are strictly increasing; asking pandas whether they increase
    # tells it that they are distinct, so it does not hash them all again to check.
    if not tokens.is_monotonic_increasing:
        raise AssertionError("np.unique returns sorted numbers")
    return codes, pd.CategoricalDtype(tokens)


def map_answers(
    export: SurveyExport,
    instrument: Instrument,
    evaluation: Evaluation,
    cycle_id: str,
    salt: str,
    redactor: Redactor,
    include_partial: bool = False,
) -> MappedAnswers:
    """The export's answers as long tables (ratings, choices, redacted comments).

    Text columns are categorical here, each distinct value held once, so that the contracts
    check each distinct value once; :func:`as_stored` turns them into the stored Arrow strings.
    """
    targets = column_targets(export, instrument)
    left_out = np.zeros(len(export.respondent_ids), dtype=bool)
    left_out[list(export.excluded)] = True
    if not include_partial:
        left_out[list(export.partial)] = True
    included = np.flatnonzero(~left_out)
    everyone = len(included) == len(export.respondent_ids)
    ids = export.respondent_ids if everyone else [export.respondent_ids[i] for i in included.tolist()]
    token_codes, token_type = _token_categories(token_numbers(ids, salt))
    failures: list[Failure] = []
    by_kind: dict[str, list[str]] = {"rating": [], "choice": [], "text": []}
    for column, (item_id, _) in targets.items():
        by_kind[instrument.item(item_id).kind].append(column)
    item_of = {c: t[0] for c, t in targets.items()}

    def keyed(cells: _Cells, rows: np.ndarray, cell_of_row: np.ndarray | None = None) -> dict[str, object]:
        cell = rows if cell_of_row is None else cell_of_row
        items = sorted({item_of[c] for c in cells.columns})
        item_codes = np.array([items.index(item_of[c]) for c in cells.columns], dtype=np.int64)
        return {
            "respondent_token": _categorical(token_codes[cells.positions[cell]], token_type),
            "instrument_id": _constant(instrument.id, len(cell)),
            "cycle_id": _constant(cycle_id, len(cell)),
            "item_id": _categorical(item_codes[cells.which[cell]], items),
        }

    ratings = _cells(export, included, by_kind["rating"])
    value_of_text = np.zeros(len(ratings.texts), dtype=np.int64)  # 0: not a point of the scale
    for number, column in enumerate(ratings.columns):
        item = instrument.item(item_of[column])
        scale = evaluation.scale(str(item.scale))
        lookup = {label.casefold(): n for n, label in enumerate(scale.labels, start=1)}
        lookup.update({str(n): n for n in range(1, len(scale.labels) + 1)})
        start, end = ratings.bounds[number], ratings.bounds[number + 1]
        raw = pd.Series(ratings.texts[start:end], dtype="string[pyarrow]")
        # Google Forms writes end-point labels beside the code ("5 - Strongly agree").
        text = raw.str.extract(_CODE_PREFIX, expand=False).fillna(raw)
        value_of_text[start:end] = text.str.casefold().map(lookup).astype("Int64").fillna(0).to_numpy(dtype=np.int64)
    values = value_of_text[ratings.text_of_cell]
    for number in ratings.first_seen() if (values == 0).any() else []:
        column = ratings.columns[number]
        scale = evaluation.scale(str(instrument.item(item_of[column]).scale))
        for cell in np.flatnonzero((ratings.which == number) & (values == 0)).tolist():
            failures.append(
                Failure(
                    rule="scale.unknown-value",
                    problem=f"answer is not one of the {len(scale.labels)} points of scale {scale.id!r}",
                    row=export.file_rows[int(included[ratings.positions[cell]])],
                    column=export.column_names.get(column, column),
                )
            )
    rated = np.flatnonzero(values != 0)
    choices = _cells(export, included, by_kind["choice"])
    option_ids: dict[tuple[str, str], int] = {}
    picked_of_text: list[list[int] | None] = [[] for _ in choices.texts]
    used = np.zeros(len(choices.texts), dtype=bool)
    used[choices.text_of_cell] = True
    for number, column in enumerate(choices.columns):
        item_id, choice = targets[column]
        for code in np.flatnonzero(used[choices.bounds[number] : choices.bounds[number + 1]]).tolist():
            code += choices.bounds[number]
            picked = _picked(instrument.item(item_id), choice, choices.texts[code])
            picked_of_text[code] = (
                None if picked is None else [option_ids.setdefault((item_id, o), len(option_ids)) for o in picked]
            )
    unknown = np.array([p is None for p in picked_of_text], dtype=bool)[choices.text_of_cell]
    for cell in np.flatnonzero(unknown).tolist():
        column = choices.columns[int(choices.which[cell])]
        item_id, _ = targets[column]
        failures.append(
            Failure(
                rule="choice.unknown-value",
                problem=f"answer is not one of the {len(instrument.item(item_id).choices)} choices of item {item_id!r}",
                row=export.file_rows[int(included[choices.positions[cell]])],
                column=export.column_names.get(column, column),
            )
        )
    if failures:
        kinds = sorted({f.rule for f in failures})
        raise ContractViolation(
            export.name,
            f"{len(failures)} answer(s) do not fit their item ("
            + ", ".join(
                {
                    "scale.unknown-value": "not on the response scale",
                    "choice.unknown-value": "not one of the choices",
                }[k]
                for k in kinds
            )
            + ").",
            "Check that the export uses the same scales and choices as the evaluation file (labels, "
            "or codes 1..n); failures.csv lists every row and column.",
            rule=kinds[0],
            failures=tuple(sorted(failures, key=lambda f: (f.row or 0, f.column or ""))),
        )
    rating_table = pd.DataFrame({**keyed(ratings, rated), "value": values[rated]})
    choice_table = _choice_table(choices, picked_of_text, option_ids, token_codes, token_type, instrument.id, cycle_id)
    comments = _cells(export, included, by_kind["text"])
    redacted = _redacted(comments, redactor)
    comment_table = pd.DataFrame({**keyed(comments, np.arange(len(comments.positions))), "text": redacted})
    return MappedAnswers(ratings=rating_table, choices=choice_table, comments=comment_table)


def _choice_table(
    choices: _Cells,
    picked_of_text: list[list[int] | None],
    option_ids: dict[tuple[str, str], int],
    token_codes: np.ndarray,
    token_type: pd.CategoricalDtype,
    instrument_id: str,
    cycle_id: str,
) -> pd.DataFrame:
    """One row per respondent, item and chosen option, in file order, without repeats."""
    lengths = np.array([len(p) if p else 0 for p in picked_of_text], dtype=np.int64)
    flat = np.array([o for p in picked_of_text if p for o in p], dtype=np.int64)
    starts = np.cumsum(lengths) - lengths
    per_cell = lengths[choices.text_of_cell]
    cell_of_row = np.repeat(np.arange(len(per_cell)), per_cell)
    within = np.arange(len(cell_of_row)) - np.repeat(np.cumsum(per_cell) - per_cell, per_cell)
    option_of_row = flat[starts[choices.text_of_cell][cell_of_row] + within] if len(cell_of_row) else flat[:0]
    token_of_row = token_codes[choices.positions[cell_of_row]]
    # An option named twice by one respondent (a;a, or in two columns) is one row.
    first = ~pd.DataFrame({"token": token_of_row, "option": option_of_row}).duplicated().to_numpy()
    options = list(option_ids)
    items = sorted({item for item, _ in options})
    labels = sorted({label for _, label in options})
    item_codes = np.array([items.index(item) for item, _ in options], dtype=np.int64)
    label_codes = np.array([labels.index(label) for _, label in options], dtype=np.int64)
    kept = option_of_row[first]
    return pd.DataFrame(
        {
            "respondent_token": _categorical(token_of_row[first], token_type),
            "instrument_id": _constant(instrument_id, len(kept)),
            "cycle_id": _constant(cycle_id, len(kept)),
            "item_id": _categorical(item_codes[kept], items),
            "choice": _categorical(label_codes[kept], labels),
        }
    )


def _redacted(comments: _Cells, redactor: Redactor) -> pd.Categorical | pd.arrays.ArrowStringArray:
    """The redacted text of each comment; each distinct text is redacted once and counted per use."""
    if not len(comments.text_of_cell):
        return _categorical(np.zeros(0, dtype=np.int64), [])
    uses = np.bincount(comments.text_of_cell, minlength=len(comments.texts))
    outputs: dict[str, int] = {}
    output_of_text = np.full(len(comments.texts), -1, dtype=np.int64)
    totals: dict[str, int] = {}
    scrubbed: dict[str, tuple[str, tuple[tuple[str, int], ...]]] = {}
    for code in np.flatnonzero(uses).tolist():
        raw = comments.texts[code]
        if raw not in scrubbed:
            scrubbed[raw] = redactor.scrub(raw)
        text, found = scrubbed[raw]
        output_of_text[code] = outputs.setdefault(text, len(outputs))
        for kind, count in found:
            totals[kind] = totals.get(kind, 0) + count * int(uses[code])
    for kind, count in totals.items():
        redactor.counts[kind] += count
    return _categorical(output_of_text[comments.text_of_cell], list(outputs))


def as_stored(frame: pd.DataFrame) -> pd.DataFrame:
    """A mapped table as it is stored: categorical text columns become Arrow-backed strings."""
    return as_stored_tables({"": frame})[""]


def as_stored_tables(frames: Mapping[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    """:func:`as_stored` of each table.

    Categories the tables share (the respondent tokens) are turned into Arrow strings once, and
    the columns are spelled out on two threads: Arrow's ``take`` runs without the GIL.
    """
    texts: dict[int, pa.Array] = {}  # by the identity of a categories index the frames keep alive
    spelled: list[tuple[pa.Array, np.ndarray]] = []
    for frame in frames.values():
        for name in frame.columns:
            column = frame[name]
            if isinstance(column.dtype, pd.CategoricalDtype):
                categories = column.cat.categories
                if id(categories) not in texts:
                    texts[id(categories)] = pa.array(categories.to_numpy(dtype=object), type=pa.large_string())
                spelled.append((texts[id(categories)], column.cat.codes.to_numpy()))
    with ThreadPoolExecutor(max_workers=2) as pool:
        strings = iter(list(pool.map(_spelled, spelled)))
    stored = {}
    for table, frame in frames.items():
        columns: dict[str, object] = {}
        for name in frame.columns:
            column = frame[name]
            if isinstance(column.dtype, pd.CategoricalDtype):
                columns[name] = pd.arrays.ArrowStringArray(next(strings))
            else:
                columns[name] = column.array
        stored[table] = pd.DataFrame(columns, index=pd.RangeIndex(len(frame)))
    return stored


#: Rows of the one block a column of a single repeated text is made of.
_BLOCK_ROWS = 1 << 16


def _spelled(job: tuple[pa.Array, np.ndarray]) -> pa.Array | pa.ChunkedArray:
    """``texts[codes]`` as Arrow strings.

    A column that repeats one text (the instrument and cycle ids) is one block of it repeated:
    the same values, without spelling the text out a million times (tens of MB of fresh memory).
    """
    texts, codes = job
    if len(texts) == 1 and len(codes) > _BLOCK_ROWS and not (codes != 0).any():
        block = texts.take(pa.array(np.zeros(_BLOCK_ROWS, dtype=np.int8)))
        whole, rest = divmod(len(codes), _BLOCK_ROWS)
        return pa.chunked_array([block] * whole + [block.slice(0, rest)], type=block.type)
    return texts.take(pa.array(codes))


def _picked(item: Item, choice: str, raw: str) -> list[str] | None:
    """The options an answer selects, or None when it fits none of the item's choices."""
    if choice:  # one column per choice: the cell says whether it was chosen
        token = raw.casefold()
        if token in _SELECTED or item.choice(raw) is not None:
            return [str(item.choice(choice))]
        return [] if token in _NOT_SELECTED else None
    parts = [p for p in re.split(r"\s*;\s*", raw) if p] if item.multiple else [raw]
    found = [item.choice(p) for p in parts]
    return None if any(f is None for f in found) else [str(f) for f in found]
