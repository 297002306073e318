"""Two-reviewer coefficients: cross-checked against independent packages on random codings,
their properties, and the exact words used when one cannot be computed."""

from __future__ import annotations

from collections.abc import Callable

import krippendorff
import numpy as np
import numpy.typing as npt
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy import stats  # type: ignore[import-untyped]
from sklearn.metrics import accuracy_score, cohen_kappa_score, f1_score
from statsmodels.stats.inter_rater import cohens_kappa, fleiss_kappa

from analysis import coefficients as co
from analysis import multirater, standard_errors
from analysis.contingency import binary_counts, nominal_table
from instruments.errors import InsufficientData
from tests.strategies import contingency_tables, paired_codings

FEW = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
IntArray = npt.NDArray[np.int64]
CHANCE_CORRECTED = [co.cohen_kappa, co.scott_pi, co.krippendorff_alpha]
ALWAYS_DEFINED = [co.percent_agreement, co.gwet_ac1, co.brennan_prediger]


def _varied(a: IntArray, b: IntArray) -> bool:
    paired = (a >= 0) & (b >= 0)
    return len(set(a[paired].tolist())) > 1 and len(set(b[paired].tolist())) > 1


# --- differential: independent packages on random codings ------------------------------------


@FEW
@given(st.integers(2, 6).flatmap(lambda k: st.tuples(st.just(k), paired_codings(k, min_units=2))))
def test_kappa_equals_scikit_learn_and_statsmodels(case: tuple[int, tuple[IntArray, IntArray]]) -> None:
    k, (a, b) = case
    table = nominal_table(a, b, k)
    if not _varied(a, b):
        with pytest.raises(InsufficientData):
            co.cohen_kappa(table)
        return
    ours = co.cohen_kappa(table)
    assert ours == pytest.approx(cohen_kappa_score(a, b), abs=1e-12)
    assert ours == pytest.approx(cohens_kappa(table, return_results=False), abs=1e-12)


@FEW
@given(st.integers(2, 6).flatmap(lambda k: st.tuples(st.just(k), paired_codings(k, blanks=True))))
def test_alpha_equals_the_krippendorff_package_with_blanks_dropped(
    case: tuple[int, tuple[IntArray, IntArray]],
) -> None:
    k, (a, b) = case
    table = nominal_table(a, b, k)
    if table.sum() == 0 or not _varied(a, b):
        with pytest.raises(InsufficientData):
            co.krippendorff_alpha(table)
        return
    data = np.vstack([a, b]).astype(float)
    data[data < 0] = np.nan
    expected = krippendorff.alpha(data, level_of_measurement="nominal", value_domain=list(range(k)))
    assert co.krippendorff_alpha(table) == pytest.approx(expected, abs=1e-9)


@FEW
@given(st.integers(2, 5).flatmap(lambda k: st.tuples(st.just(k), paired_codings(k, min_units=2))))
def test_pi_and_brennan_prediger_equal_statsmodels_fleiss_and_randolph(
    case: tuple[int, tuple[IntArray, IntArray]],
) -> None:
    k, (a, b) = case
    table = nominal_table(a, b, k)
    counts = multirater.rating_counts(np.vstack([a, b]), k)
    assert co.brennan_prediger(table) == pytest.approx(fleiss_kappa(counts, method="randolph"), abs=1e-12)
    if _varied(a, b):
        assert co.scott_pi(table) == pytest.approx(fleiss_kappa(counts, method="fleiss"), abs=1e-12)


def _ac1_unit_by_unit(a: IntArray, b: IntArray, k: int) -> float:
    """Gwet's AC1 straight from the definition, one unit at a time (no tables)."""
    agree = sum(1 for x, y in zip(a, b, strict=True) if x == y) / len(a)
    shares = [(list(a).count(c) + list(b).count(c)) / (2 * len(a)) for c in range(k)]
    chance = sum(p * (1 - p) for p in shares) / (k - 1)
    return (agree - chance) / (1 - chance)


@FEW
@given(st.integers(2, 5).flatmap(lambda k: st.tuples(st.just(k), paired_codings(k))))
def test_ac1_equals_its_definition_and_the_many_rater_path(
    case: tuple[int, tuple[IntArray, IntArray]],
) -> None:
    # irrCAC (the package that computes AC1) cannot be installed beside our scipy; the unit-by-unit
    # definition and the counts-based many-rater code are two independent computations instead.
    k, (a, b) = case
    table = nominal_table(a, b, k)
    ours = co.gwet_ac1(table)
    assert ours == pytest.approx(_ac1_unit_by_unit(a, b, k), abs=1e-12)
    assert ours == pytest.approx(multirater.many_gwet_ac1(multirater.rating_counts(np.vstack([a, b]), k)))


@FEW
@given(paired_codings(2))
def test_percent_positive_and_negative_agreement_equal_accuracy_and_f1_in_scikit_learn(
    codings: tuple[IntArray, IntArray],
) -> None:
    # positive agreement 2a / (2a + b + c) is the F1 score of one reviewer against the other
    a, b = codings
    table = nominal_table(a, b, 2)
    assert co.percent_agreement(table) == pytest.approx(accuracy_score(a, b), abs=1e-12)
    for function, label in ((co.positive_agreement, 1), (co.negative_agreement, 0)):
        value = _value(function, table)
        if value is None:
            assert not np.any((a == label) | (b == label))
        else:
            assert value == pytest.approx(f1_score(a, b, pos_label=label, zero_division=0.0), abs=1e-12)


# --- properties --------------------------------------------------------------------------------

ALL_BINARY: list[Callable[..., float]] = [
    *CHANCE_CORRECTED,
    *ALWAYS_DEFINED,
    co.positive_agreement,
    co.negative_agreement,
]


def _value(function: Callable[..., float], table: IntArray) -> float | None:
    try:
        return function(table)
    except InsufficientData:
        return None


@FEW
@given(contingency_tables(2))
def test_every_binary_coefficient_is_symmetric_bounded_and_never_nan(table: IntArray) -> None:
    for function in ALL_BINARY:
        value = _value(function, table)
        assert value == _value(function, table.T) or value == pytest.approx(_value(function, table.T))
        if value is not None:
            assert not np.isnan(value)
            low = 0.0 if function in (co.percent_agreement, co.positive_agreement, co.negative_agreement) else -1.0
            assert low - 1e-12 <= value <= 1.0 + 1e-12, function.__name__


@FEW
@given(st.integers(2, 5).flatmap(lambda k: st.tuples(contingency_tables(k), st.permutations(range(k)))))
def test_relabelling_categories_changes_nothing(case: tuple[IntArray, list[int]]) -> None:
    table, order = case
    relabelled = table[np.ix_(order, order)]
    for function in [*CHANCE_CORRECTED, *ALWAYS_DEFINED]:
        before, after = _value(function, table), _value(function, relabelled)
        assert (before is None and after is None) or before == pytest.approx(after, abs=1e-12)


@FEW
@given(contingency_tables(2))
def test_swapping_present_and_absent_swaps_positive_and_negative_agreement(table: IntArray) -> None:
    swapped = table[::-1, ::-1]
    assert _value(co.positive_agreement, table) == _value(co.negative_agreement, swapped)


@FEW
@given(st.integers(2, 6).flatmap(lambda k: st.tuples(st.just(k), paired_codings(k))))
def test_identical_codings_agree_perfectly_whenever_defined(
    case: tuple[int, tuple[IntArray, IntArray]],
) -> None:
    k, (a, _) = case
    table = nominal_table(a, a, k)
    for function in [*CHANCE_CORRECTED, *ALWAYS_DEFINED]:
        value = _value(function, table)
        assert value is None or value == pytest.approx(1.0)
    assert (_value(co.cohen_kappa, table) is None) == (len(set(a.tolist())) == 1)


@FEW
@given(st.integers(1, 50), st.integers(0, 50), st.sampled_from(["A", "B", "both"]))
def test_a_reviewer_who_never_varies_makes_kappa_and_alpha_raise(constant: int, other: int, who: str) -> None:
    # reviewer A said "absent" to every segment; B said "present" to ``other`` of them
    table = np.array([[constant, other], [0, 0]])
    if who == "B":
        table = table.T
    if who == "both":
        table = np.array([[constant + other, 0], [0, 0]])
    for function in CHANCE_CORRECTED:
        with pytest.raises(InsufficientData):
            function(table)
    for function in ALWAYS_DEFINED:
        assert not np.isnan(function(table))


def test_every_coefficient_raises_on_a_table_with_no_units() -> None:
    for function in ALL_BINARY:
        with pytest.raises(InsufficientData, match="no segment was coded by both reviewers"):
            function(np.zeros((2, 2), dtype=int))


def test_blank_cells_leave_the_segment_out_for_that_code_only() -> None:
    a = np.array([[1, 1], [0, -1], [1, 0], [-1, 0]])
    b = np.array([[1, 0], [0, 1], [-1, 0], [0, 0]])
    first, second = binary_counts(a, b)
    assert (first.both, first.only_a, first.only_b, first.neither, first.blank) == (1, 0, 0, 1, 2)
    assert (second.both, second.only_a, second.only_b, second.neither, second.blank) == (0, 1, 0, 2, 1)


def test_codings_other_than_present_absent_or_blank_are_refused() -> None:
    with pytest.raises(ValueError, match="from -1 \\(blank\\) to 1"):
        binary_counts(np.array([[2]]), np.array([[1]]))


# --- exact messages ----------------------------------------------------------------------------

ACTION = (
    "What to do: Read percent agreement and Gwet's AC1 for this code instead, together with its counts; "
    "to judge its reliability, double-code more segments in which it can occur."
)


@pytest.mark.parametrize(
    ("table", "function", "fact"),
    [
        ([[9, 0], [0, 0]], co.cohen_kappa, "neither reviewer applied the code, so Cohen's kappa"),
        (
            [[6, 3], [0, 0]],
            co.krippendorff_alpha,
            "reviewer A never applied the code, so Krippendorff's alpha",
        ),
        ([[0, 2], [0, 7]], co.cohen_kappa, "reviewer B applied the code to every segment, so Cohen's kappa"),
        ([[0, 0], [0, 4]], co.scott_pi, "both reviewers applied the code to every segment, so Scott's pi"),
        (
            [[0, 5], [0, 0]],
            co.cohen_kappa,
            "reviewer A never applied the code and reviewer B applied the code to every segment, so Cohen's kappa",
        ),
    ],
)
def test_a_reviewer_who_never_varies_is_named_in_the_message(
    table: list[list[int]], function: Callable[..., float], fact: str
) -> None:
    with pytest.raises(InsufficientData) as caught:
        function(np.array(table), where='Code "peer support"')
    assert str(caught.value) == (
        f'Code "peer support": {fact} is undefined: without variation in a reviewer\'s answers, '
        f"agreement beyond chance cannot be measured\n{ACTION}"
    )


def test_the_message_for_a_nominal_variable_speaks_of_categories() -> None:
    table = np.array([[0, 0, 0], [3, 2, 1], [0, 0, 0]])
    with pytest.raises(InsufficientData) as caught:
        co.cohen_kappa(table, where="Question 4")
    assert str(caught.value).startswith(
        "Question 4: reviewer A put every segment in the same category, so Cohen's kappa is undefined"
    )


def test_the_message_for_no_compared_segments_says_to_check_the_workbooks() -> None:
    with pytest.raises(InsufficientData) as caught:
        co.gwet_ac1(np.zeros((2, 2), dtype=int), where='Code "barriers"')
    assert str(caught.value) == (
        'Code "barriers": no segment was coded by both reviewers, so Gwet\'s AC1 has nothing to compare\n'
        "What to do: Check that both reviewers' workbooks were imported for this cycle and that they "
        "code the same segments (a blank cell does not count as coded)."
    )


def test_the_messages_for_positive_and_negative_agreement_suggest_the_other() -> None:
    with pytest.raises(InsufficientData) as positive:
        co.positive_agreement(np.array([[8, 0], [0, 0]]), where='Code "x"')
    with pytest.raises(InsufficientData) as negative:
        co.negative_agreement(np.array([[0, 0], [0, 8]]), where='Code "x"')
    assert str(positive.value) == (
        'Code "x": neither reviewer applied the code, so positive agreement (agreement on the segments '
        "where someone applied it) is undefined\n"
        "What to do: Report negative agreement and percent agreement for this code instead."
    )
    assert str(negative.value) == (
        'Code "x": both reviewers applied the code to every segment, so negative agreement (agreement '
        "on the segments where someone left it off) is undefined\n"
        "What to do: Report positive agreement and percent agreement for this code instead."
    )


def test_many_rater_coefficients_raise_when_no_unit_has_two_ratings() -> None:
    with pytest.raises(InsufficientData) as caught:
        multirater.fleiss_kappa(np.array([[1, 0], [0, 1]]), where="Pilot ratings")
    assert str(caught.value) == (
        "Pilot ratings: no unit was rated by at least two raters, so nothing can be compared\n"
        "What to do: Collect ratings from at least two raters on more units, then compute agreement again."
    )


# --- analytic standard errors (for comparison with other software) ------------------------------


@FEW
@given(st.integers(2, 5).flatmap(contingency_tables))
def test_kappa_ase_equals_statsmodels(table: IntArray) -> None:
    if _value(co.cohen_kappa, table) is None or np.trace(table) == table.sum():
        return  # undefined, or perfect agreement (statsmodels takes the root of a rounding error)
    assert standard_errors.kappa_ase(table) == pytest.approx(cohens_kappa(table).std_kappa, abs=1e-12)


@pytest.mark.parametrize(("df", "error"), [(9, 2e-4), (15, 2e-5), (30, 1e-6), (99, 1e-8)])
def test_student_t_quantile_matches_scipy(df: int, error: float) -> None:
    for probability in (0.9, 0.95, 0.975, 0.995):
        assert standard_errors.student_t_quantile(probability, df) == pytest.approx(
            stats.t.ppf(probability, df), abs=error
        )


def test_many_rater_coefficients_raise_when_every_rating_is_the_same() -> None:
    with pytest.raises(InsufficientData) as caught:
        multirater.many_krippendorff_alpha(np.array([[3, 0], [2, 0], [4, 0]]), where="Pilot ratings")
    assert str(caught.value) == (
        "Pilot ratings: every rating is in the same category, so Krippendorff's alpha is undefined: "
        "with no variation there is no agreement beyond chance to measure\n"
        "What to do: Collect ratings from at least two raters on more units, then compute agreement again."
    )
