"""Cycle records on disk: one YAML file per cycle, closed with a sha256, amended by appending.

:func:`load_cycle_records` reads a folder (or a list of files), turns a wrong shape into a
:class:`~instruments.errors.DefinitionError` naming the file and key path, checks every record's
stage rules and seal, and checks the series (:func:`instruments.cycle.check_series`).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
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
    amendment_digest,
    check_record,
    fingerprint,
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
    try:
        check_record(record, known_measures)
    except CycleStateError as err:
        raise CycleStateError(f"{path} ({err.where})", err.problem, err.action) from None
    return record


@dataclass(frozen=True)
class CycleSeries:
    """The cycles of one series in chain order, with the files they came from and the series check."""

    records: tuple[CycleRecord, ...]
    files: dict[str, Path]
    check: SeriesCheck

    def record(self, cycle_id: str) -> CycleRecord:
        return next(r for r in self.records if r.cycle_id == cycle_id)


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
