"""The three-cycle pilot end to end, under Prefect, twice: same manifest, planted refusals, no canary anywhere."""

from __future__ import annotations

import datetime
import hashlib
import html
import os
import re
import zipfile
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from bench.pilot_reviewers import FIRST_RETURN, simulate_cycle, workbook_values
from flows.run_pilot import MANIFEST, PilotRun, manifest_lines, run_pilot
from flows.settings import Settings
from flows.summary import pilot_summary
from instruments.load import load_evaluation
from tests.conftest import REPOSITORY

PILOT = REPOSITORY / "examples" / "psw-pilot-3"
GOLDEN = REPOSITORY / "tests" / "golden" / "pilot"
#: The planted identifiers of examples/psw-pilot-3/README.md, and the parts a leak could show.
CANARIES = ("Marisol Quintero", "Quintero", "dana.whitlock@example.org", "whitlock", "403-555-0147", "555-0199")
#: Workspace folders that hold outputs (inbox, landing and quarantine keep the raw files on purpose).
OUTPUT_FOLDERS = ("validated", "published", "coding", "quality")
TEXT_SUFFIXES = {".html", ".csv", ".md", ".json", ".txt", ".yaml", ".yml", ".svg", ".css", ".js", ".qdc", ".xml"}

Runs = tuple[Settings, PilotRun, str, PilotRun, str]
WINDOW: dict[str, datetime.datetime] = {}


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> Runs:
    workspace = tmp_path_factory.mktemp("pilot")
    settings = Settings(workspace=workspace, evaluation=PILOT / "evaluation.yaml")
    WINDOW["start"] = datetime.datetime.now(datetime.UTC)
    first = run_pilot(settings)
    first_manifest = (settings.published / MANIFEST).read_text("utf-8")
    second = run_pilot(settings)
    WINDOW["end"] = datetime.datetime.now(datetime.UTC)
    return settings, first, first_manifest, second, (settings.published / MANIFEST).read_text("utf-8")


def text_of(path: Path) -> str:
    """Everything a person or program could read in an output file, as one string."""
    suffix = path.suffix.lower()
    if suffix == ".parquet":
        return pd.read_parquet(path).to_csv()
    if suffix == ".xlsx":
        workbook = load_workbook(path)
        return "\n".join(
            str(value) for sheet in workbook.worksheets for row in sheet.iter_rows(values_only=True) for value in row
        )
    if suffix in {".qdpx", ".docx", ".zip"}:
        with zipfile.ZipFile(path) as archive:
            return "\n".join(archive.read(name).decode("utf-8", "replace") for name in archive.namelist())
    if suffix == ".pdf":
        # pypdf's text extraction; a PDF that cannot be read as text fails the scan rather than passing it.
        text = "\n".join(page.extract_text() for page in PdfReader(path).pages)
        assert text.strip(), f"{path} has no extractable text"
        return text
    if suffix in TEXT_SUFFIXES:
        return path.read_text("utf-8")
    return path.read_bytes().decode("utf-8", "replace")


def canaries_in(text: str) -> list[str]:
    flat = " ".join(text.split()).casefold()
    return [canary for canary in CANARIES if canary.casefold() in flat]


def test_the_canaries_are_the_ones_the_pilot_readme_plants_and_sit_in_the_raw_inbox() -> None:
    readme = (PILOT / "README.md").read_text("utf-8")
    raw = "\n".join(text_of(path) for path in sorted((PILOT / "inbox").rglob("*")) if path.is_file())
    for canary in CANARIES:
        assert canary in readme
    # The scan below can only pass honestly if it finds them where they are.
    assert set(canaries_in(raw)) == set(CANARIES)


def test_a_second_run_writes_the_same_manifest(runs: Runs) -> None:
    settings, _, first, second_run, second = runs
    assert first == second
    assert second_run.manifest == settings.published / MANIFEST


def test_the_manifest_lists_every_published_file_with_its_hash(runs: Runs) -> None:
    settings, _, manifest, _, _ = runs
    lines = manifest.splitlines()
    files = sorted(
        p.relative_to(settings.published).as_posix()
        for p in settings.published.rglob("*")
        if p.is_file() and p.name != MANIFEST
    )
    assert [line.split("  ", 1)[1] for line in lines] == files
    for line in lines:
        digest, name = line.split("  ", 1)
        assert hashlib.sha256((settings.published / name).read_bytes()).hexdigest() == digest
    assert lines == manifest_lines(settings.published)
    for cycle in ("cycle-1", "cycle-2", "cycle-3"):
        assert f"{cycle}/report.html" in files
        assert f"{cycle}/agreement.csv" in files


def test_the_two_planted_inbox_files_are_refused_into_quarantine_with_their_reports(runs: Runs) -> None:
    settings, first, _, _, _ = runs
    refused = {o.name: o for o in first.files if not o.accepted}
    assert {name: o.rule for name, o in refused.items()} == {
        "Participant feedback after group_April+8,+2026_09.30.csv": "privacy.identifying-column",
        "interview-counsellor-3-2026-06-04.txt": "transcript.unmapped-speaker",
    }
    assert len(first.files) - len(refused) == 19
    for outcome in refused.values():
        folder = settings.quarantine / outcome.sha256
        assert (folder / outcome.name).read_bytes() == next(PILOT.glob(f"inbox/*/{outcome.name}")).read_bytes()
        assert outcome.rule in (folder / "REFUSED.md").read_text("utf-8")
        assert (folder / "failures.csv").read_text("utf-8").count("\n") >= 2


def test_the_tampered_reviewer_workbook_is_refused_then_the_corrected_one_accepted(runs: Runs) -> None:
    settings, first, _, _, _ = runs
    tampered = PILOT / "coding" / "cycle-2" / FIRST_RETURN / "reviewer-b.xlsx"
    [refusal] = first.coding_refusals
    assert (refusal.cycle_id, refusal.file) == ("cycle-2", "reviewer-b.xlsx")
    folder = refusal.report.parent
    assert folder == settings.quarantine / hashlib.sha256(tampered.read_bytes()).hexdigest()
    assert (folder / "reviewer-b.xlsx").read_bytes() == tampered.read_bytes()
    report = refusal.report.read_text("utf-8")
    assert "workbook." in report
    failures = (folder / "failures.csv").read_text("utf-8")
    assert re.search(r"Segments!E\d+", failures), failures
    cycle_2 = next(status for status in first.coding if status.cycle_id == "cycle-2")
    assert cycle_2.returned == ("reviewer-a", "reviewer-b")
    assert cycle_2.refused == {}


def test_every_cycle_is_coded_reconciled_and_agrees_moderately_to_well(runs: Runs) -> None:
    settings, first, _, _, _ = runs
    assert [status.cycle_id for status in first.coding] == ["cycle-1", "cycle-2", "cycle-3"]
    never_used_by_b = set()
    for status in first.coding:
        assert status.reconciliation == "done"
        assert status.final == settings.validated / "codings" / status.cycle_id / "final.parquet"
        final = pd.read_parquet(status.final)
        assert final["value"].notna().all()
        assert status.agreement is not None
        table = pd.read_csv(status.agreement)
        kappa = float(table.loc[table["scope"] == "pooled_de_vries", "kappa"].iloc[0])
        assert 0.6 <= kappa <= 0.85, (status.cycle_id, kappa)
        codes = table[table["scope"] == "code"]
        never_used_by_b |= set(codes.loc[(codes["prevalence_a"] > 0) & (codes["prevalence_b"] == 0), "code"])
    assert "stakeholder-engagement" in never_used_by_b


def test_the_committed_returned_workbooks_are_what_the_simulated_reviewers_write(runs: Runs, tmp_path: Path) -> None:
    settings, _, _, _, _ = runs
    evaluation = load_evaluation(settings.evaluation)
    committed = sorted(p.relative_to(PILOT / "coding") for p in (PILOT / "coding").rglob("*.xlsx"))
    written = []
    for cycle_id in evaluation.cycle_ids():
        written += simulate_cycle(settings.workspace, tmp_path, evaluation, cycle_id)
    assert sorted(p.relative_to(tmp_path) for p in written) == committed
    for name in committed:
        assert workbook_values(tmp_path / name) == workbook_values(PILOT / "coding" / name), name


def test_no_canary_reaches_any_output_file(runs: Runs) -> None:
    settings, _, _, _, _ = runs
    scanned = 0
    for folder in OUTPUT_FOLDERS:
        for path in sorted((settings.workspace / folder).rglob("*")):
            if path.is_file():
                assert canaries_in(text_of(path)) == [], path
                scanned += 1
    assert scanned > 50


def test_no_published_file_names_the_workspace_so_other_machines_get_the_same_bytes(runs: Runs) -> None:
    settings, _, _, _, _ = runs
    workspace = str(settings.workspace)
    for path in sorted(settings.published.rglob("*")):
        if path.is_file():
            assert workspace not in text_of(path), path
            assert workspace.encode() not in path.read_bytes(), path


def test_no_canary_reaches_a_prefect_artifact_and_the_refusals_have_theirs(runs: Runs) -> None:
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterKey

    _, first, _, _, _ = runs
    with get_client(sync_client=True) as client:
        artifacts = client.read_artifacts(artifact_filter=ArtifactFilter(key=ArtifactFilterKey(like_="-")))
    keys = {a.key for a in artifacts}
    for artifact in artifacts:
        assert canaries_in(f"{artifact.description} {artifact.data}") == [], artifact.key
    for outcome in first.files:
        if not outcome.accepted:
            assert f"refused-{outcome.sha256[:12]}" in keys
    assert f"refused-{first.coding_refusals[0].report.parent.name[:12]}" in keys
    for cycle in ("cycle-1", "cycle-2", "cycle-3"):
        assert {f"report-{cycle}", f"agreement-{cycle}", f"quality-{cycle}"} <= keys
    # The report's artifact carries its main messages, as the report itself gives them.
    report = next(a for a in artifacts if a.key == "report-cycle-2")
    decision, _, words = STORY["cycle-2"]
    assert "Our decision." in str(report.data) and decision in str(report.data)
    assert words in " ".join(str(report.data).split())


def test_the_summary_names_each_report_the_agreement_the_refusals_and_the_manifest(runs: Runs) -> None:
    settings, first, _, _, _ = runs
    text = pilot_summary(first, settings)
    assert text.startswith("Files: 19 accepted, 2 refused.")
    for cycle in ("cycle-1", "cycle-2", "cycle-3"):
        assert f"Report for {cycle}: {settings.published / cycle / 'report.html'}" in text
        assert re.search(rf"Coding of {cycle}: reconciliation done\.\n  Agreement: pooled kappa 0\.\d\d", text)
    assert str(first.coding_refusals[0].report) in text
    assert text.count("REFUSED.md") == 3
    assert f"Manifest of the published files: {settings.published / MANIFEST}" in text


def test_a_second_run_takes_unchanged_files_from_prefects_cache(runs: Runs) -> None:
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
    assert states.count("Cached") == files
    assert states.count("Completed") == files


GOLDEN_FILES = [
    f"{cycle}/{name}"
    for cycle in ("cycle-1", "cycle-2", "cycle-3")
    for name in ("report.html", "rating_summary.csv", "agreement.csv", "measures.csv", "predictions.csv")
] + ["series/overview.html"]


@pytest.mark.golden
@pytest.mark.parametrize("name", GOLDEN_FILES)
def test_published_outputs_match_their_reviewed_golden_files(runs: Runs, name: str) -> None:
    settings, _, _, _, _ = runs
    actual = (settings.published / name).read_text("utf-8")
    golden = GOLDEN / name
    if os.environ.get("EVALCYCLE_WRITE_GOLDEN") == "1":
        golden.parent.mkdir(parents=True, exist_ok=True)
        golden.write_text(actual, encoding="utf-8")
    assert golden.exists(), f"{golden} is missing: run 'make golden' and review the diff"
    assert actual == golden.read_text("utf-8"), "output changed: review it, then run 'make golden'"


STORY = {
    # cycle: (decision, a theme its report must show, words its main messages must hold)
    "cycle-1": ("Adapt", "2. A cohesive team and safe debriefs", "debrief after every session"),
    "cycle-2": ("Adopt", "2. A cohesive team and safe debriefs", "spread it to the family support group"),
    "cycle-3": ("Adapt", "4. Fit differs by program and by PSW", "matching step into PSW recruitment"),
}


@pytest.mark.parametrize("cycle_id", sorted(STORY))
def test_each_report_tells_its_part_of_the_story_in_html_and_pdf(runs: Runs, cycle_id: str) -> None:
    settings, _, _, _, _ = runs
    decision, theme, words = STORY[cycle_id]
    html = (settings.published / cycle_id / "report.html").read_text("utf-8")
    messages = html[html.index('id="main-messages"') : html.index('id="predictions"')]
    assert f"Our decision.</strong> {decision}." in messages
    assert words in " ".join(messages.split())
    assert f">{theme}</h3>" in html
    assert f'id="measures-{cycle_id}"' in html  # the run charts of the measures over time
    pdf = " ".join(
        "\n".join(page.extract_text() for page in PdfReader(settings.published / cycle_id / "report.pdf").pages).split()
    )
    assert "Main messages" in pdf and f"Our decision. {decision}." in pdf
    assert words in pdf


@pytest.mark.parametrize("cycle_id", sorted(STORY))
def test_each_report_states_its_aim_and_the_score_rule_and_has_its_charts_as_files(runs: Runs, cycle_id: str) -> None:
    from flows.publish_cycle import SCORE_RULE

    settings, _, _, _, _ = runs
    folder = settings.published / cycle_id
    html = (folder / "report.html").read_text("utf-8")
    assert "<strong>What we are working towards.</strong> Peer Support Workers co-lead" in html
    assert SCORE_RULE in html
    charts = sorted((folder / "charts").glob("*.svg"))
    assert len(charts) == html.count('role="img"') >= 2
    for chart in charts:
        svg = chart.read_text("utf-8")
        assert svg.startswith('<?xml version="1.0" encoding="utf-8"?>\n<svg ')
        assert f'id="{chart.stem}"' in svg and "<title " in svg
        assert svg.split("\n", 1)[1].strip() in html  # the same chart as in the report


def test_the_first_report_explains_the_week_six_dip_without_singling_anyone_out(runs: Runs) -> None:
    settings, _, _, _, _ = runs
    html = (settings.published / "cycle-1" / "report.html").read_text("utf-8")
    surprises = html[html.index("<h3>What we did not expect</h3>") : html.index('id="measures-cycle-1"')]
    assert "Felt safety dipped in week 6" in surprises
    # The team's record is published as written: it names no single member of a small role group.
    for singled_out in ("One counsellor", "a PSW was", "her own"):
        assert singled_out not in html


def test_the_series_overview_lists_every_cycles_decision_and_links_its_report(runs: Runs) -> None:
    settings, _, _, _, _ = runs
    html = (settings.published / "series" / "overview.html").read_text("utf-8")
    for cycle_id in STORY:
        assert f'href="../{cycle_id}/report.html"' in html
    assert (settings.published / "series" / "overview.pdf").stat().st_size > 0


def test_the_evaluator_gets_every_published_quote_with_its_segment_id_and_no_report_shows_one(runs: Runs) -> None:
    settings, _, _, _, _ = runs
    segment_id = re.compile(r"\b[0-9a-f]{12}-\d{4}-\d{2}\b")
    for cycle_id in ("cycle-1", "cycle-2", "cycle-3"):
        review = (settings.private / "quotes" / f"{cycle_id}.md").read_text("utf-8")
        listed = segment_id.findall(review)
        report = (settings.published / cycle_id / "report.html").read_text("utf-8")
        quotes = re.findall(r"<blockquote><p>(.*?)</p></blockquote>", report)
        assert len(listed) == len(quotes) > 0, cycle_id
        assert all(html.unescape(q) in review for q in quotes), cycle_id
        assert segment_id.findall(report) == [], cycle_id
        assert canaries_in(review) == [], cycle_id
    assert not (settings.published / "quotes").exists()
