"""The cycle record commands: check, advance, close and amend, on copies of the 3-cycle pilot's records."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from flows.__main__ import app
from instruments.cycle import CycleRecord, predictions_fingerprint
from tests.conftest import REPOSITORY

PILOT_3 = REPOSITORY / "examples" / "psw-pilot-3"

# The fourth cycle of the pilot's series, written by hand at Plan, as a team would.
CYCLE_4 = """\
# Cycle 4: match each PSW to a group (written by the team)
cycle_id: cycle-4
series_id: psw-groups
aim: Peer Support Workers co-lead our group counselling programs in a role that participants find helpful
  and safe, and that staff find clear, acceptable and workable.
number: 4
previous_cycle_id: cycle-3
title: Match each PSW to a group by their experience
purpose: implement
stage: plan
dates: {actual_start: 2026-09-07, actual_end: 2026-11-13}
plan:
  objective: Learn whether matching PSWs to groups keeps the model helpful as it spreads.
  previous_decision: {cycle: cycle-3, decision: adapt, summary: Cycle 3 asked for a matching step.}
  questions:
    - id: helpful
      text: Do participants find the PSW's experience helpful?
      prediction:
        statement: Participants rate it 3.8 or more on average.
        measure: participant-feedback.pf_peer_helped
        expect: at least
        threshold: 3.8
  scale: {who: the three groups, how_many: 36, where: main office}
  data:
    - {measure: participant-feedback.pf_peer_helped, how: anonymous survey after every session}
"""

DONE = """\
do: {as_planned: true}
study:
  results:
    - {question: helpful, observed: Mean 4.1 (80 answers)., verdict: met, learning: Matching works.}
sense_making: {held_on: 2026-11-12, roles: [psw, manager], what: W., so_what: S., now_what: N.}
act: {decision: adopt, rationale: Matching kept the model helpful in every group.}
"""


@pytest.fixture
def cycles(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the pilot's evaluation file and cycle records; the commands use it."""
    shutil.copy(PILOT_3 / "evaluation.yaml", tmp_path / "evaluation.yaml")
    shutil.copytree(PILOT_3 / "cycles", tmp_path / "cycles")
    monkeypatch.setenv("EVALCYCLE_EVALUATION", str(tmp_path / "evaluation.yaml"))
    return tmp_path / "cycles"


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_the_bundled_pilot_passes_the_check(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("EVALCYCLE_EVALUATION", raising=False)
    code, out, err = run("cycle-check")
    lines = out.splitlines()
    assert (code, err) == (0, "")
    assert lines[:4] == [
        f"Cycle records in {PILOT_3 / 'cycles'} (series psw-groups): no rule is broken.",
        "cycle-1: closed on 2026-04-06",
        "cycle-2: closed on 2026-06-22",
        "cycle-3: closed on 2026-08-31",
    ]
    assert lines[4].startswith("Note (the report says so too): Cycle ")
    assert lines[4].endswith("decided to adapt the change, but the next cycle has no record yet.")


def test_advancing_a_complete_plan_record_to_do_locks_its_predictions(cycles: Path) -> None:
    path = cycles / "cycle-4.yaml"
    path.write_text(CYCLE_4, "utf-8")
    code, out, err = run("cycle-advance", "--cycle", "cycle-4")
    assert (code, err) == (0, "")
    assert out == (
        f"cycle-4 moved from Plan to Do ({path}).\n"
        "Its questions and predictions are locked now: predictions_sha256 is written in the record.\n"
        "Next: at Do; before it can move to Study: it cannot move from Do to Study before the Do log says whether "
        "the cycle ran as planned.\n"
        "  What to do: Fill in do.as_planned (true or false) and list any problems and unexpected observations.\n"
    )
    planned = CycleRecord.model_validate(yaml.safe_load(CYCLE_4))
    assert path.read_text("utf-8") == (
        CYCLE_4.replace("stage: plan\n", "stage: do\n") + f"predictions_sha256: {predictions_fingerprint(planned)}\n"
    )
    code, out, err = run("cycle-check", "--cycle", "cycle-4")
    assert (code, err) == (0, "")
    assert out.splitlines()[1].startswith("cycle-4: at Do; before it can move to Study:")


def test_advancing_a_plan_record_without_a_prediction_leaves_the_file_as_it_was(cycles: Path) -> None:
    path = cycles / "cycle-4.yaml"
    unpredicted = "    - id: workload\n      text: Is it too much?\n    - id: helpful\n"
    path.write_text(CYCLE_4.replace("    - id: helpful\n", unpredicted), "utf-8")
    before = path.read_bytes()
    code, out, err = run("cycle-advance", "--cycle", "cycle-4")
    assert (code, out) == (2, "")
    assert err == (
        f"{path} (cycle cycle-4): it cannot move from Plan to Do while a question has no prediction: workload.\n"
        "What to do: Write down what you expect for each question before the cycle starts (a measure and an "
        "expected direction or threshold).\n"
    )
    assert path.read_bytes() == before


def test_a_closed_record_cannot_be_advanced(cycles: Path) -> None:
    path = cycles / "cycle-3.yaml"
    before = path.read_bytes()
    code, out, err = run("cycle-advance", "--cycle", "cycle-3")
    assert (code, out) == (2, "")
    assert err == (
        f"{path} (cycle cycle-3): a closed cycle cannot move to another stage or be changed.\n"
        "What to do: Add an amendment to record a correction, or plan the next cycle in a new record.\n"
    )
    assert path.read_bytes() == before


def test_a_record_moved_to_do_by_hand_fails_the_check(cycles: Path) -> None:
    path = cycles / "cycle-4.yaml"
    path.write_text(CYCLE_4.replace("stage: plan\n", "stage: do\n"), "utf-8")
    code, out, err = run("cycle-check")
    assert (code, out) == (2, "")
    assert err == (
        f"{path} (cycle cycle-4): its predictions were not locked when it moved to Do (predictions_sha256 is "
        "missing), so nobody can tell whether they were written before the results.\n"
        "What to do: Set the stage back to plan and move the cycle to Do with make cycle-advance CYCLE=cycle-4, "
        "which locks the predictions.\n"
    )


def test_a_cycle_is_advanced_closed_and_amended_once_each(cycles: Path) -> None:
    path = cycles / "cycle-4.yaml"
    path.write_text(CYCLE_4, "utf-8")
    assert run("cycle-advance", "--cycle", "cycle-4")[0] == 0
    path.write_text(path.read_text("utf-8") + DONE, "utf-8")
    assert run("cycle-advance", "--cycle", "cycle-4")[1].startswith(f"cycle-4 moved from Do to Study ({path}).")
    assert run("cycle-advance", "--cycle", "cycle-4", "--to", "act")[1] == (
        f"cycle-4 moved from Study to Act ({path}).\nNext: at Act, ready to close: make cycle-close CYCLE=cycle-4\n"
    )
    assert run("cycle-advance", "--cycle", "cycle-4", "--to", "act")[1] == (
        f"cycle-4 is already at Act; nothing changed ({path}).\n"
    )
    assert run("cycle-advance", "--cycle", "cycle-4")[2] == (
        f"{path} (cycle cycle-4): a cycle is closed by the close step, which records the date and a fingerprint "
        "of the record.\n"
        "What to do: Close the cycle instead, with make cycle-close CYCLE=cycle-4 (add DATE=YYYY-MM-DD if it did "
        "not close today).\n"
    )
    code, out, _ = run("cycle-close", "--cycle", "cycle-4", "--on", "2026-11-16")
    assert code == 0
    assert out.startswith("cycle-4 is closed on 2026-11-16 and sealed (sha256 ")
    assert run("cycle-close", "--cycle", "cycle-4")[1] == (
        f"cycle-4 was already closed on 2026-11-16; nothing changed ({path}).\n"
    )
    amendment = ("cycle-amend", "--cycle", "cycle-4", "--by", "evaluator", "--text", "Sent late.", "--on", "2026-11-20")
    assert run(*amendment)[1] == f"Amendment 1 added to cycle-4 ({path}).\n"
    assert run(*amendment)[1] == f"cycle-4 already ends with this amendment (number 1); nothing changed ({path}).\n"
    assert path.read_text("utf-8").startswith("# Cycle 4: match each PSW to a group (written by the team)\n")
    code, out, err = run("cycle-check")
    assert (code, err) == (0, "")
    assert out.splitlines()[-1] == "cycle-4: closed on 2026-11-16"


def test_an_unknown_cycle_or_stage_is_refused(cycles: Path) -> None:
    code, _, err = run("cycle-advance", "--cycle", "cycle-9")
    assert code == 2
    assert err.startswith(f"cycle records in {cycles}: no record has the cycle_id 'cycle-9'; the records are ")
    code, _, err = run("cycle-advance", "--cycle", "cycle-3", "--to", "done")
    assert code == 2
    assert "Invalid value for --to: 'done' is not a stage" in err  # in a box that may wrap the rest
