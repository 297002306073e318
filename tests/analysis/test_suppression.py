"""Small-cell suppression: primary, complementary (with an independent audit), percentages,
statistics, and the cross-cycle guard."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.optimize import Bounds, LinearConstraint, milp  # type: ignore[import-untyped]

from analysis.disclosure import Layout, disclosed_cells, feasible_range
from analysis.suppression import (
    MIN_K,
    TOTAL,
    Republished,
    SuppressedTable,
    percentages,
    republished_changes,
    republished_tables,
    small_changes,
    suppress_small_cells,
    suppress_statistics,
)

ROLES = ["PSW", "counsellor", "manager"]


def _survey() -> pd.DataFrame:
    return pd.DataFrame(
        {"agree": [12, 3, 20], "neutral": [7, 8, 0], "disagree": [9, 10, 11]},
        index=pd.Index(ROLES, name="role"),
    )


def _table(rows: list[list[int]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=[f"c{j}" for j in range(len(rows[0]))])


def _integer_range(published: pd.DataFrame, truth: pd.DataFrame, row: Any, column: Any) -> tuple[float, float]:
    """Independent audit: integer programme (scipy milp) built from the labelled published table.

    The reader is granted the most they could know: zeros are shown, so a withheld count that is
    not zero is at least 1.
    """
    unknowns = [(r, c) for r in published.index for c in published.columns if pd.isna(published.loc[r, c])]
    index = {cell: n for n, cell in enumerate(unknowns)}
    inner_rows = [r for r in published.index if r != TOTAL]
    inner_columns = [c for c in published.columns if c != TOTAL]
    sums: list[list[tuple[tuple[Any, Any], int]]] = []
    if TOTAL in published.columns:
        sums += [[*(((r, c), 1) for c in inner_columns), ((r, TOTAL), -1)] for r in published.index]
    if TOTAL in published.index:
        sums += [[*(((r, c), 1) for r in inner_rows), ((TOTAL, c), -1)] for c in published.columns]
    matrix, rhs = [], []
    for terms in sums:
        coefficients = np.zeros(len(unknowns))
        known = 0.0
        for cell, sign in terms:
            if cell in index:
                coefficients[index[cell]] += sign
            else:
                known += sign * float(published.loc[cell])
        if coefficients.any():
            matrix.append(coefficients)
            rhs.append(-known)
    floors = np.array([1.0 if truth.loc[cell] > 0 else 0.0 for cell in unknowns])
    if not matrix:
        return float(floors[index[(row, column)]]), float("inf")
    constraint = LinearConstraint(np.array(matrix), np.array(rhs), np.array(rhs))
    result = []
    for direction in (1, -1):
        objective = np.zeros(len(unknowns))
        objective[index[(row, column)]] = direction
        solved = milp(objective, constraints=constraint, integrality=np.ones(len(unknowns)), bounds=Bounds(lb=floors))
        # the minimum always exists (the true table is a solution); HiGHS reports an unbounded
        # maximum as 3 or 4 ("unbounded or infeasible")
        assert solved.status == 0 or (direction == -1 and solved.status in (3, 4)), solved.message
        result.append(direction * solved.fun if solved.status == 0 else float("inf"))
        if result[0] < truth.loc[row, column]:  # already two values: the true one and the minimum
            return result[0], float(truth.loc[row, column])
    return result[0], result[1]


def _true_table(counts: pd.DataFrame) -> pd.DataFrame:
    full = counts.copy()
    if counts.shape[1] > 1:
        full[TOTAL] = full.sum(axis=1)
    if counts.shape[0] > 1:
        full.loc[TOTAL] = full.sum(axis=0)
    return full


def _assert_safe(result: SuppressedTable, counts: pd.DataFrame) -> None:
    truth = _true_table(counts)
    published = result.published
    assert published.index.equals(truth.index)
    assert published.columns.equals(truth.columns)
    shown = published.notna()
    assert (published[shown] == truth[shown]).fillna(True).all().all(), "a published value was changed"
    small = (truth > 0) & (truth < result.k)
    assert not (shown & small).any().any(), "a count of 1 to k - 1 people was published"
    assert result.withheld == int((~shown).sum().sum())
    for row, column in zip(*np.nonzero((~shown).to_numpy()), strict=True):
        low, high = _integer_range(published, truth, published.index[row], published.columns[column])
        assert high > low, f"withheld cell ({published.index[row]}, {published.columns[column]}) is disclosed"


def test_the_worked_example_withholds_the_small_count_and_a_rectangle_around_it() -> None:
    result = suppress_small_cells(_survey())
    expected = pd.DataFrame(
        {
            "agree": [pd.NA, pd.NA, 20, 35],
            "neutral": [pd.NA, pd.NA, 0, 15],
            "disagree": [9, 10, 11, 30],
            TOTAL: [28, 21, 31, 80],
        },
        index=pd.Index([*ROLES, TOTAL], name="role"),
        dtype="Int64",
    )
    pd.testing.assert_frame_equal(result.published, expected)
    assert (result.primary, result.complementary, result.cross_cycle) == (1, 3, 0)
    assert result.note == (
        "4 of 16 cells withheld: 1 counting 1 to 4 people and 3 more so that none of these can be "
        "worked out from the totals. Zero counts are shown."
    )
    _assert_safe(result, _survey())


def test_zero_counts_are_shown_and_small_totals_are_withheld() -> None:
    result = suppress_small_cells(_table([[0, 2], [0, 30]]))
    assert result.published.loc[0, "c0"] == 0
    assert pd.isna(result.published.loc[0, TOTAL])
    assert pd.isna(result.published.loc[0, "c1"])
    _assert_safe(result, _table([[0, 2], [0, 30]]))


def test_a_table_with_nothing_small_is_published_whole() -> None:
    result = suppress_small_cells(_table([[5, 6], [7, 0]]), k=5)
    assert result.withheld == 0
    assert result.note == "No cells withheld: no count was of 1 to 4 people. Zero counts are shown."
    assert result.published.loc[TOTAL, TOTAL] == 18


def test_a_single_column_gets_a_total_row_only_and_a_complement_in_it() -> None:
    counts = pd.DataFrame({"n": [3, 10, 12]})
    result = suppress_small_cells(counts)
    assert list(result.published.columns) == ["n"]
    assert result.published["n"].tolist() == [pd.NA, pd.NA, 12, 25]
    _assert_safe(result, counts)


def test_two_withheld_ones_are_protected_because_a_reader_knows_withheld_counts_are_not_zero() -> None:
    # 30 - 28 = 2 left for two withheld cells; zeros are shown, so both would have to be 1
    counts = pd.DataFrame({"n": [1, 1, 28]})
    result = suppress_small_cells(counts)
    assert result.published["n"].tolist() == [pd.NA, pd.NA, pd.NA, 30]
    assert (result.primary, result.complementary) == (2, 1)
    _assert_safe(result, counts)


def test_the_audit_sees_a_cell_fixed_by_its_row_total() -> None:
    values = np.array([[3.0, 10.0, 13.0]])
    layout = Layout(total_row=False, total_column=True)
    alone = np.array([[True, False, False]])
    assert feasible_range(values, alone, layout, (0, 0)) == (3.0, 3.0)
    assert disclosed_cells(values, alone, layout) == [(0, 0)]
    pair = np.array([[True, True, False]])
    assert feasible_range(values, pair, layout, (0, 0)) == (0.0, 13.0)
    unbounded = np.array([[True, True, True]])
    assert feasible_range(values, unbounded, layout, (0, 0)) == (0.0, float("inf"))
    floors = np.array([[1.0, 1.0, 1.0]])
    assert feasible_range(np.array([[1.0, 1.0, 2.0]]), pair, layout, (0, 0), floors) == (1.0, 1.0)


tables = st.integers(min_value=1, max_value=4).flatmap(
    lambda rows: st.integers(min_value=1, max_value=4).flatmap(
        lambda cols: st.lists(
            st.lists(st.integers(min_value=0, max_value=14), min_size=cols, max_size=cols),
            min_size=rows,
            max_size=rows,
        )
    )
)


@settings(max_examples=30, deadline=None)
@given(rows=tables, k=st.sampled_from([5, 6, 10]))
def test_no_withheld_cell_can_be_worked_out_from_the_published_table(rows: list[list[int]], k: int) -> None:
    counts = _table(rows)
    _assert_safe(suppress_small_cells(counts, k=k), counts)


@settings(max_examples=20, deadline=None)
@given(rows=st.lists(st.lists(st.integers(0, 6), min_size=2, max_size=2), min_size=2, max_size=2))
def test_brute_force_finds_two_tables_for_every_withheld_cell_of_a_2x2_table(rows: list[list[int]]) -> None:
    counts = _table(rows)
    published = suppress_small_cells(counts).published.to_numpy(dtype=np.float64, na_value=np.nan)
    limit = int(counts.to_numpy().sum()) + 2
    a, b, c, d = (axis.ravel() for axis in np.meshgrid(*[np.arange(limit + 1)] * 4, indexing="ij"))
    # every 2x2 table with cells up to `limit`, laid out like the published grid (totals last)
    candidates = np.stack([a, b, a + b, c, d, c + d, a + c, b + d, a + b + c + d], axis=1).astype(np.float64)
    flat = published.ravel()
    truth = candidates[(a == rows[0][0]) & (b == rows[0][1]) & (c == rows[1][0]) & (d == rows[1][1])][0]
    # the reader knows published cells, and that a withheld count that is not zero is at least 1
    matches = np.where(np.isnan(flat), (truth == 0) | (candidates >= 1), candidates == flat)
    consistent = candidates[np.all(matches, axis=1)]
    assert len(consistent) >= 1, "the true table must be among the candidates"
    for position in np.flatnonzero(np.isnan(flat)):
        assert len(np.unique(consistent[:, position])) >= 2, f"cell {divmod(position, 3)} has one possible value"


def test_percentages_of_withheld_counts_or_totals_are_withheld() -> None:
    result = suppress_small_cells(_survey())
    by_row = percentages(result, of="row")
    assert by_row.loc["manager", "agree"] == pytest.approx(100 * 20 / 31)
    assert by_row.loc["manager", "neutral"] == 0
    assert by_row.loc[TOTAL, TOTAL] == 100
    assert by_row.isna().equals(result.published.isna())
    by_column = percentages(result, of="column")
    assert by_column.loc["counsellor", TOTAL] == pytest.approx(100 * 21 / 80)
    assert by_column.isna().equals(result.published.isna())
    assert percentages(result, of="total").loc["manager", "disagree"] == pytest.approx(100 * 11 / 80)
    small_total = suppress_small_cells(_table([[1, 2], [10, 20]]))
    assert percentages(small_total, of="row").loc[0].isna().all()


def test_a_percentage_of_a_zero_total_is_not_given() -> None:
    result = suppress_small_cells(_table([[0, 0], [10, 20]]))
    assert percentages(result, of="row").loc[0].isna().all()
    assert percentages(result, of="row").loc[1, "c0"] == pytest.approx(100 / 3)


def test_statistics_from_fewer_than_k_people_are_withheld() -> None:
    means = pd.DataFrame({"mean": [3.2, 4.1, 2.5]}, index=ROLES)
    people = pd.DataFrame({"mean": [12, 3, 5]}, index=ROLES)
    result = suppress_statistics(means, people)
    assert result.published["mean"].tolist() == [3.2, pd.NA, 2.5]
    assert result.note == "1 of 3 figures withheld: each rests on fewer than 5 people."
    assert suppress_statistics(means, people, k=10).withheld == 2


def test_a_total_rising_by_two_since_last_cycle_is_withheld_with_its_reason() -> None:
    first = suppress_small_cells(pd.DataFrame({"n": [6, 6]}, index=["PSW", "manager"]))
    assert first.published.loc[TOTAL, "n"] == 12
    second = suppress_small_cells(pd.DataFrame({"n": [8, 6]}, index=["PSW", "manager"]), previous=first.published)
    # PSW 6 -> 8 and the total 12 -> 14 would each reveal 2 people; withheld together, neither
    # follows from the manager count, which did not change and stays published.
    assert second.published["n"].tolist() == [pd.NA, 6, pd.NA]
    assert (second.primary, second.cross_cycle, second.complementary) == (0, 2, 0)
    assert second.note == (
        "2 of 3 cells withheld: 0 counting 1 to 4 people and 2 whose change since the previous "
        "report would count 1 to 4 people. Zero counts are shown."
    )


def test_changes_of_k_or_more_or_of_zero_are_published() -> None:
    first = suppress_small_cells(_table([[10, 20], [30, 40]]))
    second = suppress_small_cells(_table([[15, 20], [30, 45]]), previous=first.published)
    assert second.withheld == 0


@settings(max_examples=15, deadline=None)
@given(before=tables, change=st.lists(st.integers(-6, 6), min_size=16, max_size=16))
def test_the_cross_cycle_guard_leaves_no_small_change_and_no_disclosed_cell(
    before: list[list[int]], change: list[int]
) -> None:
    first = suppress_small_cells(_table(before))
    after_rows = [[max(0, v + change[4 * i + j]) for j, v in enumerate(row)] for i, row in enumerate(before)]
    counts = _table(after_rows)
    second = suppress_small_cells(counts, previous=first.published)
    _assert_safe(second, counts)
    difference = (second.published - first.published).abs()
    assert not ((difference > 0) & (difference < 5)).fillna(False).any().any()


def test_small_changes_flags_differences_of_1_to_k_minus_1_between_published_cells() -> None:
    previous = pd.DataFrame({"n": [12, pd.NA, 7, 30]}, index=["a", "b", "c", "d"], dtype="Int64")
    current = pd.DataFrame({"n": [14, 9, 7, 25], "m": [1, 1, 1, 1]}, index=["a", "b", "c", "e"])
    flagged = small_changes(previous, current)
    expected = pd.DataFrame({"n": [True, False, False, False], "m": [False] * 4}, index=["a", "b", "c", "e"])
    pd.testing.assert_frame_equal(flagged, expected)
    assert small_changes(previous, current, k=10).loc["a", "n"]


def test_a_table_published_again_names_each_count_that_changed_by_fewer_than_k_people() -> None:
    before = pd.DataFrame(
        {
            "instrument_id": ["fb", "fb", "fb", "fb"],
            "item_id": ["safe", "clear", "helped", "gone"],
            "n": [66, 70, None, 12],
            "Agree": [40, 41, 30, 5],
            "mean": [3.9, 4.0, 4.1, 3.0],
        }
    )
    after = pd.DataFrame(
        {
            "instrument_id": ["fb", "fb", "fb", "fb"],
            "item_id": ["safe", "clear", "helped", "new"],
            "n": [68, 75, 71, 9],
            "Agree": [40, 45, 33, 4],
            "mean": [3.7, 4.1, 4.0, 3.2],
        }
    )
    changes = republished_changes(before, after, ["instrument_id", "item_id"], ["n", "Agree"])
    # safe: 2 more people; clear: 5 more (k), 4 more agreeing; helped: n withheld before, 3 more agreeing.
    assert changes == (
        Republished("fb / safe", "n", 66, 68),
        Republished("fb / clear", "Agree", 41, 45),
        Republished("fb / helped", "Agree", 30, 33),
    )
    assert republished_changes(before, before, ["instrument_id", "item_id"], ["n", "Agree"]) == ()
    assert republished_changes(before, after, ["instrument_id", "item_id"], ["mean"]) == ()


def test_each_table_of_a_republished_cycle_is_compared_on_its_own_rows_and_counts() -> None:
    ratings = pd.DataFrame({"item_id": ["safe"], "n": [20], "suppressed": [False], "Agree": [12]})
    reach = pd.DataFrame({"group": ["Grief"], "responses": [40], "sessions": [10]})
    before = {"ratings.csv": ratings.astype(str), "reach.csv": reach.astype(str)}
    after = {
        "ratings.csv": ratings.assign(n=22, Agree=14),  # 2 more people, 2 more agreeing
        "reach.csv": reach.assign(sessions=12),  # sessions are not people
        "concerns.csv": ratings.assign(n=21),  # never published before
    }
    assert republished_tables(before, after) == [
        ("ratings.csv", Republished("safe", "n", 20, 22)),
        ("ratings.csv", Republished("safe", "Agree", 12, 14)),
    ]


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (
            lambda: suppress_small_cells(_survey(), k=3),
            "the privacy threshold k must be a whole number of at least 5 (the evaluation's floor), got 3",
        ),
        (
            lambda: suppress_statistics(pd.DataFrame({"a": [1.0]}), pd.DataFrame({"a": [9]}), k=True),
            "the privacy threshold k must be a whole number of at least 5 (the evaluation's floor), got True",
        ),
        (
            lambda: suppress_small_cells(pd.DataFrame()),
            "the table to suppress is empty; it needs at least one row and one column of counts",
        ),
        (
            lambda: suppress_small_cells(pd.DataFrame({TOTAL: [9]})),
            "the table already has a 'Total' row or column; pass counts without totals",
        ),
        (
            lambda: suppress_small_cells(pd.DataFrame([[1, 2]], columns=["a", "a"])),
            "the table's row and column labels must be unique",
        ),
        (
            lambda: suppress_small_cells(_table([[1, -2]])),
            "the table must hold whole, non-negative counts, with no missing cells",
        ),
        (
            lambda: suppress_small_cells(_table([[1.5, 2]])),  # type: ignore[list-item]
            "the table must hold whole, non-negative counts, with no missing cells",
        ),
        (
            lambda: percentages(suppress_small_cells(pd.DataFrame({"n": [9, 9]})), of="row"),
            "row percentages need a Total column; this table has a single column",
        ),
        (
            lambda: percentages(suppress_small_cells(_table([[9, 9]])), of="column"),
            "column percentages need a Total row; this table has a single row",
        ),
        (
            lambda: suppress_statistics(pd.DataFrame({"a": [1.0]}), pd.DataFrame({"b": [9]})),
            "statistics and their numbers of people must have the same rows and columns",
        ),
    ],
)
def test_impossible_requests_are_refused_with_a_precise_message(call: Any, message: str) -> None:
    with pytest.raises(ValueError) as raised:
        call()
    assert str(raised.value) == message


def test_the_guide_quotes_the_privacy_note_as_the_code_writes_it() -> None:
    guide_file = Path(__file__).resolve().parents[2] / "docs" / "run-charts-and-suppression.md"
    guide = guide_file.read_text(encoding="utf-8")
    assert f"> {suppress_small_cells(_survey()).note}\n" in guide
    assert f"never lowered below {MIN_K}" in guide
