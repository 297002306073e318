"""Hypothesis strategies shared by the test suite."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
from hypothesis import strategies as st

IntArray = npt.NDArray[np.int64]


@st.composite
def paired_codings(
    draw: st.DrawFn,
    categories: int = 2,
    *,
    min_units: int = 1,
    max_units: int = 60,
    blanks: bool = False,
) -> tuple[IntArray, IntArray]:
    """Two reviewers' category numbers for the same units (-1 = blank when ``blanks``).

    Reviewer B copies A on a drawn share of units and answers at random otherwise, so both high
    and chance-level agreement turn up; a drawn prevalence skew makes rare categories common.
    """
    units = draw(st.integers(min_units, max_units))
    seed = draw(st.integers(0, 2**32 - 1))
    copy_share = draw(st.floats(0.0, 1.0))
    rng = np.random.default_rng(seed)
    weights = rng.dirichlet(np.full(categories, draw(st.sampled_from([0.2, 1.0, 5.0]))))
    a = rng.choice(categories, size=units, p=weights)
    b = np.where(rng.random(units) < copy_share, a, rng.choice(categories, size=units, p=weights))
    if blanks:
        blank_share = draw(st.floats(0.0, 0.3))
        a = np.where(rng.random(units) < blank_share, -1, a)
        b = np.where(rng.random(units) < blank_share, -1, b)
    return a.astype(np.int64), b.astype(np.int64)


@st.composite
def contingency_tables(draw: st.DrawFn, categories: int = 2, max_count: int = 30) -> IntArray:
    """A k x k table of small counts with at least one unit."""
    cells = draw(
        st.lists(st.integers(0, max_count), min_size=categories**2, max_size=categories**2).filter(lambda c: sum(c) > 0)
    )
    return np.array(cells, dtype=np.int64).reshape(categories, categories)


@st.composite
def code_matrices(
    draw: st.DrawFn, *, max_units: int = 40, max_codes: int = 5, blanks: bool = True
) -> tuple[IntArray, IntArray]:
    """Two (units, codes) arrays of 1 / 0 / -1 (blank), one column per code."""
    codes = draw(st.integers(1, max_codes))
    units = draw(st.integers(1, max_units))
    columns = [draw(paired_codings(2, min_units=units, max_units=units, blanks=blanks)) for _ in range(codes)]
    a = np.column_stack([c[0] for c in columns])
    b = np.column_stack([c[1] for c in columns])
    return a, b
