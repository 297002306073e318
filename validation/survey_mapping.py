"""Mapping a survey export's answer columns onto the evaluation's items, in long, tidy form.

Ratings become scale positions, choices become one row per chosen option, free text is
redacted. Every answer that does not fit its item is listed in one refusal (row and column,
never the answer itself).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from instruments.errors import ContractViolation, Failure, UnmappedInput
from instruments.evaluation import Evaluation, Instrument, Item
from validation.privacy import Redactor, respondent_token
from validation.survey_export import SurveyExport

_SELECTED = frozenset({"1", "true", "checked", "yes", "y", "selected", "x"})
_NOT_SELECTED = frozenset({"0", "false", "unchecked", "no", "n"})
_CODE_PREFIX = re.compile(r"^(\d+)\s*-\s*\S")
KEY_COLUMNS = ["respondent_token", "instrument_id", "cycle_id", "item_id"]


@dataclass(frozen=True)
class MappedAnswers:
    ratings: pd.DataFrame
    choices: pd.DataFrame
    comments: pd.DataFrame


def column_targets(export: SurveyExport, instrument: Instrument) -> dict[str, tuple[str, str]]:
    """Each answer column → (item id, choice or ""), refusing unmapped and doubly mapped columns."""
    mapping = next(m for m in instrument.exports if m.platform == export.platform)
    # Column keys are compared without surrounding spaces (form tools keep stray ones in headers).
    targets = {key.strip(): value for key, value in mapping.columns.items()}
    ignored = {key.strip() for key in mapping.ignore}
    labels = export.column_names
    unmapped = [c for c in export.answers.columns if c.strip() not in targets and c.strip() not in ignored]
    if unmapped:
        listed = ", ".join(repr(c) if labels.get(c, c) == c else f"{labels[c]!r} (id {c})" for c in unmapped)
        raise UnmappedInput(
            f"{export.name}, column(s) {listed}",
            f"these columns are not mapped to any item of instrument {instrument.id!r}, so their "
            "answers would be stored without a meaning.",
            f"Add the column ids to 'exports' of instrument {instrument.id!r} in the evaluation "
            "file (or list them under 'ignore'), then put the file back in the inbox.",
            rule="mapping.unmapped-column",
            failures=tuple(
                Failure(
                    rule="mapping.unmapped-column",
                    problem="column not mapped to an item",
                    column=labels.get(c, c),
                )
                for c in unmapped
            ),
        )
    resolved: dict[str, tuple[str, str]] = {}
    for column in export.answers.columns:
        if column.strip() in ignored:
            continue
        item_id, _, choice = targets[column.strip()].partition("=")
        resolved[column] = (item_id, choice)
    seen: dict[tuple[str, str], str] = {}
    for column, target in resolved.items():
        if target in seen:
            raise UnmappedInput(
                f"{export.name}, columns {labels.get(seen[target], seen[target])!r} and {labels.get(column, column)!r}",
                f"both columns are mapped to item {target[0]!r}"
                + (f" (choice {target[1]!r})" if target[1] else "")
                + ", so one answer would overwrite the other.",
                "Map each column to its own item in the evaluation file (a renamed copy of a question "
                "needs its own item), then put the file back in the inbox.",
                rule="mapping.duplicate-target",
            )
        seen[target] = column
    return resolved


def _long(export: SurveyExport, included: list[int], columns: list[str]) -> pd.DataFrame:
    """Non-blank answers of ``columns`` as (position, column, raw) rows, in file order."""
    if not columns or not included:
        return pd.DataFrame({"position": [], "column": [], "raw": []})
    block = export.answers.loc[included, columns].copy()
    block.insert(0, "position", included)
    long = block.melt(id_vars="position", var_name="column", value_name="raw")
    long["raw"] = long["raw"].astype("string[pyarrow]").str.strip()
    return long[long["raw"] != ""].sort_values(["position", "column"], kind="stable").reset_index(drop=True)


def map_answers(
    export: SurveyExport,
    instrument: Instrument,
    evaluation: Evaluation,
    cycle_id: str,
    salt: str,
    redactor: Redactor,
    include_partial: bool = False,
) -> MappedAnswers:
    targets = column_targets(export, instrument)
    included = [
        i
        for i in range(len(export.respondent_ids))
        if i not in export.excluded and (include_partial or i not in export.partial)
    ]
    tokens = {i: respondent_token(export.respondent_ids[i], salt) for i in included}
    failures: list[Failure] = []
    by_kind: dict[str, list[str]] = {"rating": [], "choice": [], "text": []}
    for column, (item_id, _) in targets.items():
        by_kind[instrument.item(item_id).kind].append(column)

    token_of_position = np.array([tokens.get(i, "") for i in range(len(export.respondent_ids))], dtype=object)

    def keyed(long: pd.DataFrame, item_of: Mapping[str, str]) -> pd.DataFrame:
        columns = pd.Categorical(long["column"])
        items = columns.rename_categories({c: item_of[str(c)] for c in columns.categories}) if len(long) else columns
        return pd.DataFrame(
            {
                "respondent_token": token_of_position[long["position"].to_numpy(dtype=int)],
                "instrument_id": instrument.id,
                "cycle_id": cycle_id,
                "item_id": pd.Series(items, index=long.index).astype(str),
            },
            index=long.index,
        )

    item_of = {c: t[0] for c, t in targets.items()}
    ratings = _long(export, included, by_kind["rating"])
    if len(ratings):
        positions = pd.Series(pd.NA, index=ratings.index, dtype="Int64")
        for rating_column, group in ratings.groupby("column", sort=False):
            item = instrument.item(item_of[str(rating_column)])
            scale = evaluation.scale(str(item.scale))
            lookup = {label.casefold(): n for n, label in enumerate(scale.labels, start=1)}
            lookup.update({str(n): n for n in range(1, len(scale.labels) + 1)})
            # Google Forms writes end-point labels beside the code ("5 - Strongly agree").
            text = group["raw"].str.extract(_CODE_PREFIX, expand=False).fillna(group["raw"])
            positions.loc[group.index] = text.str.casefold().map(lookup).astype("Int64")
            unknown = group.loc[positions.loc[group.index].isna(), "position"].astype(int).tolist()
            for position in unknown:
                failures.append(
                    Failure(
                        rule="scale.unknown-value",
                        problem=f"answer is not one of the {len(scale.labels)} points of scale {scale.id!r}",
                        row=export.file_rows[position],
                        column=export.column_names.get(str(rating_column), str(rating_column)),
                    )
                )
        rating_table = keyed(ratings, item_of)
        rating_table["value"] = positions
        rating_table = rating_table[positions.notna()]
    else:
        rating_table = pd.DataFrame(columns=[*KEY_COLUMNS, "value"])
    choices = _long(export, included, by_kind["choice"])
    chosen: list[dict[str, str]] = []
    for position, column, raw in zip(
        choices["position"].astype(int).tolist(),
        choices["column"].astype(str).tolist(),
        choices["raw"].astype(str).tolist(),
        strict=True,
    ):
        item_id, choice = targets[column]
        item = instrument.item(item_id)
        row = export.file_rows[position]
        picked = _picked(item, choice, raw)
        if picked is None:
            failures.append(
                Failure(
                    rule="choice.unknown-value",
                    problem=f"answer is not one of the {len(item.choices)} choices of item {item_id!r}",
                    row=row,
                    column=export.column_names.get(column, column),
                )
            )
            continue
        for option in picked:
            chosen.append({"position": str(position), "item_id": item_id, "choice": option})
    comments = _long(export, included, by_kind["text"])
    if failures:
        kinds = sorted({f.rule for f in failures})
        raise ContractViolation(
            export.name,
            f"{len(failures)} answer(s) do not fit their item ("
            + ", ".join(
                {
                    "scale.unknown-value": "not on the response scale",
                    "choice.unknown-value": "not one of the choices",
                }[k]
                for k in kinds
            )
            + ").",
            "Check that the export uses the same scales and choices as the evaluation file (labels, "
            "or codes 1..n); failures.csv lists every row and column.",
            rule=kinds[0],
            failures=tuple(sorted(failures, key=lambda f: (f.row or 0, f.column or ""))),
        )
    choice_frame = pd.DataFrame(chosen, columns=["position", "item_id", "choice"])
    choice_table = pd.DataFrame(
        {
            "respondent_token": choice_frame["position"].astype(int).map(tokens) if len(choice_frame) else [],
            "instrument_id": instrument.id,
            "cycle_id": cycle_id,
            "item_id": choice_frame["item_id"],
            "choice": choice_frame["choice"],
        }
    ).drop_duplicates()
    comment_table = keyed(comments, item_of)
    comment_table["text"] = [redactor.redact(t) for t in comments["raw"]]
    return MappedAnswers(
        ratings=_typed(rating_table, "value"),
        choices=_typed(choice_table.reset_index(drop=True), "choice"),
        comments=_typed(comment_table, "text"),
    )


def _picked(item: Item, choice: str, raw: str) -> list[str] | None:
    """The options an answer selects, or None when it fits none of the item's choices."""
    if choice:  # one column per choice: the cell says whether it was chosen
        token = raw.casefold()
        if token in _SELECTED or item.choice(raw) is not None:
            return [str(item.choice(choice))]
        return [] if token in _NOT_SELECTED else None
    parts = [p for p in re.split(r"\s*;\s*", raw) if p] if item.multiple else [raw]
    found = [item.choice(p) for p in parts]
    return None if any(f is None for f in found) else [str(f) for f in found]


def _typed(frame: pd.DataFrame, last: str) -> pd.DataFrame:
    # Arrow-backed strings: the contract's pattern checks run in Arrow, several times faster.
    frame = frame.reset_index(drop=True)
    typed = frame.astype({c: "string[pyarrow]" for c in KEY_COLUMNS})
    typed[last] = frame[last].astype("int64") if last == "value" else frame[last].astype("string[pyarrow]")
    return typed[[*KEY_COLUMNS, last]]
