from __future__ import annotations

import pandas as pd
import pytest

from analysis.likert import summarise_ratings
from instruments.evaluation import Evaluation
from instruments.load import load_evaluation
from reports.cycle_report import build_cycle_report, render_cycle_report
from tests.conftest import PILOT


@pytest.fixture(scope="module")
def evaluation() -> Evaluation:
    return load_evaluation(PILOT / "evaluation.yaml")


def ratings(item: str, values: list[int]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "respondent_token": [f"r-{i:016x}" for i in range(len(values))],
            "instrument_id": "participant-feedback",
            "cycle_id": "cycle-1",
            "item_id": item,
            "value": values,
        }
    )


def test_the_report_shows_items_in_plain_words_and_withholds_small_ones(evaluation: Evaluation) -> None:
    data = pd.concat([ratings("pf_welcome", [5, 4, 4, 2, 5, 3]), ratings("pf_peer_helped", [5, 5])])
    summary = summarise_ratings(data, {"pf_welcome": 5, "pf_peer_helped": 5}, k=5)
    report = build_cycle_report(evaluation, "cycle-1", summary, ("1 interview with staff.",))
    html = render_cycle_report(report)
    assert "I felt welcome in the group." in html
    assert '<td class="number">6</td>' in html
    assert "67%" in html
    assert "Not shown: fewer than 5 people answered." in html
    assert "1 figure was withheld for this reason." in html
    assert report.suppressed_count == 1


def test_text_in_the_report_is_escaped(evaluation: Evaluation) -> None:
    summary = summarise_ratings(ratings("pf_welcome", [5, 5, 5, 5, 5]), {"pf_welcome": 5}, k=5)
    report = build_cycle_report(evaluation, "cycle-1", summary, ("<script>alert(1)</script>",))
    html = render_cycle_report(report)
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;" in html


def test_the_report_is_a_self_contained_page(evaluation: Evaluation) -> None:
    empty = summarise_ratings(ratings("pf_welcome", []), {"pf_welcome": 5}, k=5)
    html = render_cycle_report(build_cycle_report(evaluation, "cycle-1", empty, ()))
    assert html.startswith("<!DOCTYPE html>")
    assert '<html lang="en">' in html
    assert "http://" not in html and "https://" not in html
    assert "No rating answers were received in this cycle." in html
