"""The quick verdict on a large table: it only ever says "passes" when pandera would pass the table too."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import cast

import numpy as np
import pandas as pd
import pandera.pandas as pa
import pytest
from pandera.errors import SchemaErrors

from instruments.errors import ContractViolation
from validation.conformance import passes
from validation.contracts import SurveyChoices, SurveyComments, SurveyResponses, Utterances, validate_table

TOKENS = [f"r-{n:016x}" for n in range(40)]
ITEMS = ["pf_better", "pf_understood", "pf_welcome"]


def coded(codes: np.ndarray, categories: pd.CategoricalDtype | list[str]) -> pd.Categorical:
    dtype = categories if isinstance(categories, pd.CategoricalDtype) else pd.CategoricalDtype(categories)
    return pd.Categorical.from_codes(cast(Sequence[int], codes), dtype=dtype)


def shared_tokens() -> pd.CategoricalDtype:
    return pd.CategoricalDtype(pd.Index(TOKENS, dtype=object))


def ratings(tokens: pd.CategoricalDtype | None = None) -> pd.DataFrame:
    """A ratings table laid out as the survey mapping lays it out: by respondent, then item."""
    dtype = tokens or shared_tokens()
    people = np.repeat(np.arange(len(TOKENS)), len(ITEMS))
    items = np.tile(np.arange(len(ITEMS)), len(TOKENS))
    return pd.DataFrame(
        {
            "respondent_token": coded(people, dtype),
            "instrument_id": coded(np.zeros(len(people), dtype=np.int8), ["participant-feedback"]),
            "cycle_id": coded(np.zeros(len(people), dtype=np.int8), ["cycle-1"]),
            "item_id": coded(items, ITEMS),
            "value": (np.arange(len(people)) % 5 + 1).astype(np.int64),
        }
    )


def pandera_passes(model: type[pa.DataFrameModel], frame: pd.DataFrame) -> bool:
    try:
        model.validate(frame, lazy=True)
    except SchemaErrors:
        return False
    return True


def with_category(frame: pd.DataFrame, column: str, position: int, text: object) -> pd.DataFrame:
    """``frame`` with one cell of a categorical column changed to ``text`` (a new category)."""
    values = frame[column].astype(object).tolist()
    values[position] = text
    changed = frame.copy()
    changed[column] = pd.Categorical(values)
    return changed


def as_type(column: str, dtype: str | type) -> Callable[[pd.DataFrame], pd.DataFrame]:
    return lambda f: f.astype({column: dtype})


def with_missing(column: str, dtype: str | type) -> Callable[[pd.DataFrame], pd.DataFrame]:
    def damage(frame: pd.DataFrame) -> pd.DataFrame:
        values = frame[column].astype(object).tolist()
        values[3] = None
        return frame.assign(**{column: pd.Series(values, dtype=dtype)})

    return damage


BROKEN: dict[str, Callable[[pd.DataFrame], pd.DataFrame]] = {
    "token not a token": lambda f: with_category(f, "respondent_token", 4, "R_2YPOQ602ER1jkf1"),
    "token with a trailing space": lambda f: with_category(f, "respondent_token", 0, TOKENS[0] + " "),
    "upper-case item id": lambda f: with_category(f, "item_id", 7, "PF_Welcome"),
    "empty cycle id": lambda f: with_category(f, "cycle_id", 3, ""),
    "a number among the texts": lambda f: with_category(f, "item_id", 2, 7),
    "missing token": lambda f: f.assign(respondent_token=f["respondent_token"].cat.set_categories(TOKENS[1:])),
    "value below the scale": lambda f: f.assign(value=f["value"].where(f.index != 5, 0)),
    "value above any scale": lambda f: f.assign(value=f["value"].where(f.index != 9, 12)),
    "values as floats": as_type("value", "float64"),
    "one answer given twice": lambda f: pd.concat([f, f.iloc[[10]]], ignore_index=True),
    "one answer given twice, far apart": lambda f: pd.concat([f.iloc[[60]], f], ignore_index=True),
    "an extra column": lambda f: f.assign(email="x@example.org"),
    "a missing column": lambda f: f.drop(columns=["cycle_id"]),
    "bad token as Arrow strings": lambda f: with_category(f, "respondent_token", 1, "nope").astype(
        {"respondent_token": "string[pyarrow]"}
    ),
    "bad token as Python strings": lambda f: with_category(f, "respondent_token", 1, "nope").astype(
        {"respondent_token": object}
    ),
    "missing item as Arrow strings": with_missing("item_id", "string[pyarrow]"),
    "None among Python strings": with_missing("item_id", object),
}


@pytest.mark.parametrize("breakage", list(BROKEN), ids=list(BROKEN))
def test_every_table_the_contract_refuses_is_left_to_pandera_and_still_refused(breakage: str) -> None:
    frame = BROKEN[breakage](ratings())
    assert not pandera_passes(SurveyResponses, frame)
    assert not passes(SurveyResponses.to_schema(), frame)
    with pytest.raises(ContractViolation) as caught:
        validate_table(SurveyResponses, frame, "pf.csv")
    assert caught.value.failures


@pytest.mark.parametrize(
    "convert",
    [
        lambda f: f,
        as_type("respondent_token", "string[pyarrow]"),
        as_type("item_id", "string[python]"),
        as_type("cycle_id", object),
    ],
    ids=["categorical", "arrow strings", "python strings", "object"],
)
def test_a_valid_table_is_told_apart_quickly_and_returned_as_pandera_returns_it(
    convert: Callable[[pd.DataFrame], pd.DataFrame],
) -> None:
    frame = convert(ratings())
    assert passes(SurveyResponses.to_schema(), frame)
    validated = validate_table(SurveyResponses, frame, "pf.csv")
    assert validated is not frame
    pd.testing.assert_frame_equal(validated, SurveyResponses.validate(frame, lazy=True))


def test_a_valid_table_out_of_key_order_passes() -> None:
    frame = ratings().sample(frac=1, random_state=3).reset_index(drop=True)
    assert passes(SurveyResponses.to_schema(), frame)


def test_a_bad_token_is_caught_after_good_tokens_of_another_export_were_remembered() -> None:
    good = shared_tokens()
    assert passes(SurveyResponses.to_schema(), ratings(good))
    assert passes(SurveyComments.to_schema(), comments(good))  # the same categories, checked once
    bad = pd.CategoricalDtype(pd.Index([*TOKENS[:-1], "R_not_a_token"], dtype=object))
    assert not passes(SurveyResponses.to_schema(), ratings(bad))
    with pytest.raises(ContractViolation):
        validate_table(SurveyComments, comments(bad), "pf.csv")


def test_a_remembered_verdict_is_not_carried_to_another_rule() -> None:
    dtype = pd.CategoricalDtype(pd.Index(["pf-welcome", "Pf-Welcome"], dtype=object))
    choices = pd.DataFrame(
        {
            "respondent_token": TOKENS[:2],
            "instrument_id": "participant-feedback",
            "cycle_id": "cycle-1",
            "item_id": "pf_group",
            "choice": coded(np.array([0, 1]), dtype),
        }
    )
    assert passes(SurveyChoices.to_schema(), choices)  # any non-empty text is a choice
    frame = ratings().assign(item_id=coded(np.tile([0, 1, 0], len(TOKENS)), dtype))
    assert not passes(SurveyResponses.to_schema(), frame)  # but not an item id
    with pytest.raises(ContractViolation):
        validate_table(SurveyResponses, frame, "pf.csv")


def comments(tokens: pd.CategoricalDtype, text: str = "More time to talk.") -> pd.DataFrame:
    return pd.DataFrame(
        {
            "respondent_token": coded(np.arange(len(TOKENS)), tokens),
            "instrument_id": "participant-feedback",
            "cycle_id": "cycle-1",
            "item_id": "pf_better",
            "text": pd.Categorical([text] * len(TOKENS)),
        }
    )


def test_an_empty_comment_is_refused() -> None:
    frame = comments(shared_tokens(), text="")
    assert not passes(SurveyComments.to_schema(), frame)
    with pytest.raises(ContractViolation):
        validate_table(SurveyComments, frame, "pf.csv")


UNSURE: dict[str, Callable[[pd.DataFrame], pd.DataFrame]] = {
    "a bad category no row uses": lambda f: f.assign(item_id=f["item_id"].cat.add_categories(["NOT AN ID"])),
    "values as nullable integers": as_type("value", "Int64"),
    "a column twice": lambda f: pd.concat([f, f[["value"]]], axis=1),
}


@pytest.mark.parametrize("case", list(UNSURE), ids=list(UNSURE))
def test_what_the_quick_verdict_does_not_know_is_left_to_pandera_which_accepts_it(case: str) -> None:
    frame = UNSURE[case](ratings())
    assert not passes(SurveyResponses.to_schema(), frame)
    assert validate_table(SurveyResponses, frame, "pf.csv").equals(frame)


def utterances(start: list[float | None]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "source_id": "0123456789ab",
            "instrument_id": "interviews",
            "cycle_id": "cycle-1",
            "source_kind": "interview",
            "turn": np.arange(1, len(start) + 1, dtype=np.int64),
            "speaker_role": "psw",
            "start_s": pd.Series(start, dtype="float64"),
            "end_s": pd.Series(start, dtype="float64"),
            "text": "We talked.",
        }
    )


@pytest.mark.parametrize(
    ("start", "valid"),
    [([0.0, 1.5, None], True), ([0.0, -1.0, 2.0], False), ([None, None, None], True)],
    ids=["missing times allowed", "negative time", "no times"],
)
def test_optional_times_are_judged_as_pandera_judges_them(start: list[float | None], valid: bool) -> None:
    frame = utterances(start)
    assert pandera_passes(Utterances, frame) is valid
    if valid:
        assert validate_table(Utterances, frame, "interview.vtt").equals(frame)
    else:
        assert not passes(Utterances.to_schema(), frame)
        with pytest.raises(ContractViolation):
            validate_table(Utterances, frame, "interview.vtt")


def test_an_empty_table_is_left_to_pandera() -> None:
    assert not passes(SurveyResponses.to_schema(), ratings().iloc[:0])


@pytest.mark.parametrize("seed", range(40))
def test_random_damage_never_gets_a_pass_pandera_would_refuse(seed: int) -> None:
    rng = np.random.default_rng(seed)
    frame = ratings()
    cells = ["R_x", "r-0123", TOKENS[3], "pf_welcome", "Agree", "", " cycle-1"]
    for _ in range(int(rng.integers(1, 3))):
        column = str(rng.choice(["respondent_token", "instrument_id", "cycle_id", "item_id", "value"]))
        row = int(rng.integers(len(frame)))
        if column == "value":
            frame = frame.assign(value=frame["value"].where(frame.index != row, int(rng.integers(-1, 13))))
        else:
            frame = with_category(frame, column, row, str(rng.choice(cells)))
    verdict = pandera_passes(SurveyResponses, frame)
    assert verdict or not passes(SurveyResponses.to_schema(), frame)
    if verdict:
        assert validate_table(SurveyResponses, frame, "pf.csv").equals(frame)
    else:
        with pytest.raises(ContractViolation):
            validate_table(SurveyResponses, frame, "pf.csv")


@pytest.mark.parametrize(
    "token",
    [
        "r-0123456789abcdef\n",
        "r-0123456789abcdef\r",
        "r-0123456789ABCDEF",
        " r-0123456789abcdef",
        "r-" + "\u0660" * 10 + "abcdef",
    ],
    ids=["trailing newline", "trailing return", "upper case", "leading space", "arabic-indic digits"],
)
def test_a_pattern_judges_each_text_as_pandera_does(token: str) -> None:
    frame = with_category(ratings(), "respondent_token", 0, token)
    assert passes(SurveyResponses.to_schema(), frame) == pandera_passes(SurveyResponses, frame)
