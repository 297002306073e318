"""Telling quickly that a table meets its contract, so that pandera only runs to explain a failure.

pandera checks a column of text one Python object at a time (its ``str`` dtype check alone calls
a function per cell), which costs about a second on the million-row long table of a 100k-response
export. The contracts themselves do not change: :func:`passes` reads the model's own schema and
applies its own :class:`~pandera.api.checks.Check` objects, but to each distinct text once (a
categorical column holds them once), and checks the key's uniqueness on integer codes.

Its answer is only ever "this table passes for certain" or "not sure": a schema option, dtype or
check it does not know, a missing value, a repeated key, any value that fails, all give "not
sure", and :func:`~validation.contracts.validate_table` then runs pandera, which decides and
words the refusal exactly as it always did.
"""

from __future__ import annotations

import re
import weakref
from collections.abc import Sequence

import numpy as np
import pandas as pd
from pandera.api.checks import Check
from pandera.api.pandas.components import Column
from pandera.api.pandas.container import DataFrameSchema
from pandera.engines import numpy_engine, pandas_engine

#: Built-in checks that judge each value on its own, so that judging each distinct value once
#: gives the same verdict as judging every cell.
ELEMENT_WISE = frozenset(
    {
        "equal_to",
        "not_equal_to",
        "greater_than",
        "greater_than_or_equal_to",
        "less_than",
        "less_than_or_equal_to",
        "in_range",
        "isin",
        "notin",
        "str_matches",
        "str_contains",
        "str_startswith",
        "str_endswith",
        "str_length",
    }
)
#: The largest product of key cardinalities that still fits one int64 code per row.
_CODE_SPACE = 2**62

# Categories (a pandas Index, immutable) already found to pass a check: the long tables of one
# export share their token categories, which are then checked once, not once per table.
_passed: dict[int, tuple[weakref.ref[pd.Index], set[str]]] = {}


def passes(schema: DataFrameSchema, frame: pd.DataFrame) -> bool:
    """Whether ``frame`` certainly passes ``schema``; False means "let pandera decide"."""
    if not _plain(schema) or len(frame) == 0:
        return False
    names = list(frame.columns)
    if len(set(names)) != len(names) or set(names) != set(schema.columns):
        return False
    if not all(isinstance(name, str) for name in names):
        return False
    for name, column in schema.columns.items():
        if not _column_passes(column, frame[name]):
            return False
    return not schema.unique or _distinct_rows(
        frame, [schema.unique] if isinstance(schema.unique, str) else schema.unique
    )


def _plain(schema: DataFrameSchema) -> bool:
    """Whether the schema uses only what :func:`passes` knows how to judge."""
    return (
        schema.strict is True
        and not schema.checks
        and schema.index is None
        and schema.dtype is None
        and not schema.coerce
        and not schema.ordered
        and not schema.parsers
        and not schema.add_missing_columns
        and not schema.drop_invalid_rows
    )


def _column_passes(column: Column, series: pd.Series) -> bool:
    if column.regex or not column.required or column.coerce or column.unique or column.parsers:
        return False
    if column.default is not None:
        return False
    dtype = series.dtype
    distinct: pd.Series | None = None  # the distinct values the checks are applied to
    categories: pd.Index | None = None
    if isinstance(column.dtype, pandas_engine.NpString):
        if isinstance(dtype, pd.CategoricalDtype):
            categories = dtype.categories
            if categories.dtype != object or pd.api.types.infer_dtype(categories, skipna=False) != "string":
                return False
            if (series.cat.codes.to_numpy() < 0).any():
                return False  # a missing value: nullable or not, pandera decides
        elif isinstance(dtype, pd.StringDtype):
            if series.isna().any():
                return False
        elif dtype == np.dtype(object):
            if pd.api.types.infer_dtype(series, skipna=False) != "string":
                return False  # a missing value or something other than text
        else:
            return False
    elif isinstance(column.dtype, numpy_engine.Int64):
        if dtype != np.dtype("int64"):
            return False
    elif isinstance(column.dtype, numpy_engine.Float64):
        if dtype != np.dtype("float64") or (not column.nullable and series.isna().any()):
            return False
    else:
        return False
    if categories is not None:
        distinct = pd.Series(categories.to_numpy(dtype=object), dtype=object)
    for check in column.checks:
        if not _element_wise(check):
            return False
        if categories is not None and _known_to_pass(categories, check):
            continue
        try:
            passed = _check_passes(check, distinct if distinct is not None else series)
        except Exception:  # a check that cannot run on these values: pandera words it
            return False
        if not passed:
            return False
        if categories is not None:
            _remember(categories, check)
    return True


def _check_passes(check: Check, values: pd.Series) -> bool:
    """Whether every value passes ``check``, as pandera's own implementation of it decides."""
    pattern = (check.statistics or {}).get("pattern")
    if check.name == "str_matches" and pattern is not None and values.dtype == np.dtype(object):
        # pandera's str_matches is pandas' str.match, which for Python strings (checked above) is
        # re.match from the start of each text; one C loop instead of a Python call per text.
        regex = re.compile(pattern)
        return all(map(regex.match, values.to_numpy()))  # a match is truthy, None is not
    return bool(check(values).check_passed)


def _element_wise(check: Check) -> bool:
    function = getattr(check, "_check_fn", None)
    return (
        check.name in ELEMENT_WISE
        and getattr(function, "__name__", None) == check.name
        and Check.is_builtin_check(check.name)
        and check.groupby is None
        and not check.element_wise
    )


def _verdict_key(check: Check) -> str:
    """What a built-in check's verdict depends on: its name and its arguments (not which model holds it)."""
    return f"{check.name}{check.statistics!r}"


def _known_to_pass(categories: pd.Index, check: Check) -> bool:
    entry = _passed.get(id(categories))
    return entry is not None and entry[0]() is categories and _verdict_key(check) in entry[1]


def _remember(categories: pd.Index, check: Check) -> None:
    key = id(categories)
    entry = _passed.get(key)
    if entry is None or entry[0]() is not categories:
        reference = weakref.ref(categories, lambda _: _passed.pop(key, None))
        entry = (reference, set())
        _passed[key] = entry
    entry[1].add(_verdict_key(check))


def _distinct_rows(frame: pd.DataFrame, key: Sequence[str]) -> bool:
    """Whether no two rows share their values in the ``key`` columns."""
    combined = np.zeros(len(frame), dtype=np.int64)
    span = 1
    for name in key:
        series = frame[name]
        if isinstance(series.dtype, pd.CategoricalDtype):
            codes = series.cat.codes.to_numpy().astype(np.int64)
            size = len(series.cat.categories) + 1
            codes += 1  # a missing value (-1) is a value of its own, as pandas' duplicated sees it
        else:
            codes, distinct = pd.factorize(series, use_na_sentinel=False)
            size = max(len(distinct), 1)
        span *= size
        if span >= _CODE_SPACE:
            return not frame[list(key)].duplicated().any()
        combined = combined * size + codes
    if (combined[1:] > combined[:-1]).all():
        return True  # rows in key order (as the survey mapping writes them) are distinct at a glance
    ordered = np.sort(combined)
    return not (ordered[1:] == ordered[:-1]).any()
