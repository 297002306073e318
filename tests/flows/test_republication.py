"""Publishing a cycle again: never so that two versions side by side describe a few late respondents."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from flows.publish_cycle import check_republication, published_sessions
from flows.settings import Settings
from instruments.errors import InsufficientData
from tests.conftest import PILOT


def _summary(n: list[int]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "instrument_id": ["participant-feedback"] * 2,
            "item_id": ["pf_safe", "pf_peer_helped"],
            "n": n,
            "mean": [3.9, 4.1],
            "agree_share": [0.7, 0.8],
            "suppressed": [False, False],
        }
    )


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    settings = Settings(workspace=tmp_path, evaluation=PILOT / "evaluation.yaml")
    folder = settings.published / "cycle-2"
    folder.mkdir(parents=True)
    _summary([66, 70]).to_csv(folder / "rating_summary.csv", index=False)
    reach = pd.DataFrame({"group": ["Grief group"], "responses": [70], "sessions": [10]})
    reach.to_csv(folder / "reach.csv", index=False)
    return settings


def test_the_same_counts_published_again_pass(settings: Settings) -> None:
    reach = pd.DataFrame({"group": ["Grief group"], "responses": [70], "sessions": [11]})
    check_republication(settings, "cycle-2", {"rating_summary.csv": _summary([66, 70]), "reach.csv": reach}, 5)
    check_republication(settings, "cycle-3", {"rating_summary.csv": _summary([61, 62])}, 5)  # nothing published


def test_counts_that_changed_by_fewer_than_k_refuse_the_new_version_with_what_to_do(settings: Settings) -> None:
    reach = pd.DataFrame({"group": ["Grief group"], "responses": [72], "sessions": [10]})
    with pytest.raises(InsufficientData) as caught:
        check_republication(settings, "cycle-2", {"rating_summary.csv": _summary([68, 75]), "reach.csv": reach}, 5)
    assert str(caught.value) == (
        "published/cycle-2/ (rating_summary.csv 'participant-feedback / pf_safe', n: 66 then, 68 now; "
        "reach.csv 'Grief group', responses: 70 then, 72 now): 2 count(s) of people would change by 1 to 4 "
        "since this cycle's report was published, so the two versions side by side would describe those few "
        "people.\n"
        "What to do: Publish this cycle again once at least 5 more people have answered. If the earlier "
        "version was never shared, delete the folder published/cycle-2/ and publish again."
    )


def test_the_run_chart_points_of_every_published_report_are_gathered(settings: Settings) -> None:
    assert published_sessions(settings) is None
    points = pd.DataFrame(
        {
            "item_id": ["pf_safe"],
            "measure": ["Felt safe"],
            "group": ["Grief group"],
            "session": ["2026-04-14"],
            "n": [9],
        }
    )
    for folder in ("cycle-2", "series"):
        (settings.published / folder).mkdir(exist_ok=True)
        points.to_csv(settings.published / folder / "measures.csv", index=False)
    gathered = published_sessions(settings)
    assert gathered is not None
    assert gathered.to_dict("list") == {
        "item_id": ["pf_safe"] * 2,
        "group": ["Grief group"] * 2,
        "session": ["2026-04-14"] * 2,
        "n": [9, 9],
    }
