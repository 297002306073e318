from __future__ import annotations

import pickle

import pytest

from instruments.errors import (
    ContractViolation,
    CycleStateError,
    DefinitionError,
    EvalcycleError,
    Failure,
    InputRefused,
    InsufficientData,
    PrivacyViolation,
    TamperedWorkbook,
    UnmappedInput,
    UnreadableFile,
)


def test_message_says_where_what_and_what_to_do() -> None:
    error = DefinitionError("evaluation.yaml", "the key 'cycles' is missing.", "Add at least one cycle.")
    assert str(error) == "evaluation.yaml: the key 'cycles' is missing.\nWhat to do: Add at least one cycle."


@pytest.mark.parametrize("cls", [DefinitionError, CycleStateError, InsufficientData, UnreadableFile, PrivacyViolation])
def test_every_error_survives_pickling_with_its_message(cls: type[EvalcycleError]) -> None:
    error = cls("where", "what.", "do this.")
    copy = pickle.loads(pickle.dumps(error))
    assert type(copy) is cls
    assert str(copy) == str(error)


def test_refusal_keeps_rule_and_failures_through_pickling() -> None:
    failures = (Failure(rule="r.one", problem="bad", row=4, column="Q1"),)
    error = ContractViolation("f.csv", "bad rows.", "fix them.", rule="r.one", failures=failures)
    copy = pickle.loads(pickle.dumps(error))
    assert copy.rule == "r.one"
    assert copy.failures == failures


def test_refusal_without_listed_failures_reports_itself_as_one_failure() -> None:
    error = UnmappedInput("f.csv", "column X is not mapped.", "map it.")
    assert error.rule == "mapping.missing"
    assert error.failures == (Failure(rule="mapping.missing", problem="column X is not mapped."),)


def test_refusals_share_one_base_so_flows_can_quarantine_them() -> None:
    for cls in (UnreadableFile, UnmappedInput, PrivacyViolation, ContractViolation, TamperedWorkbook):
        assert issubclass(cls, InputRefused)
        assert issubclass(cls, EvalcycleError)
    assert not issubclass(InsufficientData, InputRefused)


def test_failure_row_for_the_csv_leaves_unknown_places_blank() -> None:
    row = Failure(rule="r", problem="p", column="Q1").as_row("f.csv")
    assert row == {"file": "f.csv", "row": "", "column": "Q1", "cell": "", "rule": "r", "problem": "p"}
