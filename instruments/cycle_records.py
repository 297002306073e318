"""Cycle records on disk: one YAML file per cycle, closed with a sha256, amended by appending.

:func:`load_cycle_records` reads a folder (or a list of files), turns a wrong shape into a
:class:`~instruments.errors.DefinitionError` naming the file and key path, checks every record's
stage rules and seal, and checks the series (:func:`instruments.cycle.check_series`).

:func:`advance_cycle`, :func:`close_cycle` and :func:`amend_cycle` are the steps of the
``cycle-*`` commands: each checks the whole folder first (as publishing does), changes one record
and writes back only the keys evalcycle owns (``stage``, ``predictions_sha256``, ``closed``,
``amendments``), so the team's comments and layout stay (:func:`rewrite_cycle_record`).
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from instruments.atomic import write_text_atomic
from instruments.cycle import (
    Amendment,
    CycleRecord,
    Seal,
    Stage,
    advance,
    amendment_digest,
    check_record,
    fingerprint,
    next_stage,
    rule_broken,
)
from instruments.cycle_series import SeriesCheck, check_series
from instruments.errors import CycleStateError, DefinitionError
from instruments.load import describe_validation

_FIX = "Correct the cycle record at the key shown and run the command again."


def close(record: CycleRecord, on: date) -> CycleRecord:
    """The record closed on ``on``, with the sha256 of its content; refused if a rule is unmet."""
    if record.stage == "closed":
        raise rule_broken(
            record,
            "it is already closed and cannot be closed again.",
            "Add an amendment to record a correction.",
        )
    if record.stage != "act":
        raise rule_broken(
            record,
            f"it is at {record.stage.capitalize()}; only a cycle at Act can be closed.",
            "Move the cycle through Do, Study and Act first.",
        )
    start = record.dates.actual_start
    if start is not None and on < start:
        raise rule_broken(
            record,
            f"the closing date {on.isoformat()} is before the cycle started ({start.isoformat()}).",
            "Close the cycle on or after the day it started.",
        )
    unsealed = record.model_copy(update={"stage": "closed", "closed": Seal(date=on, sha256="0" * 64)})
    sealed = unsealed.model_copy(update={"closed": Seal(date=on, sha256=fingerprint(unsealed))})
    check_record(sealed)
    return sealed


def amend(record: CycleRecord, on: date, by: str, text: str) -> CycleRecord:
    """The closed record with one more dated amendment appended (the only change a closed record takes)."""
    if record.closed is None:
        raise rule_broken(
            record,
            "amendments are for closed cycles; this one is still open.",
            "Edit the open record directly; amendments start once it is closed.",
        )
    check_record(record)
    last = record.amendments[-1] if record.amendments else None
    previous, latest = (last.sha256, last.date) if last else (record.closed.sha256, record.closed.date)
    if on < latest:
        raise rule_broken(
            record,
            f"the amendment is dated {on.isoformat()}, before the last entry ({latest.isoformat()}).",
            "Date the amendment on the day it is written; amendments are only ever added at the end.",
        )
    added = Amendment(date=on, by=by, text=text, sha256=amendment_digest(previous, on, by, text))
    return record.model_copy(update={"amendments": (*record.amendments, added)})


# libyaml's C parser and emitter when PyYAML has them (about ten times faster), else pure Python.
_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_BaseDumper: type[yaml.SafeDumper] = getattr(yaml, "CSafeDumper", yaml.SafeDumper)


class _Dumper(_BaseDumper):  # type: ignore[valid-type,misc]
    """Writes text that YAML would read back differently (unusual line breaks) in double quotes."""


def _represent_text(dumper: yaml.SafeDumper, text: str) -> yaml.ScalarNode:
    # YAML folds NEL, LS, PS and CR into plain line breaks in every style but "double-quoted",
    # which would change a closed record's content, and so its hash, on the way back in.
    style = '"' if any(c in text for c in "\x85\u2028\u2029\r") else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", text, style=style)


_Dumper.add_representer(str, _represent_text)


def dump_cycle_record(record: CycleRecord) -> str:
    """The record as YAML text, keys in the order a team reads them; empty optional keys left out."""
    data = record.model_dump(mode="json", exclude_none=True)
    return yaml.dump(data, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100)


def save_cycle_record(record: CycleRecord, path: Path) -> None:
    """Write a record atomically; a closed record is checked against its seal first."""
    check_record(record)
    write_text_atomic(path, dump_cycle_record(record))


def read_cycle_record(path: Path, known_measures: Collection[str] | None = None) -> CycleRecord:
    """Read one record and check the rules of its stage (and its seal, if closed)."""
    record = _parse(path)
    with _in_file(path):
        check_record(record, known_measures)
    return record


@contextmanager
def _in_file(path: Path) -> Iterator[None]:
    """Name the file in a broken rule's message, before the cycle: ``cycles/c.yaml (cycle c)``."""
    try:
        yield
    except CycleStateError as err:
        raise CycleStateError(f"{path} ({err.where})", err.problem, err.action) from None


@dataclass(frozen=True)
class CycleSeries:
    """The cycles of one series in chain order, with the files they came from and the series check."""

    records: tuple[CycleRecord, ...]
    files: dict[str, Path]
    check: SeriesCheck

    def record(self, cycle_id: str) -> CycleRecord:
        return next(r for r in self.records if r.cycle_id == cycle_id)

    def locate(self, cycle_id: str) -> tuple[Path, CycleRecord]:
        """The file and record of one cycle, or a :class:`DefinitionError` listing the cycles there are."""
        if cycle_id not in self.files:
            folders = sorted({str(path.parent) for path in self.files.values()})
            raise DefinitionError(
                f"cycle records in {', '.join(folders)}",
                f"no record has the cycle_id {cycle_id!r}; the records are {', '.join(self.check.chain)}.",
                "Name the cycle by the cycle_id written in its record, for example CYCLE=cycle-1.",
            )
        return self.files[cycle_id], self.record(cycle_id)


def cycle_records_folder(evaluation_file: Path) -> Path:
    """Where an evaluation's cycle records live: ``cycles/`` beside the evaluation file."""
    return evaluation_file.parent / "cycles"


def load_cycle_records(
    folder_or_files: Path | Iterable[Path], known_measures: Collection[str] | None = None
) -> CycleSeries:
    """Load every ``*.yaml`` record of a folder (or the files given) and check them as one series."""
    if isinstance(folder_or_files, Path):
        if not folder_or_files.is_dir():
            raise DefinitionError(
                str(folder_or_files),
                "the cycle records folder does not exist.",
                "Check the path; cycle records live in one folder, one YAML file per cycle.",
            )
        paths = sorted([*folder_or_files.glob("*.yaml"), *folder_or_files.glob("*.yml")])
    else:
        paths = sorted(folder_or_files)
    records = [read_cycle_record(path, known_measures) for path in paths]
    files = {record.cycle_id: path for record, path in zip(records, paths, strict=True)}
    try:
        check = check_series(records)
    except CycleStateError as err:
        cycle_id = err.where.removeprefix("cycle ")
        where = f"{files[cycle_id]} ({err.where})" if cycle_id in files else _place(folder_or_files)
        raise CycleStateError(where, err.problem, err.action) from None
    by_id = {r.cycle_id: r for r in records}
    return CycleSeries(tuple(by_id[c] for c in check.chain), files, check)


def _place(folder_or_files: Path | Iterable[Path]) -> str:
    return f"cycle records in {folder_or_files}" if isinstance(folder_or_files, Path) else "cycle records"


# --- The steps of the cycle commands -----------------------------------------------------------


@dataclass(frozen=True)
class CycleChange:
    """One step on one record file: the record before and after (the same when nothing was to do)."""

    path: Path
    before: CycleRecord
    after: CycleRecord

    @property
    def changed(self) -> bool:
        return self.after != self.before


def advance_cycle(
    folder: Path, cycle_id: str, known_measures: Collection[str], to_stage: Stage | None = None
) -> CycleChange:
    """Move one cycle to its next stage, or to ``to_stage`` (nothing to do if it is there already).

    Moving to Do locks the predictions (:func:`instruments.cycle.advance`); a cycle at Act is
    closed by :func:`close_cycle` instead. The whole folder is checked first, as publishing does.
    """
    path, record = load_cycle_records(folder, known_measures).locate(cycle_id)
    if to_stage == record.stage and record.stage != "closed":
        return CycleChange(path, record, record)
    with _in_file(path):
        moved = advance(record, to_stage or next_stage(record) or "closed", known_measures)
    rewrite_cycle_record(path, moved)
    return CycleChange(path, record, moved)


def close_cycle(folder: Path, cycle_id: str, known_measures: Collection[str], on: date) -> CycleChange:
    """Close and seal one cycle at Act on ``on``; a cycle already closed is left as it is."""
    path, record = load_cycle_records(folder, known_measures).locate(cycle_id)
    if record.closed is not None:
        return CycleChange(path, record, record)
    with _in_file(path):
        closed = close(record, on)
    rewrite_cycle_record(path, closed)
    return CycleChange(path, record, closed)


def amend_cycle(
    folder: Path, cycle_id: str, known_measures: Collection[str], on: date, by: str, text: str
) -> CycleChange:
    """Append an amendment to one closed cycle; the same amendment as the last one is not added twice."""
    path, record = load_cycle_records(folder, known_measures).locate(cycle_id)
    last = record.amendments[-1] if record.amendments else None
    if last is not None and (last.date, last.by, last.text) == (on, by, text):
        return CycleChange(path, record, record)
    try:
        with _in_file(path):
            amended = amend(record, on, by, text)
    except ValidationError as err:
        raise DefinitionError(
            f"{path} (cycle {cycle_id})",
            describe_validation(err, "the amendment"),
            "Say who writes the amendment and what it records, then run the command again.",
        ) from None
    rewrite_cycle_record(path, amended)
    return CycleChange(path, record, amended)


#: The keys evalcycle writes; everything else in a record is the team's, kept as they wrote it.
_WRITTEN_KEYS = ("stage", "predictions_sha256", "closed", "amendments")


def rewrite_cycle_record(path: Path, record: CycleRecord) -> bool:
    """Write ``record`` over its file atomically, changing only the keys evalcycle writes; whether it changed.

    Those top-level keys are replaced (or appended) in the file's own text, so the team's comments
    and layout stay. If the edited text would not read back as ``record`` (an unusual layout), the
    whole record is written in the standard layout instead, after the file's opening comments.
    """
    check_record(record)
    text = path.read_text(encoding="utf-8")
    edited = text if text.endswith("\n") or not text else text + "\n"
    old = _read_text(text)
    new = record.model_dump(mode="json", exclude_none=True)
    was = old.model_dump(mode="json", exclude_none=True) if old is not None else {}
    for key in _WRITTEN_KEYS:
        if key in new and new[key] != was.get(key):
            edited = _replace_key(edited, key, new[key])
    if _read_text(edited) != record:
        edited = _opening_comments(text) + dump_cycle_record(record)
    if edited == text:
        return False
    write_text_atomic(path, edited)
    return True


def _replace_key(text: str, key: str, value: Any) -> str:
    """``text`` with the top-level ``key`` (its line and the indented lines under it) set to ``value``."""
    block = yaml.dump({key: value}, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100)
    pattern = re.compile(rf"^{re.escape(key)}:[^\n]*\n(?:[ \t-][^\n]*\n)*", flags=re.MULTILINE)
    replaced, found = pattern.subn(lambda _: block, text, count=1)
    return replaced if found else text + block


def _read_text(text: str) -> CycleRecord | None:
    try:
        return CycleRecord.model_validate(yaml.load(text, Loader=_Loader))
    except (yaml.YAMLError, ValidationError):
        return None


def _opening_comments(text: str) -> str:
    lines = text.splitlines(keepends=True)
    opening = next((i for i, line in enumerate(lines) if line.strip() and not line.startswith("#")), len(lines))
    return "".join(lines[:opening])


def _parse(path: Path) -> CycleRecord:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise DefinitionError(str(path), "the cycle record does not exist.", "Check the file name.") from None
    except UnicodeDecodeError:
        raise DefinitionError(
            str(path), "the cycle record is not UTF-8 text.", "Save the file as UTF-8 and run the command again."
        ) from None
    try:
        data: Any = yaml.load(text, Loader=_Loader)  # a safe loader: C or Python
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        where = f"{path}, line {mark.line + 1}" if mark is not None else str(path)
        raise DefinitionError(where, "this is not valid YAML (check indentation, colons and quotes).", _FIX) from None
    if not isinstance(data, dict):
        raise DefinitionError(
            str(path), "the file must hold a mapping of keys (cycle_id, series_id, number, plan, ...).", _FIX
        )
    try:
        return CycleRecord.model_validate(data)
    except ValidationError as err:
        raise DefinitionError(str(path), _describe(err), _FIX) from None


def _describe(err: ValidationError) -> str:
    return describe_validation(err, "the cycle record")
