"""Real Qualtrics exports from public projects (../shared/samples/qualtrics, see SOURCES.md there)."""

from __future__ import annotations

import pytest

from instruments.errors import PrivacyViolation
from instruments.load import load_evaluation
from tests.conftest import PILOT, SHARED
from validation.grid import read_grid
from validation.intake import accept
from validation.qualtrics import read_qualtrics, read_qualtrics_legacy

SAMPLES = SHARED / "samples" / "qualtrics"


def test_the_german_three_header_export_is_read_on_its_import_ids() -> None:
    path = SAMPLES / "qualtRics_sample_numeric_3header_de.csv"
    export = read_qualtrics(read_grid(path.read_bytes(), path.name), path.name)
    assert export.header_rows == 3
    assert export.answers.shape == (1, 3)
    assert list(export.answers.columns) == ["QID1", "QID2_TEXT", "QID2_TEXT_eae5a8d0e7fd4bd183e983e5Topics"]
    assert export.respondent_ids == ("R_2YPOQ602ER1jkf1",)
    assert export.file_rows == (4,)


def test_the_german_export_is_refused_for_its_ip_address_as_an_anonymous_survey() -> None:
    path = SAMPLES / "qualtRics_sample_numeric_3header_de.csv"
    evaluation = load_evaluation(PILOT / "evaluation.yaml")
    with pytest.raises(PrivacyViolation) as caught:
        accept(path.read_bytes(), path.name, "0" * 12, evaluation, "cycle-1", "salt")
    assert [f.column for f in caught.value.failures] == ["IPAddress"]
    assert "130.92" not in str(caught.value)


def test_the_legacy_two_header_export_is_read_with_its_bom_and_trailing_commas() -> None:
    path = SAMPLES / "qualtRics_sample_legacy_2header_bom.csv"
    export = read_qualtrics_legacy(read_grid(path.read_bytes(), path.name), path.name)
    assert export.header_rows == 2
    assert list(export.answers.columns) == ["Q1", "Q2"]
    assert export.respondent_ids == ("R_2YPOQ602ER1jkf1",)
    assert list(export.identifying.columns) == ["Name", "ExternalDataReference", "EmailAddress", "IPAddress"]
    assert "LocationAccuracy" in export.routine


def test_the_legacy_export_is_refused_for_its_ip_address_but_not_for_its_anonym_name() -> None:
    path = SAMPLES / "qualtRics_sample_legacy_2header_bom.csv"
    evaluation = load_evaluation(PILOT / "evaluation.yaml")
    with pytest.raises(PrivacyViolation) as caught:
        accept(path.read_bytes(), path.name, "0" * 12, evaluation, "cycle-1", "salt")
    assert [f.column for f in caught.value.failures] == ["IPAddress"]
