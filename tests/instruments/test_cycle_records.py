"""Cycle records on disk: the pilot's examples, wrong shapes, seals that detect edits, round trips."""

from __future__ import annotations

import re
import shutil
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from instruments.cycle import CycleRecord, predictions_fingerprint
from instruments.cycle_records import (
    advance_cycle,
    amend,
    amend_cycle,
    close_cycle,
    cycle_records_folder,
    dump_cycle_record,
    load_cycle_records,
    read_cycle_record,
    rewrite_cycle_record,
    save_cycle_record,
)
from instruments.errors import CycleStateError, DefinitionError
from tests.instruments.test_cycle_rules import MEASURES, at, complete, through

EXAMPLES = Path(__file__).parent / "cycle_records"
PILOT_MEASURES = frozenset(
    {"participant-feedback.pf_peer_helped", "participant-feedback.pf_understood", "staff-survey.aim_like"}
)


def write(folder: Path, name: str, data: dict[str, Any]) -> Path:
    path = folder / name
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


def definition_error(path: Path) -> str:
    with pytest.raises(DefinitionError) as caught:
        read_cycle_record(path)
    return str(caught.value).replace(str(path), "cycle.yaml")


def state_error(path: Path, measures: frozenset[str] = MEASURES) -> str:
    with pytest.raises(CycleStateError) as caught:
        read_cycle_record(path, measures)
    return str(caught.value).replace(str(path), "cycle.yaml")


def test_the_pilot_examples_form_one_valid_series() -> None:
    series = load_cycle_records(EXAMPLES, PILOT_MEASURES)
    assert series.check.chain == ("cycle-1", "cycle-2", "cycle-3")
    assert series.check.flags == ()
    assert [r.stage for r in series.records] == ["closed", "closed", "study"]
    assert [r.act.decision for r in series.records if r.act] == ["adapt", "adopt"]
    assert series.files["cycle-2"] == EXAMPLES / "cycle-2.yaml"
    counts = series.check.counts
    assert (counts.met, counts.not_met, counts.inconclusive, counts.awaiting_result) == (4, 1, 1, 1)
    assert (counts.adopted, counts.adapted, counts.abandoned) == (1, 1, 0)


def test_the_pilot_examples_load_from_a_list_of_files_in_any_order() -> None:
    files = [EXAMPLES / "cycle-3.yaml", EXAMPLES / "cycle-1.yaml", EXAMPLES / "cycle-2.yaml"]
    assert load_cycle_records(files).check.chain == ("cycle-1", "cycle-2", "cycle-3")


def test_an_edited_closed_example_is_detected(tmp_path: Path) -> None:
    copy = Path(shutil.copy(EXAMPLES / "cycle-1.yaml", tmp_path / "cycle.yaml"))
    text = copy.read_text("utf-8")
    copy.write_text(text.replace("verdict: not met", "verdict: met"), "utf-8")
    assert state_error(copy, PILOT_MEASURES) == (
        "cycle.yaml (cycle cycle-1): this closed cycle has been edited since it was closed (its content no "
        "longer matches the sha256 recorded when it was closed).\n"
        "What to do: Restore the record as it was closed (for example from version control) and add any "
        "correction as an amendment instead."
    )


def test_comments_and_layout_of_a_closed_record_may_change(tmp_path: Path) -> None:
    copy = Path(shutil.copy(EXAMPLES / "cycle-1.yaml", tmp_path / "cycle.yaml"))
    data = yaml.safe_load(copy.read_text("utf-8"))
    write(tmp_path, "cycle.yaml", data)  # no comments, other quoting and line breaks
    assert read_cycle_record(copy, PILOT_MEASURES).cycle_id == "cycle-1"


def test_an_edited_amendment_is_detected(tmp_path: Path) -> None:
    closed = through(at("plan"), "closed")
    amended = amend(amend(closed, date(2024, 4, 1), "manager", "One."), date(2024, 4, 2), "psw", "Two.")
    path = tmp_path / "cycle.yaml"
    save_cycle_record(amended, path)
    path.write_text(path.read_text("utf-8").replace("text: One.", "text: Won."), "utf-8")
    assert state_error(path) == (
        "cycle.yaml (cycle c1): amendment 1 has been edited, reordered or back-dated since it was added.\n"
        "What to do: Restore the amendments as they were added; write a new amendment for any further correction."
    )


def test_a_removed_amendment_breaks_the_chain_of_the_next(tmp_path: Path) -> None:
    closed = through(at("plan"), "closed")
    amended = amend(amend(closed, date(2024, 4, 1), "manager", "One."), date(2024, 4, 2), "psw", "Two.")
    dropped = amended.model_copy(update={"amendments": amended.amendments[1:]})
    with pytest.raises(CycleStateError, match="amendment 1 has been edited"):
        save_cycle_record(dropped, tmp_path / "cycle.yaml")


def test_saving_an_edited_closed_record_is_refused(tmp_path: Path) -> None:
    closed = through(at("plan"), "closed")
    edited = closed.model_copy(update={"title": "A better title"})
    with pytest.raises(CycleStateError, match="has been edited since it was closed"):
        save_cycle_record(edited, tmp_path / "cycle.yaml")
    assert not (tmp_path / "cycle.yaml").exists()


def test_a_stage_written_by_hand_is_checked_on_loading(tmp_path: Path) -> None:
    data = complete()
    del data["plan"]["questions"][0]["prediction"]
    path = write(tmp_path, "cycle.yaml", {**data, "stage": "study"})
    assert state_error(path).startswith(
        "cycle.yaml (cycle c1): it cannot move from Plan to Do while a question has no prediction: q1."
    )


SHAPES: list[tuple[str, dict[str, Any], str]] = [
    (
        "two decisions",
        {"act": {"decision": "adopt and adapt", "rationale": "R."}},
        "at act.decision: Input should be 'adopt', 'adapt' or 'abandon'",
    ),
    (
        "threshold missing",
        {
            "plan": {
                "objective": "O.",
                "questions": [
                    {
                        "id": "q1",
                        "text": "Q?",
                        "prediction": {"statement": "S.", "measure": "survey.helped", "expect": "at least"},
                    }
                ],
            }
        },
        "at plan.questions[0].prediction: 'expect: at least' needs a threshold (the number to reach)",
    ),
    (
        "unknown key",
        {"predictions": []},
        "at predictions: this key is not known (check its spelling)",
    ),
    (
        "missing objective",
        {"plan": {"questions": []}},
        "at plan.objective: this key is required",
    ),
    (
        "first cycle follows another",
        {"previous_cycle_id": "c0"},
        "at (top level): cycle number 1 is the first of its series and cannot have a previous_cycle_id",
    ),
    (
        "result for a question not asked",
        {"study": {"results": [{"question": "q9", "observed": "O.", "verdict": "met", "learning": "L."}]}},
        "at (top level): study has a result for question 'q9', which the plan does not ask",
    ),
    (
        "cited decision of another cycle",
        {"plan": {**complete(2)["plan"], "previous_decision": {"cycle": "c7", "decision": "adapt", "summary": "S."}}},
        "at (top level): plan.previous_decision cites cycle 'c7' but previous_cycle_id is 'c1'; they must be the "
        "same cycle",
    ),
    (
        "ends before it starts",
        {"dates": {"actual_start": "2024-02-01", "actual_end": "2024-01-31"}},
        "at dates: actual_end (2024-01-31) is before actual_start (2024-02-01)",
    ),
    (
        "rationale only spaces",
        {"act": {"decision": "adopt", "rationale": "   "}},
        "at act.rationale: this text is blank (empty or only spaces); write at least one word",
    ),
    (
        "seal written by hand on an open cycle",
        {"closed": {"date": "2024-03-04", "sha256": "a" * 64}},
        "at (top level): 'closed' is written by closing the cycle; stage and 'closed' must agree",
    ),
]


@pytest.mark.parametrize(("change", "problem"), [s[1:] for s in SHAPES], ids=[s[0] for s in SHAPES])
def test_a_wrong_shape_names_the_file_and_key_path(tmp_path: Path, change: dict[str, Any], problem: str) -> None:
    number = 2 if "previous_decision" in str(change) else 1
    path = write(tmp_path, "cycle.yaml", {**complete(number), **change})
    assert definition_error(path) == (
        f"cycle.yaml: the cycle record is wrong in one place:\n  {problem}\n"
        "What to do: Correct the cycle record at the key shown and run the command again."
    )


def test_a_number_written_as_a_result_is_kept_as_text(tmp_path: Path) -> None:
    data = complete()
    data["study"]["results"][1]["observed"] = 3.6
    path = write(tmp_path, "cycle.yaml", data)
    record = read_cycle_record(path)
    assert record.study is not None
    assert record.study.results[1].observed == "3.6"


def test_a_yes_or_no_written_as_text_names_the_key(tmp_path: Path) -> None:
    path = tmp_path / "cycle.yaml"
    path.write_text(yaml.safe_dump(complete()).replace("observed: Up.", "observed: no"), "utf-8")
    assert "at study.results[0].observed: Input should be a valid string" in definition_error(path)


def test_yaml_that_is_not_a_mapping_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "cycle.yaml"
    path.write_text("- just\n- a list\n", "utf-8")
    assert definition_error(path).startswith("cycle.yaml: the file must hold a mapping of keys")


def test_broken_yaml_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "cycle.yaml"
    path.write_text("cycle_id: c1\nplan: [unclosed\n", "utf-8")
    assert re.match(r"cycle\.yaml, line \d+: this is not valid YAML", definition_error(path))


def test_a_series_refusal_names_the_file_of_the_cycle(tmp_path: Path) -> None:
    shutil.copy(EXAMPLES / "cycle-1.yaml", tmp_path / "cycle-1.yaml")
    shutil.copy(EXAMPLES / "cycle-3.yaml", tmp_path / "cycle-3.yaml")
    with pytest.raises(CycleStateError) as caught:
        load_cycle_records(tmp_path)
    assert str(caught.value) == (
        f"{tmp_path / 'cycle-3.yaml'} (cycle cycle-3): it follows cycle cycle-2, which has no record here.\n"
        "What to do: Correct previous_cycle_id, or add the missing cycle's record to the folder."
    )


def test_an_empty_folder_names_the_folder(tmp_path: Path) -> None:
    with pytest.raises(CycleStateError) as caught:
        load_cycle_records(tmp_path)
    assert str(caught.value).startswith(f"cycle records in {tmp_path}: there are no cycle records.")


def test_a_missing_folder_is_a_definition_error(tmp_path: Path) -> None:
    with pytest.raises(DefinitionError, match="the cycle records folder does not exist"):
        load_cycle_records(tmp_path / "nowhere")


# --- Round trip -------------------------------------------------------------------------------

TEXT = st.text(st.characters(exclude_categories=["Cs"]), min_size=1, max_size=30).filter(lambda s: s.strip() != "")
LISTS = st.lists(TEXT, max_size=3)


@st.composite
def records(draw: st.DrawFn) -> dict[str, Any]:
    """Arbitrary records that satisfy every rule, with arbitrary text where people write text."""
    data = complete()
    questions = draw(st.integers(min_value=1, max_value=3))
    verdicts = draw(
        st.lists(st.sampled_from(["met", "not met", "inconclusive"]), min_size=questions, max_size=questions)
    )
    expect = st.sampled_from(["increase", "decrease", "no change", "at least", "at most"])
    data["title"] = draw(TEXT)
    data["purpose"] = draw(st.sampled_from(["collect information", "develop", "test", "implement"]))
    data["plan"] = {
        "objective": draw(TEXT),
        "change_idea": draw(st.text(max_size=20).filter(lambda s: "\x00" not in s) | st.just("")),
        "questions": [
            {
                "id": f"q{i}",
                "text": draw(TEXT),
                "prediction": {
                    "statement": draw(TEXT),
                    "measure": draw(st.sampled_from(sorted(MEASURES))),
                    "expect": draw(expect),
                    "threshold": draw(st.floats(allow_nan=False, allow_infinity=False, width=32)),
                },
            }
            for i in range(questions)
        ],
        "scale": {"who": draw(TEXT), "how_many": draw(st.integers(1, 500)), "where": draw(TEXT)},
        "tasks": [{"what": t} for t in draw(LISTS)],
        "data": [{"measure": m, "how": draw(TEXT)} for m in sorted(MEASURES)],
    }
    data["do"] = {"as_planned": False, "deviations": [draw(TEXT)], "problems": draw(LISTS), "unexpected": draw(LISTS)}
    data["study"] = {
        "results": [
            {"question": f"q{i}", "observed": draw(TEXT), "verdict": v, "learning": draw(TEXT)}
            for i, v in enumerate(verdicts)
        ],
        "surprises": draw(LISTS),
    }
    data["sense_making"]["dissent"] = draw(LISTS)
    data["act"] = {
        "decision": draw(st.sampled_from(["adopt", "adapt", "abandon"])),
        "rationale": draw(TEXT),
        "next_cycle": draw(TEXT),
    }
    return data


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=records())
def test_a_closed_record_round_trips_through_yaml_with_the_same_hash(tmp_path: Path, data: dict[str, Any]) -> None:
    closed = through(CycleRecord.model_validate(data), "closed")
    amended = amend(closed, date(2024, 5, 1), "evaluator", data["title"])
    path = tmp_path / "cycle.yaml"
    save_cycle_record(amended, path)
    loaded = read_cycle_record(path, MEASURES)
    assert loaded == amended
    assert loaded.closed is not None and amended.closed is not None
    assert loaded.closed.sha256 == amended.closed.sha256
    assert dump_cycle_record(loaded) == path.read_text("utf-8")


def test_the_guides_complete_example_is_the_first_pilot_record() -> None:
    guide = (Path(__file__).parents[2] / "docs" / "cycle-records.md").read_text("utf-8")
    example = guide.split("```yaml\n")[1].split("```")[0]
    assert example == (EXAMPLES / "cycle-1.yaml").read_text("utf-8")


def test_text_with_unusual_line_breaks_keeps_its_hash(tmp_path: Path) -> None:
    # Found by the round trip above: PyYAML's pure-Python emitter writes NEL so that it is read
    # back as a plain line break; such text is therefore always written double-quoted.
    data = complete()
    data["act"]["rationale"] = "line\x85next\u2028and\u2029then\r\nend"
    closed = through(CycleRecord.model_validate(data), "closed")
    save_cycle_record(closed, tmp_path / "cycle.yaml")
    assert read_cycle_record(tmp_path / "cycle.yaml") == closed
    assert '  rationale: "line' in dump_cycle_record(closed)


def test_every_refusal_the_guide_explains_is_one_evalcycle_gives() -> None:
    root = Path(__file__).parents[2]
    guide = (root / "docs" / "cycle-records.md").read_text("utf-8")
    source = "".join(
        (root / "instruments" / name).read_text("utf-8") for name in ("cycle.py", "cycle_series.py", "cycle_records.py")
    )
    source = re.sub(r'"\s*\n\s*f?"', "", source)  # join implicitly concatenated string literals
    rows = re.findall(r"^\| ([^|`]+?) \|", guide.split("## What each refusal means")[1], flags=re.MULTILINE)
    phrases = [p.strip() for row in rows for p in row.split(" / ") if row.strip() not in ("Message begins", "Message")]
    assert len(phrases) > 25
    for phrase in phrases:
        words = phrase.removeprefix("… ").split(" ")
        known = " ".join(
            words[
                : next(
                    (i for i, w in enumerate(words) if w.rstrip(",;.") in PLACEHOLDERS or w.startswith("(")), len(words)
                )
            ]
        )
        assert known in source, f"the guide quotes {phrase!r}, which no message contains"


PLACEHOLDERS = {"N", "X", "Y", "M", "q2", "…"}


# --- The steps of the cycle commands ----------------------------------------------------------

HAND_WRITTEN = """\
# Cycle 1, written by the team. This comment and the layout below stay.
cycle_id: c1
series_id: demo
aim: PSWs work alongside counsellors.
number: 1
title: Cycle 1
purpose: test
stage: plan   # evalcycle moves this on
dates: {actual_start: 2024-01-08, actual_end: 2024-02-26}
plan:
  objective: Learn whether PSWs help.
  questions:
    - id: q1
      text: Does it help?
      prediction: {statement: It helps., measure: survey.helped, expect: increase}
  scale: {who: one grief group, how_many: 10, where: main office}
  data:
    - {measure: survey.helped, how: survey after session 8}  # the facilitator sends it
"""

FILLED_IN = """\
do: {as_planned: true}
study:
  results:
    - {question: q1, observed: Up., verdict: met, learning: It helps.}
sense_making: {held_on: 2024-03-01, roles: [psw], what: W., so_what: S., now_what: N.}
act: {decision: adopt, rationale: It worked.}
"""


def test_cycle_records_live_beside_the_evaluation_file(tmp_path: Path) -> None:
    assert cycle_records_folder(tmp_path / "evaluation.yaml") == tmp_path / "cycles"


def test_advancing_to_do_writes_only_the_stage_and_the_lock(tmp_path: Path) -> None:
    path = tmp_path / "c1.yaml"
    path.write_text(HAND_WRITTEN, "utf-8")
    change = advance_cycle(tmp_path, "c1", MEASURES)
    assert (change.path, change.before.stage, change.after.stage, change.changed) == (path, "plan", "do", True)
    lock = predictions_fingerprint(change.before)
    assert (
        path.read_text("utf-8")
        == HAND_WRITTEN.replace("stage: plan   # evalcycle moves this on\n", "stage: do\n")
        + f"predictions_sha256: {lock}\n"
    )
    assert read_cycle_record(path, MEASURES) == change.after


def test_a_cycle_goes_from_plan_to_amended_with_the_teams_text_kept(tmp_path: Path) -> None:
    path = tmp_path / "c1.yaml"
    path.write_text(HAND_WRITTEN, "utf-8")
    advance_cycle(tmp_path, "c1", MEASURES)
    path.write_text(path.read_text("utf-8") + FILLED_IN, "utf-8")
    assert advance_cycle(tmp_path, "c1", MEASURES).after.stage == "study"
    assert advance_cycle(tmp_path, "c1", MEASURES).after.stage == "act"
    closed = close_cycle(tmp_path, "c1", MEASURES, date(2024, 3, 4)).after
    amended = amend_cycle(tmp_path, "c1", MEASURES, date(2024, 4, 1), "evaluator", "Survey sent late.").after
    assert closed.closed is not None
    assert path.read_text("utf-8") == (
        HAND_WRITTEN.replace("stage: plan   # evalcycle moves this on\n", "stage: closed\n")
        + f"predictions_sha256: {closed.predictions_sha256}\n"
        + FILLED_IN
        + f"closed:\n  date: '2024-03-04'\n  sha256: {closed.closed.sha256}\n"
        + "amendments:\n- date: '2024-04-01'\n  by: evaluator\n  text: Survey sent late.\n"
        + f"  sha256: {amended.amendments[0].sha256}\n"
    )
    assert read_cycle_record(path, MEASURES) == amended


def test_advancing_to_the_stage_the_cycle_is_at_changes_nothing(tmp_path: Path) -> None:
    path = tmp_path / "c1.yaml"
    path.write_text(HAND_WRITTEN, "utf-8")
    advance_cycle(tmp_path, "c1", MEASURES)
    before = path.read_bytes()
    change = advance_cycle(tmp_path, "c1", MEASURES, to_stage="do")
    assert not change.changed
    assert path.read_bytes() == before


def test_closing_or_amending_twice_changes_nothing(tmp_path: Path) -> None:
    path = tmp_path / "c1.yaml"
    save_cycle_record(through(at("plan"), "closed"), path)
    assert not close_cycle(tmp_path, "c1", MEASURES, date(2024, 5, 1)).changed
    amend_cycle(tmp_path, "c1", MEASURES, date(2024, 4, 1), "manager", "One.")
    before = path.read_bytes()
    again = amend_cycle(tmp_path, "c1", MEASURES, date(2024, 4, 1), "manager", "One.")
    assert not again.changed
    assert len(again.after.amendments) == 1
    assert path.read_bytes() == before


def test_a_refused_step_leaves_the_file_as_it_was(tmp_path: Path) -> None:
    path = tmp_path / "c1.yaml"
    path.write_text(
        HAND_WRITTEN.replace("    - id: q1\n", "    - id: q2\n      text: Unanswered?\n    - id: q1\n"), "utf-8"
    )
    before = path.read_bytes()
    with pytest.raises(CycleStateError) as caught:
        advance_cycle(tmp_path, "c1", MEASURES)
    assert str(caught.value) == (
        f"{path} (cycle c1): it cannot move from Plan to Do while a question has no prediction: q2.\n"
        "What to do: Write down what you expect for each question before the cycle starts (a measure and an "
        "expected direction or threshold)."
    )
    assert path.read_bytes() == before


def test_an_amendment_without_its_author_names_the_option(tmp_path: Path) -> None:
    path = tmp_path / "c1.yaml"
    save_cycle_record(through(at("plan"), "closed"), path)
    with pytest.raises(DefinitionError) as caught:
        amend_cycle(tmp_path, "c1", MEASURES, date(2024, 4, 1), " ", "Note.")
    assert str(caught.value) == (
        f"{path} (cycle c1): the amendment is wrong in one place:\n"
        "  at by: this text is blank (empty or only spaces); write at least one word\n"
        "What to do: Say who writes the amendment and what it records, then run the command again."
    )


def test_an_unknown_cycle_id_lists_the_cycles_there_are(tmp_path: Path) -> None:
    for name in ("cycle-1", "cycle-2", "cycle-3"):
        shutil.copy(EXAMPLES / f"{name}.yaml", tmp_path / f"{name}.yaml")
    with pytest.raises(DefinitionError) as caught:
        advance_cycle(tmp_path, "cycle-9", PILOT_MEASURES)
    assert str(caught.value) == (
        f"cycle records in {tmp_path}: no record has the cycle_id 'cycle-9'; the records are cycle-1, cycle-2, "
        "cycle-3.\nWhat to do: Name the cycle by the cycle_id written in its record, for example CYCLE=cycle-1."
    )


def test_a_layout_that_cannot_be_edited_in_place_is_written_out_whole(tmp_path: Path) -> None:
    # YAML also reads JSON; evalcycle's keys cannot be replaced line by line in it.
    path = tmp_path / "c1.yaml"
    record = at("plan")
    path.write_text("# Kept.\n" + record.model_dump_json(exclude_none=True) + "\n", "utf-8")
    moved = advance_cycle(tmp_path, "c1", MEASURES).after
    assert path.read_text("utf-8") == "# Kept.\n" + dump_cycle_record(moved)


def test_rewriting_the_same_record_writes_nothing(tmp_path: Path) -> None:
    path = tmp_path / "c1.yaml"
    path.write_text(HAND_WRITTEN, "utf-8")
    assert rewrite_cycle_record(path, read_cycle_record(path)) is False
    assert path.read_text("utf-8") == HAND_WRITTEN
