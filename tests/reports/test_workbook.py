"""The parts both workbooks share, and the makings of the workbook tests (codebook, segments, a
reviewer's pen), which test_reviewer_workbook and test_disagreement_workbook import."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pandas as pd
from openpyxl import load_workbook

from instruments.evaluation import Code, Codebook, Theme
from reports.workbook import SEGMENT_COLUMNS, code_text, fingerprint, parse_choice
from validation.codings import Segments

CODEBOOK = Codebook(
    themes=(Theme(id="role", label="A distinct role"), Theme(id="team", label="A safe team")),
    codes=(
        Code(
            id="role-distinct",
            label="Distinct role",
            theme="role",
            definition="The PSW's contribution is described as different from the counsellor's.",
            use_when="Someone contrasts what each brings.",
            not_when="Only tasks are listed.",
        ),
        Code(id="debrief", label="Debriefing", theme="team", definition="Talk after a session."),
    ),
)
CODE_IDS = tuple(code.id for code in CODEBOOK.codes)
SOURCE = "0123456789ab"


def make_segments(texts: Sequence[str], contexts: Sequence[str] | None = None) -> pd.DataFrame:
    """Segments (the Segments contract's columns), one per text, all from one interview."""
    count = len(texts)
    return pd.DataFrame(
        {
            "segment_id": [f"{SOURCE}-{i + 1:04d}-01" for i in range(count)],
            "source_id": SOURCE,
            "instrument_id": "staff-interview",
            "cycle_id": "cycle-1",
            "source_kind": "interview",
            "turn": list(range(1, count + 1)),
            "position": 1,
            "speaker_role": ["psw" if i % 2 else "counsellor" for i in range(count)],
            "unit": "utterance",
            "text": list(texts),
            "context": list(contexts) if contexts is not None else [""] * count,
        }
    )


SEGMENTS = make_segments(
    [
        "We each bring something different to the session.",
        "=SUM(A1:A9) is what the spreadsheet said",
        "After the session we talk it through.",
    ],
    ["", "counsellor: We each bring something different to the session.", "psw: =SUM(A1:A9)"],
)


def edit(path: Path, cells: Mapping[str, Any], sheet: str = "Segments") -> None:
    """Change cells as a reviewer would in a spreadsheet program (openpyxl ignores protection)."""
    workbook = load_workbook(path)
    for ref, value in cells.items():
        workbook[sheet][ref] = value
    workbook.save(path)


def code_column(code_index: int) -> str:
    """Letter of a code's column on the Segments sheet (codes follow the five locked columns)."""
    return "FGHIJKLMNOPQRSTUVWXYZ"[code_index]


def test_choices_read_back_what_they_write() -> None:
    for value in (True, False, None):
        assert parse_choice(code_text(value)) == (True, value)
    assert code_text(pd.NA) is None
    assert parse_choice("  ") == (True, None)
    assert parse_choice("Yes") == (False, None)
    assert parse_choice(1) == (False, None)


def test_fingerprint_ignores_row_order_but_not_content() -> None:
    rows = [("a", "one"), ("b", "two")]
    assert fingerprint(rows) == fingerprint(rows[::-1])
    assert fingerprint(rows) != fingerprint([("a", "one"), ("b", "two ")])
    assert len(fingerprint(rows)) == 64


def test_workbooks_take_the_columns_of_the_segments_contract() -> None:
    assert set(SEGMENT_COLUMNS) <= set(Segments.to_schema().columns)
    assert set(SEGMENT_COLUMNS) <= set(SEGMENTS.columns)


def test_reviewer_guide_explains_every_refusal_rule() -> None:
    root = Path(__file__).parents[2]
    guide = (root / "docs" / "reviewer.md").read_text(encoding="utf-8")
    rules = {
        rule
        for module in ("workbook", "reviewer_workbook", "disagreement_workbook")
        for rule in re.findall(
            r"\"((?:workbook|reconciliation)\.[a-z-]+)\"",
            (root / "reports" / f"{module}.py").read_text(encoding="utf-8"),
        )
    }
    assert len(rules) >= 10
    assert sorted(rule for rule in rules if f"`{rule}`" not in guide) == []
