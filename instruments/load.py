"""Reading an evaluation from YAML: the only I/O in ``instruments/``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from instruments.errors import DefinitionError
from instruments.evaluation import Evaluation

_FIX = "Correct the evaluation file at the key shown and run the command again."


def key_path(location: tuple[int | str, ...]) -> str:
    """Render a pydantic error location as a key path, e.g. ``instruments[0].items[2].scale``."""
    path = ""
    for part in location:
        if isinstance(part, int):
            path += f"[{part}]"
        else:
            path += f".{part}" if path else part
    return path or "(top level)"


def load_evaluation(path: Path) -> Evaluation:
    """Load and check an evaluation file; every mistake becomes one :class:`DefinitionError`."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise DefinitionError(
            str(path),
            "the evaluation file does not exist.",
            "Check the path, or set EVALCYCLE_EVALUATION to your evaluation's YAML file.",
        ) from None
    except UnicodeDecodeError:
        raise DefinitionError(
            str(path),
            "the evaluation file is not UTF-8 text.",
            "Save the file as UTF-8 in your editor and run the command again.",
        ) from None
    try:
        data: Any = yaml.safe_load(text)
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        where = f"{path}, line {mark.line + 1}" if mark is not None else str(path)
        raise DefinitionError(
            where,
            "this is not valid YAML (check indentation, colons and quotes).",
            _FIX,
        ) from None
    if not isinstance(data, dict):
        raise DefinitionError(
            str(path),
            "the file must hold a mapping of keys (id, title, roles, instruments, cycles, ...).",
            _FIX,
        )
    try:
        evaluation = Evaluation.model_validate(data)
    except ValidationError as err:
        raise DefinitionError(str(path), describe_validation(err, "the evaluation definition"), _FIX) from None
    if evaluation.privacy.roster is None:
        return evaluation
    roster = path.parent / evaluation.privacy.roster
    try:
        lines = roster.read_text(encoding="utf-8-sig").splitlines()
    except (FileNotFoundError, UnicodeDecodeError):
        raise DefinitionError(
            f"{path}, at privacy.roster",
            f"the roster file {roster.name!r} is missing or is not UTF-8 text.",
            "Put the roster (one name per line) beside the evaluation file, or correct the path.",
        ) from None
    names = tuple(line.strip() for line in lines if line.strip() and not line.lstrip().startswith("#"))
    return evaluation.model_copy(update={"privacy": evaluation.privacy.model_copy(update={"roster_names": names})})


def describe_validation(err: ValidationError, what: str) -> str:
    """Every problem pydantic found, one per line with its key path, in words an evaluator reads."""
    lines = []
    for problem in err.errors(include_url=False):
        message = problem["msg"].removeprefix("Value error, ")
        if problem["type"] == "extra_forbidden":
            message = "this key is not known (check its spelling)"
        elif problem["type"] == "missing":
            message = "this key is required"
        lines.append(f"at {key_path(tuple(problem['loc']))}: {message}")
    places = "in one place" if len(lines) == 1 else f"in {len(lines)} places"
    return f"{what} is wrong {places}:\n  " + "\n  ".join(lines)
