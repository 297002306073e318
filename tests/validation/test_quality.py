"""Whole-table quality checks: suites from the evaluation, GX results, offline Data Docs.

great-expectations is slow to import and to run, so three runs (a good cycle, a bad one and an
empty one) share one workspace, made once for the module.
"""

from __future__ import annotations

import ast
import os
import re
import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pytest

from instruments.evaluation import Evaluation
from tests.conftest import REPOSITORY
from validation.profiles import answer_grid, profile
from validation.quality import QualityReport, run_quality_checks
from validation.quality_suites import quality_suites, with_timed_sources

CANARY_COMMENT = "Canary comment from Zephyrine Quillfeather"
CANARY_TURN = "Canary turn spoken by Bartholomew Xanthopoulos"

EVALUATION = Evaluation.model_validate(
    {
        "id": "quality-test",
        "title": "Quality test",
        "roles": [{"id": "participant", "label": "P"}, {"id": "psw", "label": "PSW"}],
        "scales": [
            {"id": "agree5", "labels": ["1", "2", "3", "4", "5"]},
            {"id": "yes-no", "labels": ["No", "Yes"]},
        ],
        "instruments": [
            {
                "id": "feedback",
                "title": "Feedback",
                "kind": "survey",
                "respondents": ["participant"],
                "items": [
                    {"id": "q_welcome", "text": "Welcome?", "scale": "agree5"},
                    {"id": "q_again", "text": "Again?", "scale": "yes-no"},
                    {"id": "q_better", "text": "Better?"},
                ],
            },
            {
                "id": "staff-interview",
                "title": "Interview",
                "kind": "interview",
                "respondents": ["psw"],
                "files": ["interview-*"],
            },
            {
                "id": "consensus",
                "title": "Consensus",
                "kind": "consensus",
                "respondents": ["psw"],
                "files": ["consensus-*"],
            },
        ],
        "cycles": [
            {"id": "cycle-1", "title": "One"},
            {"id": "cycle-2", "title": "Two"},
            {"id": "cycle-3", "title": "Three"},
        ],
    }
)

TOKENS = [f"r-{n:016x}" for n in range(1, 5)]


def responses(cycle: str, answers: list[tuple[int, str, int]]) -> pd.DataFrame:
    rows = [
        {
            "respondent_token": TOKENS[who],
            "instrument_id": "feedback",
            "cycle_id": cycle,
            "item_id": item,
            "value": value,
        }
        for who, item, value in answers
    ]
    columns = ["respondent_token", "instrument_id", "cycle_id", "item_id", "value"]
    return pd.DataFrame(rows, columns=columns).astype({"value": "int64"})


def comments(cycle: str) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                "respondent_token": TOKENS[0],
                "instrument_id": "feedback",
                "cycle_id": cycle,
                "item_id": "q_better",
                "text": CANARY_COMMENT,
            },
            {
                "respondent_token": TOKENS[2],
                "instrument_id": "feedback",
                "cycle_id": cycle,
                "item_id": "q_better",
                "text": "More time.",
            },
        ]
    )


def utterances(
    cycle: str, turns: list[tuple[str, str, float | None, float | None]], word_interview: int = 0
) -> pd.DataFrame:
    """Turns of a timed interview and of consensus notes, then ``word_interview`` untimed turns of a Word interview."""
    rows = []
    turns = [*turns, *[("word", "psw", None, None)] * word_interview]
    for number, (kind, role, start, end) in enumerate(turns, start=1):
        rows.append(
            {
                "source_id": {"interview": "a", "word": "c"}.get(kind, "b") * 12,
                "instrument_id": "consensus" if kind == "consensus" else "staff-interview",
                "cycle_id": cycle,
                "source_kind": "consensus" if kind == "consensus" else "interview",
                "turn": number,
                "speaker_role": role,
                "start_s": start,
                "end_s": end,
                "text": f"{CANARY_TURN} ({number})",
            }
        )
    columns = [
        "source_id",
        "instrument_id",
        "cycle_id",
        "source_kind",
        "turn",
        "speaker_role",
        "start_s",
        "end_s",
        "text",
    ]
    frame = pd.DataFrame(rows, columns=columns)
    return frame.astype({"turn": "int64", "start_s": "float64", "end_s": "float64"})


GOOD = {
    # q_welcome answered by all four, q_again by three of four: 25% skipped, under the floor.
    "survey_responses": responses(
        "cycle-1",
        [
            *[(0, "q_welcome", 5), (1, "q_welcome", 1), (2, "q_welcome", 3), (3, "q_welcome", 4)],
            *[(0, "q_again", 2), (1, "q_again", 1), (2, "q_again", 2)],
        ],
    ),
    "survey_comments": comments("cycle-1"),
    "utterances": utterances(
        "cycle-1",
        [
            ("interview", "psw", 0.0, 4.5),
            ("interview", "unknown", 4.5, 9.0),
            ("interview", "participant", 9.0, 9.0),
            ("consensus", "group", None, None),
        ],
        word_interview=2,
    ),
}

BAD = {
    # q_again is a yes/no item: 4 is on no scale of it (the contract allows up to 11).
    # q_welcome answered by one respondent of four: 75% skipped.
    "survey_responses": responses(
        "cycle-2",
        [(0, "q_welcome", 4), (0, "q_again", 4), (1, "q_again", 1), (2, "q_again", 2), (3, "q_again", 1)],
    ),
    # An export mapped without its item column.
    "survey_comments": comments("cycle-2").drop(columns="item_id"),
    "utterances": utterances(
        "cycle-2",
        [
            ("interview", "driver", 0.0, 4.0),
            ("interview", "psw", 8.0, 5.0),
            ("interview", "psw", None, None),  # a timed transcript that lost one timing
            ("consensus", "group", None, None),
        ],
        word_interview=1,
    ),
}

EMPTY = {
    "survey_responses": responses("cycle-3", []),
    "utterances": utterances("cycle-3", []),
}


@dataclass(frozen=True)
class Workspace:
    base: Path
    cwd: Path
    gx_root: Path
    docs_dir: Path
    good: QualityReport
    bad: QualityReport
    empty: QualityReport


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Workspace]:
    base = tmp_path_factory.mktemp("quality")
    cwd = base / "cwd"
    cwd.mkdir()
    gx_root, docs_dir = base / "gx-root", base / "quality" / "data-docs"
    before = Path.cwd()
    os.chdir(cwd)
    try:
        reports = [
            run_quality_checks(tables, EVALUATION, cycle, gx_root, docs_dir)
            for tables, cycle in ((GOOD, "cycle-1"), (BAD, "cycle-2"), (EMPTY, "cycle-3"))
        ]
    finally:
        os.chdir(before)
    yield Workspace(base, cwd, gx_root, docs_dir, *reports)


def failed(report: QualityReport) -> set[tuple[str, str]]:
    return {(check.suite, check.key) for check in report.failures}


def test_every_check_holds_on_good_tables(workspace: Workspace) -> None:
    assert failed(workspace.good) == set()
    assert workspace.good.success
    assert [s.suite for s in workspace.good.suites] == [
        "survey_responses",
        "survey_responses.answers.feedback",
        "survey_comments",
        "utterances",
    ]


def test_bad_tables_fail_exactly_the_checks_they_break(workspace: Workspace) -> None:
    assert failed(workspace.bad) == {
        ("survey_responses", "scale:feedback:yes-no"),
        ("survey_responses.answers.feedback", "answered:feedback:q_welcome"),
        ("utterances", "speaker-role"),
        ("utterances", "time-forward"),
        ("utterances", "timed-throughout"),
        ("survey_comments", "columns"),
        ("survey_comments", "complete:item_id"),
        ("survey_comments", "one-answer-per-item"),
        ("survey_comments", "item:feedback"),
    }
    not_evaluated = {check.key for check in workspace.bad.failures if not check.evaluated}
    assert not_evaluated == {"complete:item_id", "one-answer-per-item", "item:feedback"}
    by_key = {check.key: check for check in workspace.bad.failures}
    assert by_key["scale:feedback:yes-no"].expectation == "ExpectColumnValuesToBeBetween"
    assert by_key["scale:feedback:yes-no"].unexpected_count == 1
    assert by_key["speaker-role"].unexpected_count == 1
    assert by_key["time-forward"].expectation == "ExpectColumnPairValuesAToBeGreaterThanB"
    assert by_key["time-forward"].unexpected_count == 1
    # The untimed turn of the timed transcript, not the Word interview's or the notes'.
    assert by_key["timed-throughout"].unexpected_count == 1


def test_empty_tables_fail_their_row_count(workspace: Workspace) -> None:
    assert failed(workspace.empty) == {("survey_responses", "rows"), ("utterances", "rows")}
    rows = next(c for c in workspace.empty.failures if c.suite == "utterances")
    assert rows.observed == 0
    assert rows.expectation == "ExpectTableRowCountToBeBetween"


def test_the_share_of_skipped_answers_is_reported_per_item(workspace: Workspace) -> None:
    def skipped(report: QualityReport) -> dict[str, float | None]:
        grid = next(s for s in report.suites if s.suite == "survey_responses.answers.feedback")
        return {c.column or "": c.unexpected_percent for c in grid.checks}

    assert skipped(workspace.good) == {"q_welcome": 0.0, "q_again": 25.0}
    assert skipped(workspace.bad) == {"q_welcome": 75.0, "q_again": 0.0}


def test_the_report_holds_no_respondent_text_or_failing_value(workspace: Workspace) -> None:
    for report in (workspace.good, workspace.bad):
        shown = repr(report) + repr(report.rows()) + report.summary_page.read_text("utf-8")
        assert CANARY_COMMENT not in shown
        assert "Bartholomew" not in shown
        assert "driver" not in shown  # the unknown role is a failing value


def test_gx_never_receives_free_text(workspace: Workspace) -> None:
    for folder in (workspace.gx_root, workspace.docs_dir):
        for path in folder.rglob("*"):
            if path.is_file() and path.suffix in {".json", ".html", ".yml"}:
                text = path.read_text("utf-8")
                assert "Zephyrine" not in text, path
                assert "Bartholomew" not in text, path


def test_data_docs_are_written_under_the_given_folders_only(workspace: Workspace) -> None:
    assert list(workspace.cwd.iterdir()) == []
    assert sorted(p.name for p in workspace.base.iterdir()) == ["cwd", "gx-root", "quality"]
    assert sorted(p.name for p in workspace.gx_root.iterdir()) == ["gx"]
    assert not any(p.is_file() for p in (workspace.gx_root / "gx" / "uncommitted" / "data_docs").rglob("*"))
    docs = workspace.docs_dir
    assert workspace.bad.summary_page == docs / "cycles" / "cycle-2.html"
    assert workspace.bad.index_page == docs / "index.html"
    assert workspace.bad.gx_index_page == docs / "great-expectations" / "index.html"
    assert workspace.bad.gx_index_page.is_file()
    assert len(list((docs / "great-expectations" / "validations").rglob("*.html"))) >= 4 + 4 + 2
    for suite in workspace.bad.suites:
        assert suite.gx_page is not None
        assert suite.gx_page.is_file()
        assert suite.gx_page.is_relative_to(docs / "great-expectations" / "validations")
        link = suite.gx_page.relative_to(docs).as_posix()
        assert f'href="../{link}"' in workspace.bad.summary_page.read_text("utf-8")
    index = workspace.bad.index_page.read_text("utf-8")
    for cycle in ("cycle-1", "cycle-2", "cycle-3"):
        assert f'href="cycles/{cycle}.html"' in index


REMOTE_RESOURCE = re.compile(
    r"""<(?:link|script|img)\b[^>]*\b(?:href|src)\s*=\s*["']?(?:https?:)?//|url\(\s*["']?(?:https?:)?//""",
    re.IGNORECASE,
)


def test_no_data_docs_page_loads_anything_from_the_network(workspace: Workspace) -> None:
    pages = [*workspace.docs_dir.rglob("*.html"), *workspace.docs_dir.rglob("*.css")]
    assert len(pages) > 10
    for page in pages:
        found = REMOTE_RESOURCE.search(page.read_text("utf-8"))
        assert found is None, f"{page}: {found and found.group(0)}"


def test_the_summary_page_is_accessible_html(workspace: Workspace) -> None:
    html = workspace.bad.summary_page.read_text("utf-8")
    assert html.startswith('<!DOCTYPE html>\n<html lang="en">')
    assert "<h1>Data quality: cycle cycle-2</h1>" in html
    assert html.count("<caption>") == len(workspace.bad.suites) + 1  # one per suite, one for failures
    assert '<th scope="col">Check</th>' in html
    assert "http://" not in html
    assert "https://" not in html
    total = sum(len(suite.checks) for suite in workspace.bad.suites)
    assert f"{total - 9} of {total} checks held; 9 failed." in html
    assert html.count("Failed (not evaluated)") == 2 * 3  # in the failures table and its suite's


def browser_dom(page: Path, profile_dir: Path) -> str:
    chromium = shutil.which("chromium")
    if chromium is None:
        if os.environ.get("EVALCYCLE_REQUIRE_TOOLS") == "1":
            pytest.fail("chromium is not on PATH, and EVALCYCLE_REQUIRE_TOOLS=1 forbids skipping")
        pytest.skip(reason="chromium is not on PATH (install Debian's chromium to run this test)")
    result = subprocess.run(
        [
            chromium,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            # No name resolves: the page must render from the file alone.
            "--host-resolver-rules=MAP * ~NOTFOUND",
            f"--user-data-dir={profile_dir}",
            "--dump-dom",
            page.as_uri(),
        ],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return result.stdout


def test_the_summary_page_opens_in_a_real_browser(workspace: Workspace, tmp_path: Path) -> None:
    dom = browser_dom(workspace.bad.summary_page, tmp_path / "profile")
    assert "Data quality: cycle cycle-2" in dom
    assert "Every timed turn ends at or after its start." in dom
    assert "Checks that failed" in dom


def test_the_suites_follow_the_evaluation() -> None:
    suite, *_ = quality_suites(GOOD, EVALUATION, "cycle-1")
    scales = {c.key: dict(c.arguments) for c in suite.checks if c.key.startswith("scale:")}
    assert scales == {
        "scale:feedback:agree5": {"column": "value", "min_value": 1, "max_value": 5},
        "scale:feedback:yes-no": {"column": "value", "min_value": 1, "max_value": 2},
    }
    again = next(c for c in suite.checks if c.key == "scale:feedback:yes-no")
    assert again.condition == "instrument_id = feedback and item_id in (q_again)"
    items = next(c for c in suite.checks if c.key == "item:feedback")
    assert items.arguments["value_set"] == ["q_again", "q_welcome"]
    assert items.condition == "instrument_id = feedback"
    roles = next(c for c in quality_suites(GOOD, EVALUATION, "cycle-1")[-1].checks if c.key == "speaker-role")
    assert roles.arguments["value_set"] == ["group", "participant", "psw", "unknown"]


def test_the_answer_grid_counts_comment_only_respondents() -> None:
    only_ratings = responses("cycle-1", [(1, "q_welcome", 3)])
    instrument = EVALUATION.instrument("feedback")
    grid = answer_grid(only_ratings, comments("cycle-1"), instrument)
    assert list(grid.columns) == ["q_welcome", "q_again"]
    assert grid["q_welcome"].notna().tolist() == [False, True, False]  # tokens 1, 2, 3 sorted


def test_a_table_missing_key_columns_gets_no_answer_grid() -> None:
    broken = {"survey_responses": GOOD["survey_responses"].drop(columns="value")}
    assert [s.name for s in quality_suites(broken, EVALUATION, "cycle-1")] == ["survey_responses"]


def test_gx_sees_text_lengths_not_text() -> None:
    shown = profile(comments("cycle-1"))
    assert "text" not in shown.columns
    assert shown["text_length"].tolist() == [len(CANARY_COMMENT), len("More time.")]


def test_a_table_without_a_suite_is_refused() -> None:
    with pytest.raises(ValueError) as caught:
        quality_suites({"answers": pd.DataFrame()}, EVALUATION, "cycle-1")
    assert str(caught.value) == (
        "no quality suite for table(s) answers; known tables are survey_responses, survey_comments, utterances"
    )


def test_a_cycle_outside_the_evaluation_is_refused_before_gx_runs(tmp_path: Path) -> None:
    with pytest.raises(ValueError) as caught:
        run_quality_checks(GOOD, EVALUATION, "../cycle-9", tmp_path / "gx", tmp_path / "docs")
    assert str(caught.value) == (
        "cycle '../cycle-9' is not a cycle of evaluation 'quality-test' (cycle-1, cycle-2, cycle-3)"
    )
    assert list(tmp_path.iterdir()) == []


def test_great_expectations_is_imported_only_when_checks_run() -> None:
    # GX takes seconds to import; the flows import these modules on every start.
    for module in ("quality", "quality_suites", "profiles", "data_docs"):
        tree = ast.parse((REPOSITORY / "validation" / f"{module}.py").read_text("utf-8"))
        top_level: list[str] = []
        for node in tree.body:
            if isinstance(node, ast.Import):
                top_level += [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                top_level.append(node.module or "")
        assert not [name for name in top_level if name.startswith("great_expectations")], module


def test_every_check_is_explained_in_the_evaluators_guide() -> None:
    guide = (REPOSITORY / "docs" / "data-quality.md").read_text("utf-8")
    families = {
        check.key.split(":")[0] for suite in quality_suites(GOOD, EVALUATION, "cycle-1") for check in suite.checks
    }
    assert len(families) > 10
    for family in sorted(families):
        assert f"`{family}`" in guide, f"check {family!r} is missing from docs/data-quality.md"


def test_a_transcript_counts_as_timed_when_any_of_its_turns_has_a_time() -> None:
    frame = pd.DataFrame({"source_id": ["a", "a", "b", "c"], "start_s": [None, 3.0, None, 0.0]})
    assert with_timed_sources(frame)["timed_source"].tolist() == ["yes", "yes", "no", "yes"]
    without = frame.drop(columns="start_s")
    assert with_timed_sources(without) is without
