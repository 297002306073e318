"""Every published worked example in ../shared/reference/agreement_vectors.json reproduces.

Each vector is checked twice: against the values its source printed (to the stated tolerance,
one unit in the last printed decimal) and against the values two independent implementations
agreed on (1e-4). Two-coder vectors go through ``analysis.coefficients`` (and the 2-rater path
of ``analysis.multirater`` must give the same numbers); many-rater vectors go through
``analysis.multirater``. A missing file fails the run: these checks are the reason to trust the
numbers, so they must never silently disappear.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import pytest

from analysis import coefficients, multirater, standard_errors
from analysis.contingency import nominal_table

REPOSITORY = Path(__file__).resolve().parents[2]


def _shared_candidates() -> list[Path]:
    candidates = [REPOSITORY.parent / "shared"]
    dot_git = REPOSITORY / ".git"
    if dot_git.is_file():  # a linked git worktree: shared/ sits beside the main checkout
        gitdir = Path(dot_git.read_text(encoding="utf-8").removeprefix("gitdir:").strip())
        common = (gitdir / (gitdir / "commondir").read_text(encoding="utf-8").strip()).resolve()
        candidates.append(common.parent.parent / "shared")
    return candidates


def _load_vectors() -> list[dict[str, Any]]:
    for shared in _shared_candidates():
        path = shared / "reference" / "agreement_vectors.json"
        if path.is_file():
            vectors: list[dict[str, Any]] = json.loads(path.read_text(encoding="utf-8"))["vectors"]
            return vectors
    looked = ", ".join(str(c / "reference") for c in _shared_candidates())
    raise FileNotFoundError(f"agreement_vectors.json not found (looked in {looked}); check out shared/")


VECTORS = _load_vectors()
TWO_CODER = [v for v in VECTORS if "contingency_rows_coderA_cols_coderB" in v or len(v.get("raters_x_units", ())) == 2]
MANY_RATER = [v for v in VECTORS if v not in TWO_CODER]


def _table(vector: dict[str, Any]) -> npt.NDArray[np.int64]:
    if "contingency_rows_coderA_cols_coderB" in vector:
        return np.asarray(vector["contingency_rows_coderA_cols_coderB"], dtype=np.int64)
    categories = vector["categories"]
    a, b = (np.array([categories.index(x) for x in row]) for row in vector["raters_x_units"])
    return nominal_table(a, b, len(categories))


def _ratings(vector: dict[str, Any]) -> npt.NDArray[np.int64]:
    categories = vector["categories"]
    return np.array([[categories.index(x) for x in row] for row in vector["raters_x_units"]])


def _counts(vector: dict[str, Any]) -> npt.NDArray[np.int64]:
    if "counts_units_x_categories" in vector:
        return np.asarray(vector["counts_units_x_categories"], dtype=np.int64)
    return multirater.rating_counts(_ratings(vector), len(vector["categories"]))


def _two_coder_values(vector: dict[str, Any]) -> dict[str, Any]:
    t = _table(vector)
    n = int(t.sum())
    kappa, ac1 = coefficients.cohen_kappa(t), coefficients.gwet_ac1(t)
    ase = standard_errors.kappa_ase(t)
    gwet_field = "Gwet" in vector.get("expected_field_notes", {}).get("cohen_kappa_ci95", "")
    kappa_ci = (
        standard_errors.gwet_interval(kappa, standard_errors.gwet_kappa_se(t), n)
        if gwet_field
        else standard_errors.normal_interval(kappa, ase)
    )
    return {
        "percent_agreement": coefficients.percent_agreement(t),
        "irrCAC_pa": coefficients.percent_agreement(t),
        "cohen_kappa": kappa,
        "scott_pi_or_fleiss": coefficients.scott_pi(t),
        "alpha_nominal": coefficients.krippendorff_alpha(t),
        "gwet_ac1": ac1,
        "brennan_prediger": coefficients.brennan_prediger(t),
        "cohen_kappa_ase": ase,
        "cohen_kappa_ci95": list(kappa_ci),
        "gwet_ac1_ci95": list(standard_errors.gwet_interval(ac1, standard_errors.gwet_ac1_se(t), n)),
        "weighted_kappa_linear_scores012": coefficients.weighted_kappa_linear(t),
    }


def _many_rater_values(vector: dict[str, Any]) -> dict[str, Any]:
    counts = _counts(vector)
    values: dict[str, Any] = {
        "percent_agreement": multirater.many_percent_agreement(counts),
        "irrCAC_pa": multirater.many_percent_agreement(counts),
        "scott_pi_or_fleiss": multirater.fleiss_kappa(counts),
        "fleiss_kappa": multirater.fleiss_kappa(counts),
        "alpha_nominal": multirater.many_krippendorff_alpha(counts),
        "gwet_ac1": multirater.many_gwet_ac1(counts),
        "brennan_prediger": multirater.many_brennan_prediger(counts),
    }
    if "raters_x_units" in vector:
        values["conger_kappa"] = multirater.conger_kappa(_ratings(vector), len(vector["categories"]))
    return values


def _check(computed: dict[str, Any], expected: dict[str, Any], tolerance: Callable[[str], Any]) -> None:
    for key, value in expected.items():
        assert key in computed, f"no computation for published key {key!r}"
        if isinstance(value, list):  # an interval: one tolerance per end
            ends = tolerance(key) if isinstance(tolerance(key), list) else [tolerance(key)] * 2
            for got, want, tol in zip(computed[key], value, ends, strict=True):
                assert got == pytest.approx(want, abs=tol), key
        else:
            assert computed[key] == pytest.approx(value, abs=tolerance(key)), key


@pytest.mark.parametrize("vector", TWO_CODER, ids=lambda v: v["id"])
def test_two_coder_vector_reproduces_its_published_values(vector: dict[str, Any]) -> None:
    computed = _two_coder_values(vector)
    _check(computed, vector["expected_published"], lambda key: vector["tolerance_published"][key])


@pytest.mark.parametrize("vector", TWO_CODER, ids=lambda v: v["id"])
def test_two_coder_vector_reproduces_its_crosschecked_values(vector: dict[str, Any]) -> None:
    _check(_two_coder_values(vector), vector["expected_crosschecked_4dp"], lambda key: 1e-4)


@pytest.mark.parametrize("vector", TWO_CODER, ids=lambda v: v["id"])
def test_two_coder_vector_gives_the_same_values_on_the_many_rater_path(vector: dict[str, Any]) -> None:
    t = _table(vector)
    a, b = np.nonzero(t)
    ratings = np.vstack([np.repeat(a, t[a, b]), np.repeat(b, t[a, b])])
    counts = multirater.rating_counts(ratings, t.shape[0])
    assert multirater.many_krippendorff_alpha(counts) == pytest.approx(coefficients.krippendorff_alpha(t))
    assert multirater.fleiss_kappa(counts) == pytest.approx(coefficients.scott_pi(t))
    assert multirater.many_gwet_ac1(counts) == pytest.approx(coefficients.gwet_ac1(t))
    assert multirater.conger_kappa(ratings, t.shape[0]) == pytest.approx(coefficients.cohen_kappa(t))


@pytest.mark.parametrize("vector", MANY_RATER, ids=lambda v: v["id"])
def test_many_rater_vector_reproduces_its_published_values(vector: dict[str, Any]) -> None:
    computed = _many_rater_values(vector)
    _check(computed, vector["expected_published"], lambda key: vector["tolerance_published"][key])


@pytest.mark.parametrize("vector", MANY_RATER, ids=lambda v: v["id"])
def test_many_rater_vector_reproduces_its_crosschecked_values(vector: dict[str, Any]) -> None:
    _check(_many_rater_values(vector), vector["expected_crosschecked_4dp"], lambda key: 1e-4)


def test_every_vector_in_the_file_is_checked() -> None:
    assert len(VECTORS) == 10
    assert {v["id"] for v in TWO_CODER} | {v["id"] for v in MANY_RATER} == {v["id"] for v in VECTORS}


def test_krippendorff_package_reproduces_the_nominal_example_only_when_told_nominal() -> None:
    import krippendorff

    vector = next(v for v in VECTORS if v["id"] == "K2011_nominal_2coders")
    data = _ratings(vector).astype(float)
    assert krippendorff.alpha(data, level_of_measurement="nominal") == pytest.approx(0.692, abs=1e-3)
    assert krippendorff.alpha(data) == pytest.approx(
        vector["single_package_outputs_4dp"]["krippendorff_default_call_interval"], abs=1e-4
    )
