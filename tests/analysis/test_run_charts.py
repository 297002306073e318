"""Run charts (Anhøj rules, qicharts2 0.8.1) and XmR charts (NHSRplotthedots 0.2.2).

Every vector of ``../shared/reference/run_chart_vectors.json`` must give its expected values.
"""

from __future__ import annotations

import json
import math
from itertools import pairwise
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis import xmr_charts
from analysis.run_charts import (
    MIN_USEFUL_POINTS,
    RulesNotApplied,
    RunsSignals,
    anhoej_limits,
    i_chart,
    run_chart,
    runs_analysis,
)
from instruments.errors import InsufficientData

REPOSITORY_ROOT = Path(__file__).resolve().parents[2]
VECTORS_PATH = Path("shared") / "reference" / "run_chart_vectors.json"


def _load_vectors() -> list[dict[str, Any]]:
    # ``shared/`` sits beside the repository root; a git worktree nested one level deeper finds it
    # further up. Loaded at import time, so a missing file fails the run instead of passing quietly.
    for folder in REPOSITORY_ROOT.parents:
        if (folder / VECTORS_PATH).is_file():
            vectors: list[dict[str, Any]] = json.loads((folder / VECTORS_PATH).read_text(encoding="utf-8"))["vectors"]
            return vectors
    raise FileNotFoundError(f"the reference run-chart vectors are missing: no {VECTORS_PATH} above {REPOSITORY_ROOT}")


VECTORS = _load_vectors()


def _of_kind(kind: str) -> list[Any]:
    return [pytest.param(v, id=v["id"]) for v in VECTORS if v["kind"] == kind]


def test_every_reference_vector_is_of_a_kind_these_tests_check() -> None:
    kinds = {"anhoej_runs_analysis", "anhoej_limits_table", "mdc_rule_function", "mdc_xmr_chart"}
    assert len(VECTORS) == 14
    assert {v["kind"] for v in VECTORS} <= kinds


@pytest.mark.parametrize("vector", _of_kind("anhoej_runs_analysis"))
def test_runs_analysis_reproduces_qicharts2(vector: dict[str, Any]) -> None:
    y = vector["y"]
    first, last = vector["analysed_points"]
    base_first, base_last = vector["centre_line_from"]
    assert base_first == first, "a vector with a baseline that does not start its part is not expressible"
    parts = [first - 1] if first > 1 else ([last] if last < len(y) else [])
    freeze = base_last if base_last < last else None
    chart = (i_chart if vector["chart"] == "i" else run_chart)(y, freeze=freeze, parts=parts)
    (part,) = [p for p in chart.parts if p.first == first]
    assert part.last == last
    expected, tolerance = vector["expected"], vector["tolerance"]
    assert isinstance(part.runs, RunsSignals)
    got = {
        "n_obs": part.n_obs,
        "n_useful": part.n_useful,
        "longest_run": part.runs.longest_run,
        "longest_run_max": part.runs.longest_run_max,
        "n_crossings": part.runs.crossings,
        "n_crossings_min": part.runs.crossings_min,
        "runs_signal": int(part.runs.signal),
        "centre_line": part.centre_line,
    }
    if part.limits is not None:
        got |= {"lcl": part.limits.lower, "ucl": part.limits.upper, "sigma_signal": int(part.limits.signal)}
    for key, value in expected.items():
        assert got[key] == pytest.approx(value, abs=tolerance.get(key, 0)), key


@pytest.mark.parametrize("vector", _of_kind("anhoej_limits_table"))
def test_anhoej_limits_match_the_r_table(vector: dict[str, Any]) -> None:
    got = {str(n): list(anhoej_limits(n)) for n in range(10, 61)}
    assert got == vector["expected"]


def test_crossings_limit_is_the_exact_binomial_lower_5_percent_point() -> None:
    for n in range(1, 201):
        # smallest x with P(X <= x) >= 0.05 for X ~ Binomial(n - 1, 1/2), in exact integers
        cumulative, x = 0, -1
        while 20 * cumulative < 2 ** (n - 1):
            x += 1
            cumulative += math.comb(n - 1, x)
        assert anhoej_limits(n)[1] == x, n


@pytest.mark.parametrize("vector", _of_kind("mdc_rule_function"))
def test_mdc_rule_functions_match_nhsrplotthedots(vector: dict[str, Any]) -> None:
    rule = getattr(xmr_charts, vector["function"])
    for case in vector["cases"]:
        assert rule(*case["args"]).astype(int).tolist() == case["expected"]


@pytest.mark.parametrize("vector", _of_kind("mdc_xmr_chart"))
def test_xmr_chart_matches_nhsrplotthedots(vector: dict[str, Any]) -> None:
    chart = xmr_charts.xmr_chart(vector["y"], screen_outliers=vector["screen_outliers"])
    got = {
        "mean": chart.mean,
        "mean_moving_range": chart.mean_moving_range,
        "lpl": chart.lower_limit,
        "upl": chart.upper_limit,
        "flagged_points": list(chart.flagged_points),
    }
    for key, value in vector["expected"].items():
        assert got[key] == pytest.approx(value, abs=vector["tolerance"].get(key, 0)), key


def test_a_run_equal_to_its_limit_is_not_a_signal_but_one_longer_is() -> None:
    # 20 useful points: L_max 7, C_min 6
    seven = [1] * 7 + [9, 1, 9, 1, 9, 1, 9, 1, 9, 1, 9, 1] + [9]
    eight = [1] * 8 + [9, 1, 9, 1, 9, 1, 9, 1, 9, 1, 9, 9]
    assert runs_analysis(seven, 5) == RunsSignals(20, 7, 7, 13, 6)
    assert not runs_analysis(seven, 5).signal
    assert runs_analysis(eight, 5).long_run


def test_points_on_the_centre_line_and_missing_points_neither_break_nor_extend_a_run() -> None:
    runs = runs_analysis([1, 1, 5, None, 1, 9, float("nan"), 5, 9], 5)
    assert (runs.n_useful, runs.longest_run, runs.crossings) == (5, 3, 1)


def test_a_short_series_says_rules_not_applied_never_no_signal() -> None:
    chart = run_chart([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 5.5])
    (part,) = chart.parts
    assert part.n_useful == MIN_USEFUL_POINTS
    assert isinstance(part.runs, RunsSignals)
    short = run_chart([3, 1, 4, 1, 5, 9, 2, 6, 5, 3])  # median 3.5 -> 10 useful
    assert isinstance(short.parts[0].runs, RunsSignals)
    shorter = run_chart([3, 1, 4, 1, 5, 9, 2, 6, 3])  # median 3 -> 7 useful
    runs = shorter.parts[0].runs
    assert runs == RulesNotApplied(n_useful=7)
    assert runs.reason == "run-chart rules not applied: 7 useful points, the rules need at least 10"
    assert not hasattr(runs, "signal")
    assert RulesNotApplied(n_useful=1).reason == (
        "run-chart rules not applied: 1 useful point, the rules need at least 10"
    )


def test_each_part_has_its_own_centre_line_and_points_carry_it() -> None:
    y = [4, 6, 5, 4, 6, 5, 4, 6, 5, 4, 6, 20, 22, 21, 20, 22, 21, 20, 22, 21, 20, 22, 21]
    chart = run_chart(y, parts=[11])
    assert [(p.first, p.last, p.centre_line) for p in chart.parts] == [(1, 11, 5.0), (12, 23, 21.0)]
    assert [pt.part for pt in chart.points] == [1] * 11 + [2] * 12
    assert chart.points[11].centre_line == 21.0
    assert [pt.position for pt in chart.points] == list(range(1, 24))
    whole = run_chart(y)
    assert isinstance(whole.parts[0].runs, RunsSignals)
    assert whole.parts[0].runs.signal


def test_freeze_takes_the_centre_line_from_the_baseline_only() -> None:
    chart = run_chart([1, 2, 3, 10, 11, 12], freeze=3)
    assert chart.parts[0].centre_line == 2.0
    assert chart.parts[0].baseline_last == 3
    assert [pt.useful for pt in chart.points] == [True, False, True, True, True, True]


def test_a_part_without_values_cannot_have_a_centre_line() -> None:
    with pytest.raises(InsufficientData) as raised:
        run_chart([1, 2, 3, None, None], parts=[3])
    assert str(raised.value) == (
        "Run chart, part 2 (points 4 to 5): no value was recorded for the points that set the centre "
        "line, so there is no centre line.\n"
        "What to do: Record the measure for these periods, or join this part to its neighbour."
    )


def test_an_i_chart_needs_two_baseline_values_for_its_limits() -> None:
    with pytest.raises(InsufficientData) as raised:
        i_chart([1, 2, 3, 4, 7], freeze=1)
    assert str(raised.value) == (
        "I chart, part 1 (points 1 to 5): fewer than 2 consecutive values set the centre line, so "
        "there is no moving range to set the limits from.\n"
        "What to do: Record the measure for more periods before drawing an I chart, or use a run chart."
    )


def test_i_chart_flags_points_outside_its_three_sigma_limits() -> None:
    chart = i_chart([10, 11, 10, 11, 10, 11, 10, 11, 10, 30])
    limits = chart.parts[0].limits
    assert limits is not None
    assert limits.points_outside == (10,)
    assert chart.points[0].upper_limit == limits.upper


def test_excluded_points_stay_on_the_chart_but_leave_the_centre_line_and_the_rules() -> None:
    y = [1, 2, 3, 4, 100, 5, 6, 7, 8, 9, 10, 11, 12]
    chart = run_chart(y, exclude=[5])
    (part,) = chart.parts
    assert part.centre_line == 6.5  # median of the 12 other points
    assert (part.n_obs, part.n_useful) == (12, 12)
    assert chart.points[4].excluded
    assert chart.points[4].value == 100
    assert not chart.points[4].useful
    assert runs_analysis([v for i, v in enumerate(y) if i != 4], 6.5) == part.runs


def test_missing_points_count_as_observations_but_not_as_useful_ones() -> None:
    chart = run_chart([1, None, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12])
    (part,) = chart.parts
    assert (part.n_obs, part.n_useful) == (12, 10)
    assert chart.points[1].value is None


def test_an_i_chart_takes_no_moving_range_across_a_missing_point() -> None:
    # bridging the gaps would add moving ranges 11 -> 20 and 21 -> 30 and widen the limits
    gap = i_chart([10, 11, None, 20, 21, None, 30, 31])
    limits = gap.parts[0].limits
    assert limits is not None
    sigma = (limits.upper - limits.lower) / 6
    assert sigma == pytest.approx(1 / 1.128)


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: run_chart([]), "a chart needs at least 1 point, got an empty series"),
        (
            lambda: run_chart([1, 2, 3], parts=[3]),
            "parts must be increasing positions between 1 and 2, got [3]",
        ),
        (
            lambda: run_chart([1, 2, 3], parts=[2, 1]),
            "parts must be increasing positions between 1 and 2, got [2, 1]",
        ),
        (
            lambda: run_chart([1, 2, 3], parts=[1], freeze=2),
            "freeze must be a position between 1 and 1 (the first part), got 2",
        ),
        (
            lambda: run_chart([1, float("inf")]),
            "a chart value is infinite; only finite numbers (or missing values) can be charted",
        ),
        (lambda: anhoej_limits(0), "the Anhøj limits need at least 1 useful observation, got 0"),
        (lambda: run_chart([1, 2, 3], exclude=[4]), "exclude must list positions between 1 and 3, got 4"),
        (
            lambda: runs_analysis([2, 2], 2),
            "runs analysis needs at least 1 point off the centre line, got none",
        ),
    ],
)
def test_impossible_requests_are_refused_with_a_precise_message(call: Any, message: str) -> None:
    with pytest.raises(ValueError) as raised:
        call()
    assert str(raised.value) == message


@settings(max_examples=60, deadline=None)
@given(st.lists(st.integers(min_value=-3, max_value=3), min_size=1, max_size=40))
def test_runs_statistics_agree_with_a_naive_count_and_ignore_time_reversal(values: list[int]) -> None:
    useful = [v for v in values if v != 0]
    if not useful:
        return
    runs = runs_analysis(values, 0)
    crossings = sum(1 for a, b in pairwise(useful) if (a > 0) != (b > 0))
    longest, current = 1, 1
    for a, b in pairwise(useful):
        current = current + 1 if (a > 0) == (b > 0) else 1
        longest = max(longest, current)
    assert (runs.n_useful, runs.crossings, runs.longest_run) == (len(useful), crossings, longest)
    assert runs_analysis(values[::-1], 0) == runs
    assert runs_analysis([-v for v in values], 0) == runs


def test_run_chart_accepts_numpy_values() -> None:
    chart = run_chart(np.arange(12, dtype=float).tolist())
    assert chart.parts[0].centre_line == 5.5


def test_the_guide_quotes_the_rules_not_applied_message_as_the_code_writes_it() -> None:
    guide = (REPOSITORY_ROOT / "docs" / "run-charts-and-suppression.md").read_text(encoding="utf-8")
    assert f"> {RulesNotApplied(n_useful=7).reason}\n" in guide
    assert f"at least **{MIN_USEFUL_POINTS} useful" in guide
    n20_limits = anhoej_limits(20)
    assert f"more than {n20_limits[0]} points when n = 20" in guide
    assert f"fewer than {n20_limits[1]} crossings when" in guide


def test_the_crossings_limit_is_scipys_binomial_quantile_for_every_length_up_to_600() -> None:
    from scipy.stats import binom  # type: ignore[import-untyped]

    from analysis.run_charts import anhoej_limits

    for n in range(1, 601):
        assert anhoej_limits(n)[1] == int(binom.ppf(0.05, n - 1, 0.5)), n
