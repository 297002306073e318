"""The walking skeleton end to end, under Prefect: twice, with the same result."""

from __future__ import annotations

import datetime
import hashlib
import os
from pathlib import Path

import pandas as pd
import pytest

from flows.run_pilot import PilotRun, run_pilot
from flows.settings import Settings
from flows.summary import pilot_summary
from tests.conftest import PILOT, REPOSITORY

GOLDEN = REPOSITORY / "tests" / "golden" / "pilot"
CANARIES = ("jo.canary@example.org", "403-555-0199", "Riley", "Moreno", "jordan.lee@example.org")


def digests(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


WINDOW: dict[str, datetime.datetime] = {}


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> tuple[Settings, PilotRun, dict[str, str], PilotRun]:
    workspace = tmp_path_factory.mktemp("workspace")
    settings = Settings(workspace=workspace, evaluation=PILOT / "evaluation.yaml")
    WINDOW["start"] = datetime.datetime.now(datetime.UTC)
    first = run_pilot(settings)
    published = digests(settings.published)
    second = run_pilot(settings)
    WINDOW["end"] = datetime.datetime.now(datetime.UTC)
    return settings, first, published, second


def test_the_pilot_accepts_three_files_and_refuses_the_identifying_export(
    runs: tuple[Settings, PilotRun, dict[str, str], PilotRun],
) -> None:
    _, first, _, _ = runs
    accepted = sorted(o.name for o in first.files if o.accepted)
    refused = [(o.name, o.rule) for o in first.files if not o.accepted]
    assert accepted == [
        "consensus-session-2026-02-24.md",
        "interview-psw-01.vtt",
        "participant-feedback_February+12,+2026_19.05.csv",
    ]
    assert refused == [("staff-survey_February+20,+2026_10.00.csv", "privacy.identifying-column")]


def test_running_the_pilot_twice_leaves_identical_published_files(
    runs: tuple[Settings, PilotRun, dict[str, str], PilotRun],
) -> None:
    settings, _, published, second = runs
    assert "cycle-1/report.html" in published
    assert digests(settings.published) == published
    assert [p.report for p in second.publications] == [settings.published / "cycle-1" / "report.html"]


def test_a_second_run_adds_no_rows(runs: tuple[Settings, PilotRun, dict[str, str], PilotRun]) -> None:
    settings, first, _, second = runs
    assert [o.rows for o in second.files] == [o.rows for o in first.files]
    responses = pd.concat(pd.read_parquet(p) for p in (settings.validated / "survey_responses").rglob("*.parquet"))
    assert len(responses) == sum(o.rows.get("survey_responses", 0) for o in first.files)
    assert not responses.duplicated().any()


def test_the_refused_file_sits_in_quarantine_with_its_report(
    runs: tuple[Settings, PilotRun, dict[str, str], PilotRun],
) -> None:
    settings, first, _, _ = runs
    refused = next(o for o in first.files if not o.accepted)
    folder = settings.quarantine / refused.sha256
    original = PILOT / "inbox" / "cycle-1" / refused.name
    assert (folder / refused.name).read_bytes() == original.read_bytes()
    assert "privacy.identifying-column" in (folder / "REFUSED.md").read_text("utf-8")
    assert (folder / "failures.csv").read_text("utf-8").count("\n") == 4


def test_raw_inputs_are_kept_byte_for_byte_in_landing(
    runs: tuple[Settings, PilotRun, dict[str, str], PilotRun],
) -> None:
    settings, first, _, _ = runs
    for outcome in first.files:
        kept = list(settings.landing.glob(f"{outcome.sha256}.*"))
        data = (PILOT / "inbox" / "cycle-1" / outcome.name).read_bytes()
        assert any(p.read_bytes() == data for p in kept if not p.name.endswith(".meta.json"))


def test_no_canary_identifier_reaches_validated_or_published_outputs(
    runs: tuple[Settings, PilotRun, dict[str, str], PilotRun],
) -> None:
    settings, _, _, _ = runs
    for folder in (settings.validated, settings.published):
        for path in folder.rglob("*"):
            if path.suffix == ".parquet":
                text = pd.read_parquet(path).to_csv()
            elif path.is_file():
                text = path.read_text("utf-8")
            else:
                continue
            for canary in CANARIES:
                assert canary.lower() not in text.lower(), f"{canary} found in {path}"


def test_prefect_artifacts_report_the_refusal_and_the_cycle(
    runs: tuple[Settings, PilotRun, dict[str, str], PilotRun],
) -> None:
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterKey

    _, first, _, _ = runs
    refused = next(o for o in first.files if not o.accepted)
    with get_client(sync_client=True) as client:
        keys = {a.key for a in client.read_artifacts(artifact_filter=ArtifactFilter(key=ArtifactFilterKey(like_="-")))}
    assert f"refused-{refused.sha256[:12]}" in keys
    assert "report-cycle-1" in keys


def test_the_summary_says_what_was_accepted_refused_and_where_the_report_is(
    runs: tuple[Settings, PilotRun, dict[str, str], PilotRun],
) -> None:
    settings, first, _, _ = runs
    text = pilot_summary(first, settings)
    assert text.startswith("Files: 3 accepted, 1 refused.")
    assert f"Report for cycle-1: {settings.published / 'cycle-1' / 'report.html'}" in text
    assert "REFUSED.md" in text


@pytest.mark.golden
@pytest.mark.parametrize("name", ["cycle-1/report.html", "cycle-1/rating_summary.csv"])
def test_published_outputs_match_their_reviewed_golden_files(
    runs: tuple[Settings, PilotRun, dict[str, str], PilotRun], name: str
) -> None:
    settings, _, _, _ = runs
    actual = (settings.published / name).read_text("utf-8")
    golden = GOLDEN / name
    if os.environ.get("EVALCYCLE_WRITE_GOLDEN") == "1":
        golden.parent.mkdir(parents=True, exist_ok=True)
        golden.write_text(actual, encoding="utf-8")
    assert golden.exists(), f"{golden} is missing: run 'make golden' and review the diff"
    assert actual == golden.read_text("utf-8"), "output changed: review it, then run 'make golden'"


def test_a_second_run_takes_unchanged_files_from_prefects_cache(
    runs: tuple[Settings, PilotRun, dict[str, str], PilotRun],
) -> None:
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import (
        FlowFilter,
        FlowFilterName,
        FlowRunFilter,
        FlowRunFilterStartTime,
        TaskRunFilter,
        TaskRunFilterFlowRunId,
        TaskRunFilterName,
    )

    # Only this module's two pilot runs: other flow tests share the session's Prefect backend.
    window = FlowRunFilterStartTime(after_=WINDOW["start"], before_=WINDOW["end"])
    with get_client(sync_client=True) as client:
        ingests = client.read_flow_runs(
            flow_filter=FlowFilter(name=FlowFilterName(any_=["ingest-inbox"])),
            flow_run_filter=FlowRunFilter(start_time=window),
        )
        assert len(ingests) == 2
        task_runs = client.read_task_runs(
            task_run_filter=TaskRunFilter(
                name=TaskRunFilterName(like_="ingest_file"),
                flow_run_id=TaskRunFilterFlowRunId(any_=[run.id for run in ingests]),
            )
        )
    states = sorted(str(run.state.name) for run in task_runs if run.state is not None)
    files = len(runs[1].files)
    # The first run computes every file; the second finds each in the cache.
    assert states.count("Cached") == files
    assert states.count("Completed") == files


def test_the_timing_line_separates_the_flows_from_prefects_start_up(tmp_path: Path) -> None:
    from flows.ingest_inbox import IngestRun, QualitySummary
    from flows.summary import timing_line

    quality = QualitySummary("cycle-1", 54, (), tmp_path / "q.html", seconds=4.25)
    run = PilotRun(IngestRun((), (quality,)), (), seconds_in_flow=20.0)
    assert timing_line(run, 31.5) == (
        "Time: 31.5 s in all: 20.0 s in the pilot's flows (data-quality checks 4.2 s), 11.5 s before them: "
        "imports and starting Prefect's temporary server."
    )
