"""Inspecting an export before it is mapped: what evalcycle sees in it, and a draft mapping.

This is how an evaluator adds a new survey to an evaluation: inspect one export, complete the
draft mapping (item ids for each column), paste it under the instrument, and ingest.
"""

from __future__ import annotations

from dataclasses import dataclass

import yaml

from validation.intake import read_survey, read_turns
from validation.platform import MAPPING_PLATFORM, Platform, recognise
from validation.survey_export import SurveyExport


@dataclass(frozen=True)
class Inspection:
    name: str
    platform: Platform
    reason: str
    header_rows: int
    data_rows: int
    answer_columns: tuple[tuple[str, str], ...]  # (stable key, header as shown)
    refused_if_filled: tuple[str, ...]
    dropped: tuple[str, ...]
    left_out: dict[str, int]
    notes: tuple[str, ...]
    speakers: tuple[str, ...] = ()

    def draft_mapping(self) -> str:
        """A YAML snippet for the instrument's ``exports:``, item ids left for the evaluator."""
        if self.platform not in MAPPING_PLATFORM:
            return ""
        columns = {key: "" for key, _ in self.answer_columns}
        body = yaml.safe_dump(
            {"exports": [{"platform": MAPPING_PLATFORM[self.platform], "columns": columns}]},
            sort_keys=False,
            allow_unicode=True,
            width=1000,
        )
        lines = [
            f"# Draft mapping for {self.name} ({self.platform.value}).",
            "# Give each column the id of the item it answers (or item=choice for a one-column-per-choice",
            "# export), delete columns you do not use and list them under 'ignore:', then paste this",
            "# under the instrument in your evaluation file. The header text of each column:",
            *(f"#   {key}: {shown}" for key, shown in self.answer_columns if shown != key),
            body.rstrip("\n"),
            "",
        ]
        return "\n".join(lines)

    def describe(self) -> str:
        lines = [
            f"File: {self.name}",
            f"Recognised as: {self.platform.value} ({self.reason})",
        ]
        if self.header_rows == 0:
            lines.append(f"Turns: {self.data_rows}")
            lines.append(f"Speakers: {', '.join(self.speakers) if self.speakers else 'none named'}")
            return "\n".join(lines)
        lines += [
            f"Header rows: {self.header_rows}; responses: {self.data_rows}",
            f"Answer columns ({len(self.answer_columns)}): " + ", ".join(k for k, _ in self.answer_columns),
            "Refused if they hold a value (identifying): " + (", ".join(self.refused_if_filled) or "none"),
            "Dropped (routine metadata): " + (", ".join(self.dropped) or "none"),
        ]
        if self.left_out:
            lines.append("Left out of analysis: " + ", ".join(f"{n} {r}" for r, n in sorted(self.left_out.items())))
        lines += [f"Note: {note}" for note in self.notes]
        return "\n".join(lines)


def inspect_file(data: bytes, name: str) -> Inspection:
    """What evalcycle recognises in a file, without needing an instrument mapping."""
    recognition = recognise(data, name)
    if recognition.grid is None:
        turns = read_turns(recognition, name)
        speakers = tuple(sorted({t.speaker for t in turns if t.speaker}))
        return Inspection(name, recognition.platform, recognition.reason, 0, len(turns), (), (), (), {}, (), speakers)
    if recognition.platform is Platform.REDCAP_DICTIONARY:
        rows = len(recognition.grid.rows) - 1
        return Inspection(name, recognition.platform, recognition.reason, 1, rows, (), (), (), {}, ())
    export: SurveyExport = read_survey(recognition, name, {})
    left_out = dict.fromkeys(set(export.excluded.values()), 0)
    for reason in export.excluded.values():
        left_out[reason] += 1
    if export.partial:
        left_out["unfinished response"] = len(export.partial)
    return Inspection(
        name=name,
        platform=recognition.platform,
        reason=recognition.reason,
        header_rows=export.header_rows,
        data_rows=len(export.respondent_ids),
        answer_columns=tuple((key, export.column_names.get(key, key)) for key in export.answers.columns),
        refused_if_filled=tuple(export.identifying.columns),
        dropped=export.routine,
        left_out=left_out,
        notes=export.notes,
    )
