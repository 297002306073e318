"""Contingency tables of two reviewers' codings: the only thing the agreement statistics need.

Every coefficient in ``analysis.agreement`` is a function of a small table, so nothing here ever
builds a units x codes x reviewers array: the input is read once, in fixed-size blocks of rows,
and the tables themselves are tiny.

Codings are integer arrays in which a blank (a reviewer left the cell empty) is ``-1``:

- binary present/absent codes: ``1`` present, ``0`` absent, shape ``(units, codes)``;
- one nominal variable with ``k`` categories: category numbers ``0 … k-1``, shape ``(units,)``.

**The missing-data rule.** A unit counts for a code only when *both* reviewers gave it a value
for that code. With two reviewers this one rule is both listwise deletion (what Cohen's kappa
needs) and dropping unpairable units (what Krippendorff's alpha prescribes), so every
coefficient of one code is computed on the same units. How many units were dropped is kept in
``BinaryCounts.blank`` so a report can say so.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

BLANK = -1

IntArray = npt.NDArray[np.int64]


@dataclass(frozen=True)
class BinaryCounts:
    """The 2x2 table of one code: how the two reviewers' present/absent decisions combine.

    ``blank`` counts the units left out because at least one reviewer left the cell empty.
    """

    both: int
    only_a: int
    only_b: int
    neither: int
    blank: int = 0

    @property
    def units(self) -> int:
        """Units (segments) coded by both reviewers: the n of every coefficient."""
        return self.both + self.only_a + self.only_b + self.neither

    @property
    def prevalence_a(self) -> float | None:
        """Share of the compared units to which reviewer A applied the code (None if no units)."""
        return None if self.units == 0 else (self.both + self.only_a) / self.units

    @property
    def prevalence_b(self) -> float | None:
        """Share of the compared units to which reviewer B applied the code (None if no units)."""
        return None if self.units == 0 else (self.both + self.only_b) / self.units

    def table(self) -> IntArray:
        """The table with category 0 = absent, 1 = present (rows reviewer A, columns reviewer B)."""
        return np.array([[self.neither, self.only_b], [self.only_a, self.both]], dtype=np.int64)

    def __add__(self, other: BinaryCounts) -> BinaryCounts:
        return BinaryCounts(
            self.both + other.both,
            self.only_a + other.only_a,
            self.only_b + other.only_b,
            self.neither + other.neither,
            self.blank + other.blank,
        )


def _check_codings(codings: npt.ArrayLike, name: str, allowed_max: int) -> npt.NDArray[np.integer]:
    array = np.asarray(codings)
    if not np.issubdtype(array.dtype, np.integer):
        raise TypeError(f"{name} must hold integers (-1 for a blank), got dtype {array.dtype}")
    if array.size and (int(array.min()) < BLANK or int(array.max()) > allowed_max):
        raise ValueError(f"{name} must hold values from -1 (blank) to {allowed_max}")
    return array


def _checked_pair(
    codings_a: npt.ArrayLike, codings_b: npt.ArrayLike
) -> tuple[npt.NDArray[np.integer], npt.NDArray[np.integer]]:
    a = _check_codings(codings_a, "codings_a", 1)
    b = _check_codings(codings_b, "codings_b", 1)
    if a.ndim != 2 or a.shape != b.shape:
        raise ValueError(f"both codings must be (units, codes) arrays of one shape, got {a.shape} and {b.shape}")
    return a, b


def _cells(col_a: npt.NDArray[np.integer], col_b: npt.NDArray[np.integer]) -> npt.NDArray[np.int8]:
    """Each unit's cell of a code's table: 2a + b (0 neither ... 3 both), 4 if either is blank."""
    a8, b8 = col_a.astype(np.int8), col_b.astype(np.int8)
    return np.where((a8 >= 0) & (b8 >= 0), 2 * a8 + b8, 4).astype(np.int8)


def binary_counts(codings_a: npt.ArrayLike, codings_b: npt.ArrayLike, block_units: int = 16_384) -> list[BinaryCounts]:
    """One 2x2 table per code from two ``(units, codes)`` arrays of 1 / 0 / -1 (blank).

    Row ``i`` of both arrays must be the same unit. The arrays are read ``block_units`` rows at a
    time (contiguous in memory), so the extra memory is a few blocks, whatever the number of units.
    """
    a, b = _checked_pair(codings_a, codings_b)
    codes = a.shape[1]
    totals = np.zeros(5 * codes, dtype=np.int64)
    offsets = 5 * np.arange(codes, dtype=np.int64)
    for start in range(0, a.shape[0], block_units):
        cell = _cells(a[start : start + block_units], b[start : start + block_units])
        totals += np.bincount((cell + offsets).ravel(), minlength=5 * codes)
    counts = []
    for neither, only_b, only_a, both, blank in totals.reshape(codes, 5).tolist():
        counts.append(BinaryCounts(both, only_a, only_b, neither, blank))
    return counts


def unit_cells(codings_a: npt.ArrayLike, codings_b: npt.ArrayLike) -> list[npt.NDArray[np.int8]]:
    """Per code, each unit's table cell (one byte per unit and code, like the input itself).

    Only the pooled bootstrap needs this: it must resample whole units across codes.
    """
    a, b = _checked_pair(codings_a, codings_b)
    return [_cells(a[:, column], b[:, column]) for column in range(a.shape[1])]


def nominal_table(codes_a: npt.ArrayLike, codes_b: npt.ArrayLike, categories: int) -> IntArray:
    """The ``k x k`` table of one nominal variable (rows reviewer A, columns reviewer B).

    ``codes_a`` and ``codes_b`` hold category numbers ``0 … categories-1`` per unit, ``-1`` for a
    blank; units with a blank from either reviewer are left out (the missing-data rule above).
    """
    if categories < 2:
        raise ValueError(f"a nominal variable needs at least 2 categories, got {categories}")
    a = _check_codings(codes_a, "codes_a", categories - 1).astype(np.int64).ravel()
    b = _check_codings(codes_b, "codes_b", categories - 1).astype(np.int64).ravel()
    if a.shape != b.shape:
        raise ValueError(f"both reviewers must code the same units, got {a.size} and {b.size} values")
    paired = (a >= 0) & (b >= 0)
    flat = np.bincount(a[paired] * categories + b[paired], minlength=categories * categories)
    return flat.reshape(categories, categories).astype(np.int64)
