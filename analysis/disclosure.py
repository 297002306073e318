"""The exact audit behind complementary suppression: can a withheld cell be worked out?

A table is a grid of counts whose last row and/or last column may be totals. Every published
total ties its line together: the cells of a row add up to the row total, the cells of a column to
the column total (the totals row and totals column included, so the grand total ties them both).
A reader who knows the published cells and these sums knows that the withheld cells are a
solution of a small linear system, each at least its *floor*: 0, or 1 for a count the reader can
tell is not zero (zero counts are shown, so a withheld small count is at least 1). The audit gives
every non-zero withheld count a floor of 1, the most a reader could know.

For each withheld cell the audit solves two linear programmes (scipy ``linprog``, HiGHS): the
smallest and the largest value the cell can take over all solutions above the floors. Every cell
lies in at most two sums (a row and a column), so the matrix is totally unimodular and, with whole
floors and totals, these bounds are attained by whole-number tables: they are exactly what a reader
could deduce about a count. A cell whose smallest and largest values coincide is *disclosed*.

``protect`` adds complementary suppressions until no withheld cell is disclosed (research note
``pdsa_de.md`` §5.2 checks lines, then runs an exact audit; here the exact audit drives every
step, so no line check is needed). The choice is deterministic: for
the first disclosed cell (row by row), the candidates are the published cells that share a sum
with it (one at a time) and the rectangles it is a corner of (the other three corners, since a
rectangle of cells can shift together without changing any sum). Options withholding fewer totals
come first, then fewer zero counts (a zero complement would let a reader bound the hidden count by
its own value), then fewer cells, then a smaller sum of counts, then position. The first option
that makes that cell undisclosed is taken; if none does, the most preferred single cell is
withheld and the audit runs again. This is not a minimum suppression; it is a reproducible one.

The audit's verdicts rest only on published values and the floors; ``protect`` reads a withheld
cell's own value only to skip a programme once two possible values are known.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy.optimize import linprog  # type: ignore[import-untyped]  # scipy ships no stubs

Cell = tuple[int, int]
Grid = npt.NDArray[np.float64]
Mask = npt.NDArray[np.bool_]

_SAME = 0.5  # bounds are whole numbers; below half a count apart means equal


@dataclass(frozen=True)
class Layout:
    """Shape of a grid: whether its last row and its last column are totals."""

    total_row: bool
    total_column: bool

    def sums(self, shape: tuple[int, int]) -> list[tuple[list[Cell], Cell]]:
        """Every published relation: (the cells that add up, the cell holding their total)."""
        rows, cols = shape
        inner_rows = rows - 1 if self.total_row else rows
        inner_cols = cols - 1 if self.total_column else cols
        sums: list[tuple[list[Cell], Cell]] = []
        if self.total_column:
            sums += [([(i, j) for j in range(inner_cols)], (i, cols - 1)) for i in range(rows)]
        if self.total_row:
            sums += [([(i, j) for i in range(inner_rows)], (rows - 1, j)) for j in range(cols)]
        return sums

    def is_total(self, cell: Cell, shape: tuple[int, int]) -> bool:
        return (self.total_row and cell[0] == shape[0] - 1) or (self.total_column and cell[1] == shape[1] - 1)


def feasible_range(
    values: Grid,
    withheld: Mask,
    layout: Layout,
    cell: Cell,
    floors: Grid | None = None,
    *,
    stop_below: float | None = None,
) -> tuple[float, float]:
    """Smallest and largest value of withheld ``cell`` consistent with the published cells and sums.

    ``floors`` gives each cell's lowest possible value (default 0 everywhere). The largest value is
    ``inf`` when nothing published bounds the cell. ``stop_below`` is a value the cell is known to
    be able to take (its own); if the minimum is below it, the cell is not disclosed and the
    second programme is skipped, returning ``(minimum, stop_below)``.
    """
    unknowns = [(int(i), int(j)) for i, j in zip(*np.nonzero(withheld), strict=True)]
    column_of = {c: n for n, c in enumerate(unknowns)}
    equations, rhs = [], []
    for members, total in layout.sums(values.shape):
        row = np.zeros(len(unknowns))
        known = 0.0
        for member, sign in [*((m, 1.0) for m in members), (total, -1.0)]:
            if member in column_of:
                row[column_of[member]] += sign
            else:
                known += sign * float(values[member])
        if row.any():
            equations.append(row)
            rhs.append(-known)
    lowest = [0.0 if floors is None else float(floors[c]) for c in unknowns]
    if not equations:
        return lowest[column_of[cell]], float("inf")
    objective = np.zeros(len(unknowns))
    objective[column_of[cell]] = 1.0
    bounds: list[float] = []
    for direction in (1.0, -1.0):
        solved = linprog(
            direction * objective,
            A_eq=np.array(equations),
            b_eq=np.array(rhs),
            bounds=[(low, None) for low in lowest],
            method="highs",
        )
        if solved.status == 3:  # unbounded: only the maximum can be
            bounds.append(float("inf"))
        elif solved.status != 0:
            raise ValueError(f"the published cells and totals contradict each other ({solved.message})")
        else:
            bounds.append(direction * float(solved.fun))
        if stop_below is not None and bounds[0] < stop_below - _SAME:
            return bounds[0], stop_below  # two values already: the minimum and the known one
    return bounds[0], bounds[1]


def disclosed_cells(values: Grid, withheld: Mask, layout: Layout, floors: Grid | None = None) -> list[Cell]:
    """Withheld cells, row by row, whose value follows exactly from what is published."""
    disclosed = []
    for i, j in zip(*np.nonzero(withheld), strict=True):
        low, high = feasible_range(values, withheld, layout, (int(i), int(j)), floors)
        if high - low < _SAME:
            disclosed.append((int(i), int(j)))
    return disclosed


def protect(values: Grid, withheld: Mask, layout: Layout, floors: Grid | None = None) -> Mask:
    """``withheld`` plus the complementary cells needed so that no withheld cell is disclosed.

    Withholding one more cell only turns a known value into an unknown, so every range can only
    widen: a cell found undisclosed stays undisclosed and is not audited again.
    """
    withheld = withheld.copy()
    safe: set[Cell] = set()
    while True:
        target = None
        for i, j in zip(*np.nonzero(withheld), strict=True):
            cell = (int(i), int(j))
            if cell not in safe:
                low, high = feasible_range(values, withheld, layout, cell, floors, stop_below=_known(values, cell))
                if high - low < _SAME:
                    target = cell
                    break
                safe.add(cell)
        if target is None:
            return withheld
        for cells in _complement_options(values, withheld, layout, target):
            trial = withheld.copy()
            trial[tuple(np.transpose(cells))] = True
            low, high = feasible_range(values, trial, layout, target, floors, stop_below=_known(values, target))
            if high - low >= _SAME:
                withheld = trial
                break
        else:  # no single option frees it yet: take the most preferred one and look again
            withheld[_candidates(values, withheld, layout, target)[0]] = True


def _known(values: Grid, cell: Cell) -> float | None:
    """The cell's own value, when the caller knows it (a shortcut only: it never changes a verdict)."""
    return None if np.isnan(values[cell]) else float(values[cell])


def _complement_options(values: Grid, withheld: Mask, layout: Layout, target: Cell) -> list[list[Cell]]:
    """Sets of published cells that might free ``target``, most preferred first.

    The options are the cells sharing a sum with it, one at a time, then the rectangles it is a
    corner of (the other three corners; a rectangle is a cycle of sums, so it can shift together).
    """
    shape = (int(values.shape[0]), int(values.shape[1]))
    i, j = target
    rectangles = [
        [(i, other_j), (other_i, j), (other_i, other_j)]
        for other_i in range(shape[0])
        for other_j in range(shape[1])
        if other_i != i and other_j != j
    ]
    options = [[cell] for cell in _candidates(values, withheld, layout, target)]
    options += [[c for c in corners if not withheld[c]] for corners in rectangles]
    options = [cells for cells in options if cells]

    def preference(cells: list[Cell]) -> tuple[int, int, int, float, list[Cell]]:
        return (
            sum(layout.is_total(c, shape) for c in cells),
            sum(values[c] == 0 for c in cells),
            len(cells),
            float(sum(values[c] for c in cells)),
            cells,
        )

    return sorted(options, key=preference)


def _candidates(values: Grid, withheld: Mask, layout: Layout, target: Cell) -> list[Cell]:
    shape = (int(values.shape[0]), int(values.shape[1]))
    near = {c for members, total in layout.sums(shape) if target in [*members, total] for c in [*members, total]}
    published = [c for c in near if not withheld[c]]
    if not published:  # disclosed through a longer chain of sums: widen to the whole table
        published = [(int(i), int(j)) for i, j in zip(*np.nonzero(~withheld), strict=True)]

    def preference(cell: Cell) -> tuple[bool, bool, float, Cell]:
        return layout.is_total(cell, shape), values[cell] == 0, float(values[cell]), cell

    return sorted(published, key=preference)
