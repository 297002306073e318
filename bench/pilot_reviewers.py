"""Two simulated reviewers for the three-cycle PSW pilot: coded workbooks, then a reconciled sheet.

    python -m bench.pilot_reviewers --workspace WORKSPACE [--out examples/psw-pilot-3/coding] [--seed 0]

reads the workbooks ``make prepare-coding`` wrote to ``WORKSPACE/coding/<cycle>/out/<reviewer>.xlsx``
(and the segments beside them in ``WORKSPACE/validated/segments/<cycle>/``) and writes, per cycle,
what the two reviewers return:

- ``OUT/<cycle>/<reviewer>.xlsx``: each reviewer's codes, only in the unlocked answer cells;
- ``OUT/<cycle>/disagreements.xlsx``: the disagreement workbook evalcycle writes from those two,
  with the Reconciled column filled as the reviewers would after talking it through;
- ``OUT/cycle-2/first-return/reviewer-b.xlsx``: a planted tampered return (a locked Text cell
  "tidied" by the reviewer) that import-coding must refuse, before the corrected one arrives.

How the reviewers code (all transparent, no model):

1. **Truth.** Each code has a short list of phrases (:data:`RULES`) taken from the pilot's
   scripts in ``bench/pilot_text.py``; a segment has the code when its text holds one of them.
   Turns of the evaluation facilitator (the interview questions) have no code.
2. **Noise.** Each reviewer misses a share of true codes and adds a few false ones
   (:data:`NOISE`), decided per (seed, cycle, segment, code, reviewer) by a SHA-256 draw, so
   the result does not depend on the order of rows. This gives moderate-to-good agreement
   (pooled kappa about 0.6-0.8).
3. **Habits.** ``role-replacement`` is sparse (few segments talk of it); ``reviewer-b`` never uses
   ``stakeholder-engagement`` and codes ``program-fit`` there instead (:data:`NEVER_USED`).
4. **Reconciliation.** Where the two differ, they settle on the truth of step 1.

The same seed gives the same cell values. Workbooks are saved with evalcycle's fixed document
dates, but their zip bytes depend on the zlib build: compare them cell by cell
(:func:`workbook_values`), as ``tests/flows/test_pilot_end_to_end.py`` does.
"""

from __future__ import annotations

import argparse
import hashlib
import shutil
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

import pandas as pd
from openpyxl import load_workbook
from openpyxl.worksheet.worksheet import Worksheet

from instruments.atomic import write_bytes_atomic
from instruments.evaluation import Evaluation
from instruments.load import load_evaluation
from reports.disagreement_workbook import DISAGREEMENTS_SHEET, RECONCILED_HEADER, write_disagreement_workbook
from reports.reviewer_workbook import SEGMENTS_SHEET, read_reviewer_workbook
from reports.workbook import ABSENT, PRESENT, SEGMENT_HEADERS, stable_bytes

REPOSITORY = Path(__file__).resolve().parent.parent
PILOT = REPOSITORY / "examples" / "psw-pilot-3"
DISAGREEMENTS = "disagreements.xlsx"
#: Where the planted tampered return sits, before the corrected one is returned.
FIRST_RETURN = "first-return"
TAMPERED = ("cycle-2", "reviewer-b")

#: Phrases (lower case) whose presence in a segment's text makes a code true. Taken from the
#: interview scripts and consensus notes of ``bench/pilot_text.py``.
RULES: dict[str, tuple[str, ...]] = {
    "role-distinct": (
        "space only i can fill",
        "not allowed to do",
        "complements",
        "equal partners",
        "different work, same goal",
        "sits beside counselling",
        "holds the hope",
        "i do the clinical part",
        "i bring the psychoeducation",
        "counsellor leads",
        "complementary",
    ),
    "role-clarity": (
        "who does what",
        "role description",
        "not clear yet",
        "not part of my role",
        "role confusion",
        "where my line is",
    ),
    "role-replacement": ("replace", "don't need counsellors"),
    "debrief": ("debrief",),
    "team-communication": ("plan together", "planning", "agreed it up front", "in the loop", "equal partners"),
    "lived-experience": (
        "lost my dad",
        "own experience",
        "their story",
        "lived experience",
        "lived-experience",
        "from my own life",
        "share less",
        "own recovery",
        "stories",
    ),
    "plain-language": (
        "plain words",
        "plain-language",
        "real examples",
        "makes it real",
        "made sense",
        "learning gaps",
    ),
    "participant-connection": ("open up", "relate", "talk more", "talk to the psw", "feel safer", "less alone"),
    "program-fit": ("carry over", "family group", "each program", "each new program", "look the same"),
    "psw-match": ("wrong fit", "match psws", "family experience", "ideal-candidate", "a psw with"),
    "stakeholder-engagement": (
        "ask that team",
        "asked them first",
        "ask each new program",
        "written with its staff",
        "starting with its staff",
        "meeting that team",
    ),
    "boundaries": (
        "boundar",
        "my number",
        "sticky note",
        "phone number",
        "where my line is",
        "how much the psw shares",
    ),
    "confidentiality": ("confidential",),
    "triggers": ("trigger", "shaky", "close to mine", "close to home", "hard week", "this was hard for me"),
    "readiness": ("readiness", "who is ready", "ready for every topic", "where they are in their recovery"),
    "barrier-understanding": ("clear picture", "understand the peer role", "agency thinks"),
    "barrier-workload": ("workload", "caseload", "stretched", "rushes off", "no time", "the schedule, not"),
    "barrier-resources": ("funding", "budget"),
    "enabler-leadership": ("strategic plan", "leadership", "co-creation", "with a vote", "all-staff meeting"),
    "enabler-structures": (
        "role description",
        "on the schedule",
        "paid for everyone",
        "agreement like mine",
        "protect the debrief",
        "checkpoint",
        "check-in with each psw",
    ),
}

#: (share of true codes missed, share of absent codes marked present), per reviewer.
NOISE: dict[str, tuple[float, float]] = {"reviewer-a": (0.1, 0.005), "reviewer-b": (0.15, 0.01)}
#: A code a reviewer never uses, and the code they use for it instead.
NEVER_USED: dict[str, tuple[str, str]] = {"reviewer-b": ("stakeholder-engagement", "program-fit")}
#: Speaker roles whose turns are not coded (the interviewer's questions).
NOT_CODED_ROLES = frozenset({"facilitator"})


def truth(text: str, speaker_role: str, code_id: str) -> bool:
    """Whether the code applies to the segment, by the phrase rules of :data:`RULES`."""
    if speaker_role in NOT_CODED_ROLES:
        return False
    lowered = text.casefold()
    return any(phrase in lowered for phrase in RULES.get(code_id, ()))


def draw(seed: int, *key: str) -> float:
    """A uniform number in [0, 1) fixed by the seed and the key (independent of call order)."""
    digest = hashlib.sha256(":".join((str(seed), *key)).encode("utf-8")).digest()
    return int.from_bytes(digest[:8], "big") / 2**64


def reviewer_codes(
    text: str, speaker_role: str, code_ids: Sequence[str], cycle_id: str, segment_id: str, reviewer: str, seed: int
) -> dict[str, bool]:
    """What one reviewer answers for every code of one segment."""
    missed, added = NOISE.get(reviewer, (0.15, 0.015))
    answers: dict[str, bool] = {}
    for code_id in code_ids:
        true = truth(text, speaker_role, code_id)
        chance = draw(seed, cycle_id, segment_id, code_id, reviewer)
        answers[code_id] = (chance >= missed) if true else (chance < added and speaker_role not in NOT_CODED_ROLES)
    if reviewer in NEVER_USED:
        unused, instead = NEVER_USED[reviewer]
        if answers.get(unused):
            answers[unused] = False
            answers[instead] = True
    return answers


def _columns(sheet: Worksheet) -> dict[str, int]:
    header = next(sheet.iter_rows(min_row=1, max_row=1, values_only=True))
    return {str(value): number for number, value in enumerate(header, start=1) if value is not None}


def fill_reviewer_workbook(
    prepared: Path, returned: Path, reviewer: str, cycle_id: str, code_ids: Sequence[str], seed: int
) -> None:
    """Copy ``prepared`` to ``returned`` with every answer cell filled as ``reviewer`` would."""
    workbook = load_workbook(prepared)
    sheet = workbook[SEGMENTS_SHEET]
    columns = _columns(sheet)
    text_column = columns[SEGMENT_HEADERS[4]]
    speaker_column = columns[SEGMENT_HEADERS[2]]
    for row in range(2, sheet.max_row + 1):
        segment_id = sheet.cell(row, 1).value
        if segment_id is None:
            continue
        text = str(sheet.cell(row, text_column).value or "")
        speaker = str(sheet.cell(row, speaker_column).value or "")
        answers = reviewer_codes(text, speaker, code_ids, cycle_id, str(segment_id), reviewer, seed)
        for code_id, present in answers.items():
            sheet.cell(row, columns[code_id]).value = PRESENT if present else ABSENT
    write_bytes_atomic(returned, stable_bytes(workbook))


def tamper(returned: Path, tampered: Path) -> None:
    """A return in which the reviewer 'tidied' a locked Text cell: PSW written out in full."""
    workbook = load_workbook(returned)
    sheet = workbook[SEGMENTS_SHEET]
    text_column = _columns(sheet)[SEGMENT_HEADERS[4]]
    for row in range(2, sheet.max_row + 1):
        cell = sheet.cell(row, text_column)
        if isinstance(cell.value, str) and "PSW" in cell.value:
            cell.value = cell.value.replace("PSW", "peer support worker", 1)
            break
    else:
        raise ValueError(f"{returned.name} has no Text cell to tamper with")
    write_bytes_atomic(tampered, stable_bytes(workbook))


def reconcile(disagreements: Path, reconciled: Path) -> int:
    """Fill the Reconciled column as the two reviewers would agree after discussion; rows filled."""
    workbook = load_workbook(disagreements)
    sheet = workbook[DISAGREEMENTS_SHEET]
    columns = _columns(sheet)
    filled = 0
    for row in range(2, sheet.max_row + 1):
        code_id = sheet.cell(row, columns["Code"]).value
        if code_id is None:
            continue
        text = str(sheet.cell(row, columns[SEGMENT_HEADERS[4]]).value or "")
        speaker = str(sheet.cell(row, columns[SEGMENT_HEADERS[2]]).value or "")
        agreed = truth(text, speaker, str(code_id))
        sheet.cell(row, columns[RECONCILED_HEADER]).value = PRESENT if agreed else ABSENT
        filled += 1
    write_bytes_atomic(reconciled, stable_bytes(workbook))
    return filled


def simulate_cycle(workspace: Path, out: Path, evaluation: Evaluation, cycle_id: str, seed: int = 0) -> list[Path]:
    """Write the returned workbooks and the reconciled sheet of one cycle into ``out/<cycle>/``."""
    prepared = workspace / "coding" / cycle_id / "out"
    target = out / cycle_id
    code_ids = [code.id for code in evaluation.codebook.codes]
    reviewers = evaluation.coding.reviewers
    segments = pd.read_parquet(workspace / "validated" / "segments" / cycle_id / "segments.parquet")
    written = []
    codings = []
    for reviewer in reviewers:
        returned = target / f"{reviewer}.xlsx"
        fill_reviewer_workbook(prepared / f"{reviewer}.xlsx", returned, reviewer, cycle_id, code_ids, seed)
        codings.append(read_reviewer_workbook(returned, segments, evaluation.codebook, cycle_id, reviewer))
        written.append(returned)
        if (cycle_id, reviewer) == TAMPERED:
            first = target / FIRST_RETURN / f"{reviewer}.xlsx"
            tamper(returned, first)
            written.append(first)
    with tempfile.TemporaryDirectory() as scratch:
        sheet = Path(scratch) / DISAGREEMENTS
        write_disagreement_workbook(
            sheet, segments, pd.concat(codings, ignore_index=True), evaluation.codebook, cycle_id, reviewers
        )
        reconcile(sheet, target / DISAGREEMENTS)
    written.append(target / DISAGREEMENTS)
    return written


def workbook_values(path: Path) -> dict[str, list[tuple[object, ...]]]:
    """Every sheet's cell values (hidden sheets too), for comparing workbooks without their zip bytes."""
    workbook = load_workbook(path)
    return {sheet.title: [tuple(row) for row in sheet.iter_rows(values_only=True)] for sheet in workbook.worksheets}


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--workspace", type=Path, required=True, help="a workspace where prepare-coding has run")
    parser.add_argument("--out", type=Path, default=PILOT / "coding", help="where the returned workbooks go")
    parser.add_argument("--evaluation", type=Path, default=PILOT / "evaluation.yaml")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    evaluation = load_evaluation(args.evaluation)
    for cycle_id in evaluation.cycle_ids():
        if args.out.joinpath(cycle_id).exists():
            shutil.rmtree(args.out / cycle_id / FIRST_RETURN, ignore_errors=True)
        for path in simulate_cycle(args.workspace, args.out, evaluation, cycle_id, args.seed):
            print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
