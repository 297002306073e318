"""The one exception tree of evalcycle.

Every error a user can meet is one of these. Each message answers three questions, in words an
evaluator who is not a programmer can act on: **where** (file, ``sheet!cell``, row/column),
**what** is wrong and why it matters, and **what to do**. Messages name columns and cells; they
never quote respondent content.

    EvalcycleError
    ├── DefinitionError        the evaluation's YAML (or a cycle record) is wrong
    ├── CycleStateError        a PDSA rule was broken (e.g. Plan → Do without a prediction)
    ├── InputRefused           a file was refused; the flows quarantine it with its report
    │   ├── UnreadableFile     it cannot be decoded, parsed or recognised
    │   ├── UnmappedInput      it holds columns or speakers the evaluation does not map
    │   ├── PrivacyViolation   it would identify a respondent of an anonymous source
    │   ├── ContractViolation  its rows break the table contract (every failing cell listed)
    │   └── TamperedWorkbook   a reviewer workbook was changed where it must not be
    └── InsufficientData       a statistic cannot honestly be computed from these data

Errors are translated into quarantine reports and Prefect artifacts only in ``flows/``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Failure:
    """One failing place in a refused input, as written to ``failures.csv``."""

    rule: str
    problem: str
    row: int | None = None
    column: str | None = None
    cell: str | None = None

    def as_row(self, file: str) -> dict[str, str]:
        return {
            "file": file,
            "row": "" if self.row is None else str(self.row),
            "column": self.column or "",
            "cell": self.cell or "",
            "rule": self.rule,
            "problem": self.problem,
        }


class EvalcycleError(Exception):
    """Base of every evalcycle error: where, what is wrong, what to do."""

    def __init__(self, where: str, problem: str, action: str) -> None:
        self.where = where
        self.problem = problem
        self.action = action
        super().__init__(where, problem, action)

    def __str__(self) -> str:
        return f"{self.where}: {self.problem}\nWhat to do: {self.action}"

    def __reduce__(self) -> tuple[Any, ...]:
        # Prefect keeps task failures as state; errors must survive pickling intact.
        return (type(self), (self.where, self.problem, self.action))


class DefinitionError(EvalcycleError):
    """The evaluation definition (YAML) is wrong; names the file and the key path."""


class CycleStateError(EvalcycleError):
    """A PDSA-cycle rule was broken; says which rule and how to satisfy it."""


class InputRefused(EvalcycleError):
    """A file was refused. It is quarantined with ``REFUSED.md`` and ``failures.csv``.

    ``rule`` is a short machine-readable name of the rule that refused it; ``failures`` lists
    every failing place (row, column or cell) found, so one report shows all that needs fixing.
    """

    rule: str = "input.refused"

    def __init__(
        self,
        where: str,
        problem: str,
        action: str,
        *,
        rule: str | None = None,
        failures: tuple[Failure, ...] = (),
    ) -> None:
        super().__init__(where, problem, action)
        if rule is not None:
            self.rule = rule
        self.failures = failures or (Failure(rule=self.rule, problem=problem),)

    def __reduce__(self) -> tuple[Any, ...]:
        return (
            _rebuild_refusal,
            (type(self), self.where, self.problem, self.action, self.rule, self.failures),
        )


def _rebuild_refusal(
    cls: type[InputRefused],
    where: str,
    problem: str,
    action: str,
    rule: str,
    failures: tuple[Failure, ...],
) -> InputRefused:
    return cls(where, problem, action, rule=rule, failures=failures)


class UnreadableFile(InputRefused):
    """The file cannot be decoded, parsed, or recognised as a known export."""

    rule = "file.unreadable"


class UnmappedInput(InputRefused):
    """The file holds columns or speakers that the evaluation does not map."""

    rule = "mapping.missing"


class PrivacyViolation(InputRefused):
    """The file would identify a respondent of a source that must stay anonymous."""

    rule = "privacy.identifying"


class ContractViolation(InputRefused):
    """Rows of the file break the contract of the table they would be stored in."""

    rule = "contract.violated"


class TamperedWorkbook(InputRefused):
    """A returned reviewer workbook was changed where it must not be."""

    rule = "workbook.tampered"


class InsufficientData(EvalcycleError):
    """A statistic cannot honestly be computed; the report says so in words instead."""
