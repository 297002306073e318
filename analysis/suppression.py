"""Small-cell suppression for published tables (research note ``pdsa_de.md`` §5).

With 3 counsellors, any figure about a small group identifies people. The rules, in order:

1. **Primary**: a count of 1 to k - 1 people is withheld, and so is any statistic (mean, share)
   computed from fewer than k people. Zero counts are shown, following CIHI ("counts of between 1
   and 4 have been suppressed") and the Manitoba Centre for Health Policy (zero not suppressed).
2. **Complementary**: tables are published with their totals, so further cells are withheld until
   no withheld cell can be worked out from the published cells and totals, proved by the exact
   audit in ``analysis.disclosure`` (which also says how complements are chosen).
3. **Percentages** are computed from the published table only, so a percentage of a withheld count,
   or of a withheld total, is withheld too.
4. **Across cycles**: a count published last cycle must not now be published with a change of
   1 to k - 1 (a total rising from 12 to 14 reveals 2 new respondents); such cells are withheld
   now, before the complementary step, which then protects them like small counts. When a whole
   table is published again (a cycle re-published after late answers), :func:`republished_changes`
   lists the counts that changed that little, for the caller to refuse or withhold.

A withheld cell is ``pd.NA`` in the published table; the result counts withheld cells by rule
and never carries their values.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd

from analysis.disclosure import Layout, protect
from instruments.evaluation import PRIVACY_FLOOR

MIN_K = PRIVACY_FLOOR
"""The privacy floor (``instruments.evaluation``): no evaluation setting can lower k below this."""
TOTAL = "Total"
"""Label of the totals row and column that ``suppress_small_cells`` adds."""


@dataclass(frozen=True)
class SuppressedTable:
    """A table ready to publish, withheld cells as ``pd.NA``, with what the privacy note needs."""

    published: pd.DataFrame
    k: int
    primary: int
    complementary: int
    cross_cycle: int = 0

    @property
    def withheld(self) -> int:
        return self.primary + self.complementary + self.cross_cycle

    @property
    def note(self) -> str:
        """The report's privacy note for this table: how many cells, under which rules; no values."""
        small = f"1 to {self.k - 1} people"
        if not self.withheld:
            return f"No cells withheld: no count was of {small}. Zero counts are shown."
        reasons = [f"{self.primary} counting {small}"]
        if self.cross_cycle:
            reasons.append(f"{self.cross_cycle} whose change since the previous report would count {small}")
        if self.complementary:
            reasons.append(f"{self.complementary} more so that none of these can be worked out from the totals")
        listed = reasons[0] if len(reasons) == 1 else ", ".join(reasons[:-1]) + " and " + reasons[-1]
        return f"{self.withheld} of {self.published.size} cells withheld: {listed}. Zero counts are shown."


@dataclass(frozen=True)
class SuppressedStatistics:
    """Statistics ready to publish: those from fewer than k people are ``pd.NA``."""

    published: pd.DataFrame
    k: int
    withheld: int

    @property
    def note(self) -> str:
        withheld = f"{self.withheld} of {self.published.size} figures withheld"
        return f"{withheld}: each rests on fewer than {self.k} people."


def suppress_small_cells(
    counts: pd.DataFrame, k: int = MIN_K, *, previous: pd.DataFrame | None = None
) -> SuppressedTable:
    """Add totals to ``counts`` and withhold what would identify fewer than ``k`` people.

    ``counts`` holds whole, non-negative counts of people, without totals. A "Total" column is added
    when there is more than one column, a "Total" row when there is more than one row. ``previous``
    is the same breakdown as published last cycle (its ``SuppressedTable.published``); when given, a
    cell whose change since then would count 1 to k - 1 people is withheld too (cross-cycle guard).
    """
    _check_threshold(k)
    _check_counts(counts)
    table = counts.astype("int64")
    if counts.shape[1] > 1:
        table[TOTAL] = table.sum(axis=1)
    if counts.shape[0] > 1:
        table.loc[TOTAL] = table.sum(axis=0)
    values = table.to_numpy(dtype=np.float64)
    primary = (values > 0) & (values < k)
    changed = np.zeros_like(primary)
    if previous is not None:
        changed = small_changes(previous, table, k).to_numpy(dtype=bool) & ~primary
    first = primary | changed
    # floors: a reader may know that every withheld non-zero count is at least 1 (zeros are shown)
    withheld = protect(values, first, _layout(table), floors=(values > 0).astype(np.float64))
    return SuppressedTable(
        published=table.astype("Int64").mask(withheld),
        k=k,
        primary=int(primary.sum()),
        complementary=int(withheld.sum() - first.sum()),
        cross_cycle=int(changed.sum()),
    )


def small_changes(previous: pd.DataFrame, current: pd.DataFrame, k: int = MIN_K) -> pd.DataFrame:
    """Cells of ``current`` whose difference from ``previous`` would count 1 to k - 1 people.

    Cells are matched by row and column label; a cell missing from either table, or withheld
    (``NA``) in either, has no published difference and is never flagged. A total rising from 12 to
    14 is flagged: the difference reveals 2 people.
    """
    _check_threshold(k)
    rows = current.index.intersection(previous.index)
    columns = current.columns.intersection(previous.columns)
    change = (current.loc[rows, columns].astype("Int64") - previous.loc[rows, columns].astype("Int64")).abs()
    small = ((change > 0) & (change < k)).astype("boolean").fillna(False).astype(bool)
    return small.reindex(index=current.index, columns=current.columns, fill_value=False)


@dataclass(frozen=True)
class Republished:
    """A count published before that a new version of the same table would change by 1 to k - 1."""

    row: str
    column: str
    before: int
    after: int


def republished_changes(
    before: pd.DataFrame, after: pd.DataFrame, key: Sequence[str], counts: Sequence[str], k: int = MIN_K
) -> tuple[Republished, ...]:
    """Counts of ``after`` that differ by 1 to k - 1 people from the same counts in ``before``.

    ``before`` and ``after`` are two versions of one published table (e.g. a cycle's report
    published again after late answers arrived); rows are matched on ``key``. Read side by side,
    such a change describes those few people: 66 then 68 answers tells what 2 people said.
    Counts withheld (NA) in either version, rows or columns in only one, are never flagged.
    """
    _check_threshold(k)
    columns = [c for c in counts if c in before.columns and c in after.columns]
    if not columns or before.empty or after.empty:
        return ()

    def indexed(frame: pd.DataFrame) -> pd.DataFrame:
        numbers = pd.DataFrame(
            {c: pd.to_numeric(frame[c], errors="coerce").round().astype("Int64").array for c in columns},
            index=pd.Index([" / ".join(str(v) for v in row) for row in frame[list(key)].itertuples(index=False)]),
        )
        return numbers[~numbers.index.duplicated(keep="first")]

    old, new = indexed(before), indexed(after)
    flagged = small_changes(old, new, k)
    found = []
    for row, column in zip(*np.nonzero(flagged.to_numpy()), strict=True):
        label, name = str(flagged.index[row]), str(flagged.columns[column])
        found.append(Republished(label, name, int(old[name][label]), int(new[name][label])))
    return tuple(found)


def shares_revealing_few(shares: pd.Series, n: pd.Series, k: int = MIN_K) -> pd.Series:
    """Where a share published beside its n tells that 1 to k - 1 people were in it, or not in it.

    43% of 7 is 3 people who agreed and 4 who did not: both under k, though n is not. A boolean
    Series on ``shares``' index; a missing share or n is never flagged.
    """
    people = pd.Series(n, index=shares.index).astype("Float64")
    inside = (shares.astype("Float64") * people).round()
    outside = people - inside
    small = ((inside > 0) & (inside < k)) | ((outside > 0) & (outside < k))
    return small.fillna(False).astype(bool)


#: Columns of a cycle's published tables that are not counts of people.
_NOT_COUNTS = frozenset({"mean", "agree_share", "suppressed", "partly_withheld", "outcome", "score", "sessions"})
#: The rows of each published table, and (when not every other column) its counts of people;
#: a table not named here is keyed on ``item_id``.
_TABLE_KEYS: dict[str, tuple[tuple[str, ...], tuple[str, ...] | None]] = {
    "rating_summary.csv": (("instrument_id", "item_id"), ("n",)),
    "predictions.csv": (("question_id",), ("n",)),
    "reach.csv": (("group",), None),
    "implementation_outcomes.csv": (("measure_id",), None),
}


def republished_tables(
    before: Mapping[str, pd.DataFrame], after: Mapping[str, pd.DataFrame], k: int = MIN_K
) -> list[tuple[str, Republished]]:
    """:func:`republished_changes` of each table of a cycle's report published in both versions, by name.

    Each table's rows and counts of people are known by its file name (``rating_summary.csv``,
    ``ratings.csv``...); a table without its key columns is not compared.
    """
    changes = []
    for name, table in sorted(after.items()):
        if name not in before:
            continue
        key, counts = _TABLE_KEYS.get(name, (("item_id",), None))
        if not set(key) <= set(table.columns):
            continue
        if counts is None:
            counts = tuple(c for c in table.columns if c not in key and c not in _NOT_COUNTS)
        changes += [(name, change) for change in republished_changes(before[name], table, key, counts, k)]
    return changes


def percentages(table: SuppressedTable, of: Literal["row", "column", "total"] = "row") -> pd.DataFrame:
    """Percentages of each cell's row total, column total or grand total, from published cells only.

    A percentage is ``pd.NA`` when its count or its denominator is withheld, or the denominator is 0.
    """
    published = table.published.astype("Float64")
    if of == "total":
        grand = float(published.to_numpy(dtype=np.float64, na_value=np.nan)[-1, -1])
        shares = published / grand
    elif of == "row":
        if TOTAL not in published.columns:
            raise ValueError("row percentages need a Total column; this table has a single column")
        shares = published.div(published[TOTAL], axis=0)
    else:
        if TOTAL not in published.index:
            raise ValueError("column percentages need a Total row; this table has a single row")
        shares = published.div(published.loc[TOTAL], axis=1)
    percent = (shares * 100).astype("Float64")
    return percent.mask(~np.isfinite(percent.to_numpy(dtype=np.float64, na_value=np.nan)))


def suppress_statistics(statistics: pd.DataFrame, people: pd.DataFrame, k: int = MIN_K) -> SuppressedStatistics:
    """Withhold each statistic computed from fewer than ``k`` people (``people``: same labels)."""
    _check_threshold(k)
    if not (statistics.index.equals(people.index) and statistics.columns.equals(people.columns)):
        raise ValueError("statistics and their numbers of people must have the same rows and columns")
    small = (people.fillna(0) < k).to_numpy(dtype=bool)
    published = statistics.astype("Float64").mask(small)
    return SuppressedStatistics(published, k, int(small.sum()))


def _layout(table: pd.DataFrame) -> Layout:
    return Layout(total_row=table.index[-1] == TOTAL, total_column=table.columns[-1] == TOTAL)


def _check_threshold(k: int) -> None:
    if isinstance(k, bool) or not isinstance(k, int) or k < MIN_K:
        raise ValueError(
            f"the privacy threshold k must be a whole number of at least {MIN_K} (the evaluation's floor), got {k!r}"
        )


def _check_counts(counts: pd.DataFrame) -> None:
    if counts.empty:
        raise ValueError("the table to suppress is empty; it needs at least one row and one column of counts")
    if TOTAL in counts.index or TOTAL in counts.columns:
        raise ValueError(f"the table already has a {TOTAL!r} row or column; pass counts without totals")
    if not (counts.index.is_unique and counts.columns.is_unique):
        raise ValueError("the table's row and column labels must be unique")
    values = counts.to_numpy(dtype=np.float64, na_value=np.nan)
    if not (np.isfinite(values).all() and (values >= 0).all() and (values == np.round(values)).all()):
        raise ValueError("the table must hold whole, non-negative counts, with no missing cells")
