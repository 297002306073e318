"""Per-code and pooled agreement, bootstrap intervals, the reading of a band, and the published table."""

from __future__ import annotations

from pathlib import Path

import krippendorff
import numpy as np
import numpy.typing as npt
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from sklearn.metrics import cohen_kappa_score

from analysis import coefficients as co
from analysis.agreement import COLUMNS, agreement_table, code_agreement, pooled_agreement
from analysis.bootstrap import replicate_tables, table_intervals
from analysis.contingency import BinaryCounts, binary_counts, unit_cells
from instruments.errors import InsufficientData
from tests.strategies import code_matrices

FEW = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
IntArray = npt.NDArray[np.int64]
K2004 = BinaryCounts(both=1, only_a=1, only_b=3, neither=5)  # Krippendorff 2004 §11.3.1


def _frames(a: IntArray, b: IntArray) -> tuple[pd.DataFrame, pd.DataFrame]:
    codes = [f"code {i}" for i in range(a.shape[1])]
    index = pd.Index([f"seg-{i:03d}" for i in range(a.shape[0])], name="segment_id")

    def frame(values: IntArray) -> pd.DataFrame:
        return pd.DataFrame(np.where(values < 0, np.nan, values), index=index, columns=codes).astype("boolean")

    return frame(a), frame(b)


# --- one code ----------------------------------------------------------------------------------


def test_one_code_reports_counts_prevalence_and_every_coefficient() -> None:
    result = code_agreement(K2004, "news", level=None)
    assert (result.counts.units, result.counts.prevalence_a, result.counts.prevalence_b) == (10, 0.2, 0.4)
    assert result["alpha"].value == pytest.approx(0.0952, abs=1e-4)
    assert result["percent_agreement"].value == pytest.approx(0.6)
    assert result["pabak"].value == pytest.approx(0.2)
    assert result["positive_agreement"].value == pytest.approx(2 / 6)
    assert result["negative_agreement"].value == pytest.approx(10 / 14)
    assert all(e.reason is None and e.interval is None for e in result.estimates.values())


def test_a_code_one_reviewer_never_used_carries_the_reason_instead_of_a_number() -> None:
    result = code_agreement(BinaryCounts(both=0, only_a=0, only_b=4, neither=36), "rare", level=None)
    assert result["kappa"].value is None and result["alpha"].value is None
    assert result["kappa"].reason is not None and result["kappa"].reason.startswith("reviewer A never applied the code")
    assert result["ac1"].value == pytest.approx(co.gwet_ac1(np.array([[36, 4], [0, 0]])))
    with pytest.raises(InsufficientData) as caught:
        result.reading()
    assert caught.value.where == 'Code "rare"'


def test_a_band_is_only_ever_shown_with_the_counts_and_prevalence() -> None:
    assert str(code_agreement(K2004, "news", level=None).reading()) == (
        'Code "news": alpha = 0.095, not reliable enough to draw conclusions (alpha < .667, '
        "Krippendorff 2004). Read it with: 10 segments compared; reviewer A applied the code to 20.0% "
        "of them and reviewer B to 40.0%; both 1, A only 1, B only 3, neither 5; percent agreement "
        "60.0%, kappa 0.091, AC1 0.310. With fewer than 30 segments compared, every figure here is rough."
    )


def test_a_reading_gives_alphas_interval_when_one_was_computed() -> None:
    counts = BinaryCounts(both=40, only_a=2, only_b=2, neither=56)
    text = str(code_agreement(counts, "x", replicates=500).reading())
    assert text.startswith('Code "x": alpha = 0.918 (95% interval 0.')
    assert "rough" not in text


@pytest.mark.parametrize(
    ("counts", "band"),
    [
        (
            BinaryCounts(both=40, only_a=2, only_b=2, neither=56, blank=3),
            "reliable enough to draw conclusions",
        ),
        (BinaryCounts(both=30, only_a=6, only_b=6, neither=58), "acceptable for tentative conclusions only"),
    ],
)
def test_the_band_follows_krippendorffs_thresholds(counts: BinaryCounts, band: str) -> None:
    text = str(code_agreement(counts, "x", level=None).reading())
    assert band in text
    assert f"{counts.units} segments compared" in text
    assert ("left out for blank cells" in text) == (counts.blank > 0)


# --- bootstrap ---------------------------------------------------------------------------------


def test_resampled_tables_keep_the_number_of_units_and_are_reproducible() -> None:
    first = replicate_tables(K2004.table(), replicates=50, seed=7)
    assert first.shape == (50, 2, 2)
    assert np.all(first.sum(axis=(1, 2)) == 10)
    assert np.array_equal(first, replicate_tables(K2004.table(), replicates=50, seed=7))
    assert not np.array_equal(first, replicate_tables(K2004.table(), replicates=50, seed=8))


def test_intervals_contain_the_estimate_and_narrow_as_units_grow() -> None:
    small = np.array([[30, 5], [4, 11]])
    widths = []
    for table in (small, small * 20):
        (interval,) = table_intervals(table, [co.batch_cohen_kappa], replicates=1000)
        assert interval.low is not None and interval.high is not None
        assert interval.low < co.cohen_kappa(table) < interval.high
        widths.append(interval.high - interval.low)
    assert widths[1] < widths[0] / 3


def test_an_interval_is_withheld_when_resamples_are_often_undefined() -> None:
    (interval,) = table_intervals(np.array([[38, 1], [0, 1]]), [co.batch_cohen_kappa], replicates=500)
    assert interval.low is None and interval.high is None
    assert interval.reason is not None
    assert interval.reason.startswith("Cohen's kappa was undefined in")


def test_resampling_whole_segments_agrees_with_resampling_table_cells_for_one_code() -> None:
    rng = np.random.default_rng(3)
    a = (rng.random((400, 1)) < 0.3).astype(np.int64)
    b = np.where(rng.random((400, 1)) < 0.85, a, 1 - a)
    (counts,) = binary_counts(a, b)
    per_code = code_agreement(counts, "c", replicates=1000)
    pooled = pooled_agreement([counts], cells=unit_cells(a, b), replicates=1000)
    assert pooled.de_vries_kappa.value == pytest.approx(per_code["kappa"].value)
    for pooled_interval, code_interval in (
        (pooled.de_vries_kappa.interval, per_code["kappa"].interval),
        (pooled.stacked["alpha"].interval, per_code["alpha"].interval),
    ):
        assert pooled_interval is not None and code_interval is not None
        assert pooled_interval.low == pytest.approx(code_interval.low, abs=0.03)
        assert pooled_interval.high == pytest.approx(code_interval.high, abs=0.03)


# --- pooled ------------------------------------------------------------------------------------


def test_de_vries_pooled_kappa_averages_agreement_and_chance_over_codes() -> None:
    tables = [BinaryCounts(10, 2, 3, 85), BinaryCounts(0, 0, 2, 98), BinaryCounts(40, 5, 5, 50)]
    observed = [(t.both + t.neither) / t.units for t in tables]
    chance = [t.prevalence_a * t.prevalence_b + (1 - t.prevalence_a) * (1 - t.prevalence_b) for t in tables]  # type: ignore[operator]
    expected = (np.mean(observed) - np.mean(chance)) / (1 - np.mean(chance))
    pooled = pooled_agreement(tables, level=None)
    assert pooled.de_vries_kappa.value == pytest.approx(expected)
    assert pooled.codes == 3 and pooled.stacked.counts.units == 300


@settings(max_examples=25, deadline=None)
@given(code_matrices(blanks=True))
def test_stacked_alpha_equals_the_krippendorff_package_on_all_decisions(
    codings: tuple[IntArray, IntArray],
) -> None:
    a, b = codings
    pooled = pooled_agreement(binary_counts(a, b), level=None)
    data = np.vstack([a.ravel(), b.ravel()]).astype(float)
    data[data < 0] = np.nan
    pairable = ~np.isnan(data).any(axis=0)
    values = set(data[:, pairable].ravel().tolist())
    alpha = pooled.stacked["alpha"].value
    if alpha is None:
        assert pooled.stacked["alpha"].reason
        return
    assert values == {0.0, 1.0}
    assert alpha == pytest.approx(
        krippendorff.alpha(data, level_of_measurement="nominal", value_domain=[0, 1]), abs=1e-9
    )


def test_pooled_kappa_is_undefined_in_words_when_a_reviewer_applied_no_code() -> None:
    pooled = pooled_agreement([BinaryCounts(0, 0, 3, 20), BinaryCounts(0, 0, 1, 22)], level=None)
    assert pooled.de_vries_kappa.value is None
    assert pooled.de_vries_kappa.reason == (
        "reviewer A never applied any code, so agreement beyond chance over all codes is undefined"
    )


# --- the published table -----------------------------------------------------------------------


def test_the_table_has_a_row_per_code_then_the_two_labelled_pooled_rows() -> None:
    a = np.array([[1, 0], [1, 0], [0, 0], [0, 1], [1, 0], [0, 0]])
    b = np.array([[1, 0], [0, 0], [0, 0], [0, 1], [1, 1], [0, 0]])
    frame = agreement_table(*_frames(a, b), level=None)
    assert list(frame.columns) == COLUMNS
    assert frame["scope"].tolist() == ["code", "code", "pooled_de_vries", "stacked"]
    assert frame["code"].tolist()[2:] == ["all codes (De Vries pooled kappa)", "all codes (stacked table)"]
    first = code_agreement(binary_counts(a, b)[0], "code 0", level=None)
    assert frame.loc[0, "kappa"] == pytest.approx(first["kappa"].value)
    assert frame.loc[0, "alpha"] == pytest.approx(first["alpha"].value)
    assert pd.isna(frame.loc[2, "alpha"]) and pd.isna(frame.loc[3, "kappa"])


def test_a_segment_missing_from_one_workbook_counts_as_blank() -> None:
    a_frame, b_frame = _frames(np.array([[1], [0], [1], [0]]), np.array([[1], [0], [1], [1]]))
    frame = agreement_table(a_frame, b_frame.drop(index="seg-003"), level=None)
    assert (frame.loc[0, "units"], frame.loc[0, "blank"]) == (3, 1)
    assert frame.loc[0, "percent_agreement"] == 1.0


def test_the_table_with_intervals_is_reproducible_and_brackets_each_estimate() -> None:
    rng = np.random.default_rng(11)
    a = (rng.random((120, 3)) < [0.2, 0.5, 0.4]).astype(np.int64)
    b = np.where(rng.random((120, 3)) < 0.9, a, 1 - a)
    first = agreement_table(*_frames(a, b), replicates=400)
    second = agreement_table(*_frames(a, b), replicates=400)
    pd.testing.assert_frame_equal(first, second)
    for name in ("kappa", "alpha", "ac1", "pabak"):
        rows = first.dropna(subset=[name, f"{name}_ci_low"])
        assert len(rows) >= 3
        assert (rows[f"{name}_ci_low"] <= rows[name]).all() and (rows[name] <= rows[f"{name}_ci_high"]).all()


@FEW
@given(code_matrices(blanks=True))
def test_every_empty_number_in_the_table_has_its_reason_and_there_is_no_nan(
    codings: tuple[IntArray, IntArray],
) -> None:
    frame = agreement_table(*_frames(*codings), level=None)
    for _, row in frame[frame["scope"] != "pooled_de_vries"].iterrows():
        for name in ("percent_agreement", "kappa", "alpha", "ac1", "pabak", "positive_agreement"):
            if pd.isna(row[name]):
                assert f"{name}: " in str(row["undefined_reason"])
    numbers = frame[COLUMNS[4:-1]].to_numpy(dtype=np.float64, na_value=0.0)
    assert not np.isnan(numbers).any()


def test_values_other_than_true_false_or_blank_are_refused() -> None:
    a_frame, b_frame = _frames(np.array([[1], [0]]), np.array([[1], [0]]))
    with pytest.raises(ValueError, match="codings_b must hold only True/False, 1/0 or blanks"):
        agreement_table(a_frame, b_frame.astype("Int64") * 2)


def test_the_users_guide_names_every_column_and_quotes_a_real_reading() -> None:
    guide = (Path(__file__).resolve().parents[2] / "docs" / "agreement.md").read_text(encoding="utf-8")
    for column in COLUMNS:
        stem = column.rsplit("_ci_", 1)[0] + "_ci_" if "_ci_" in column else column
        assert f"`{stem}" in guide, column
    quoted = " ".join(line.removeprefix("> ").strip() for line in guide.splitlines() if line.startswith("> "))
    assert quoted == str(code_agreement(K2004, "news", level=None).reading())


@FEW
@given(code_matrices(blanks=True))
def test_the_table_follows_listwise_deletion_for_kappa_and_pairable_units_for_alpha(
    codings: tuple[IntArray, IntArray],
) -> None:
    a, b = codings
    frame = agreement_table(*_frames(a, b), level=None)
    for column in range(a.shape[1]):
        row = frame.iloc[column]
        both = (a[:, column] >= 0) & (b[:, column] >= 0)
        assert row["units"] == both.sum() and row["blank"] == (~both).sum()
        if pd.isna(row["kappa"]):
            continue
        kept_a, kept_b = a[both, column], b[both, column]
        assert row["kappa"] == pytest.approx(cohen_kappa_score(kept_a, kept_b), abs=1e-12)
        data = np.vstack([a[:, column], b[:, column]]).astype(float)
        data[data < 0] = np.nan
        expected = krippendorff.alpha(data, level_of_measurement="nominal", value_domain=[0, 1])
        assert row["alpha"] == pytest.approx(expected, abs=1e-9)


@FEW
@given(code_matrices(blanks=True))
def test_swapping_the_reviewers_swaps_their_prevalences_and_changes_nothing_else(
    codings: tuple[IntArray, IntArray],
) -> None:
    a, b = codings
    forward = agreement_table(*_frames(a, b), level=None)
    backward = agreement_table(*_frames(b, a), level=None)
    swapped = backward.rename(columns={"prevalence_a": "prevalence_b", "prevalence_b": "prevalence_a"})
    numbers = list(COLUMNS[2:-1])
    pd.testing.assert_frame_equal(forward[numbers], swapped[numbers], check_exact=False, atol=1e-12)
    assert (forward["undefined_reason"].isna() == backward["undefined_reason"].isna()).all()
