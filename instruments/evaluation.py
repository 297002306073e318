"""The evaluation: who answers what, how answers are coded, which PDSA cycles, which privacy rule.

An evaluation is written by the evaluator in YAML (see ``examples/psw-pilot/evaluation.yaml``) and
loaded with :func:`instruments.load.load_evaluation`, which turns every mistake into a
:class:`~instruments.errors.DefinitionError` naming the file and the key path.
"""

from __future__ import annotations

import re
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

#: The privacy floor: no count or statistic from fewer people than this is ever published.
#: An evaluation may raise it (10 is a common stricter choice) but never lower it.
#: Source: CIHI and Manitoba practice, counts of 1-4 suppressed (research/pdsa_de.md §5.1).
PRIVACY_FLOOR = 5

Identifier = str
_ID_PATTERN = r"^[a-z0-9][a-z0-9_-]*$"


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Privacy(_Model):
    """Study-level privacy settings. ``k`` can be raised, never lowered below the floor."""

    k: int = Field(default=PRIVACY_FLOOR)
    #: Secret used to turn platform respondent ids into tokens. Real evaluations leave it unset
    #: and evalcycle keeps a generated one in the workspace; the bundled pilot fixes one so that
    #: its synthetic data give the same tokens on every machine.
    token_salt: str | None = None
    #: A roster file (one name per line, relative to the evaluation file): participants, staff and
    #: anyone else whose name must be redacted from free text even though they never speak in a
    #: transcript. Kept out of every published output, like the speaker map.
    roster: str | None = None
    #: The names read from the roster file (filled in when the evaluation is loaded).
    roster_names: tuple[str, ...] = ()
    #: Segments the evaluator has read and will not see quoted (ids from ``private/quotes/``):
    #: a clue the automatic bracketing missed, or a speaker who asked. The next best is quoted.
    withheld_quotes: tuple[str, ...] = ()

    @field_validator("k")
    @classmethod
    def _k_not_below_floor(cls, k: int) -> int:
        if k < PRIVACY_FLOOR:
            raise ValueError(
                f"k is {k}, but evalcycle never publishes figures from fewer than "
                f"{PRIVACY_FLOOR} people; set k to {PRIVACY_FLOOR} or more"
            )
        return k


class Role(_Model):
    """A role group, e.g. counsellors. ``size`` is how many people hold the role in the pilot."""

    id: Identifier = Field(pattern=_ID_PATTERN)
    label: str
    size: int | None = Field(default=None, ge=0)


class Scale(_Model):
    """An ordered response scale; ``labels`` run from the lowest to the highest position."""

    id: Identifier = Field(pattern=_ID_PATTERN)
    labels: tuple[str, ...] = Field(min_length=2)

    def position(self, label_or_code: str) -> int | None:
        """1-based position of a label (case-insensitive) or of a numeric code; None if unknown.

        Google Forms writes end-point labels next to the code (``5 - Strongly agree``); the code
        before the dash counts.
        """
        text = label_or_code.strip()
        prefixed = re.match(r"^(\d+)\s*-\s*\S", text)
        if prefixed:
            text = prefixed.group(1)
        if text.isdigit():
            code = int(text)
            return code if 1 <= code <= len(self.labels) else None
        lowered = [label.casefold() for label in self.labels]
        return lowered.index(text.casefold()) + 1 if text.casefold() in lowered else None


class Item(_Model):
    """One question: a rating (names a scale), a choice (lists choices) or free text (neither).

    A choice item with ``multiple: true`` accepts several choices; exports give them joined in
    one cell (``a;b``) or as one column per choice (mapped as ``item=choice``).
    """

    id: Identifier = Field(pattern=_ID_PATTERN)
    text: str
    #: A short name for chart titles and tables (e.g. "Felt safe"); the full text otherwise.
    short: str | None = None
    scale: Identifier | None = None
    choices: tuple[str, ...] = ()
    multiple: bool = False

    @model_validator(mode="after")
    def _one_kind(self) -> Item:
        if self.scale is not None and self.choices:
            raise ValueError(f"item {self.id} has both a scale and choices; give it one or the other")
        if self.multiple and not self.choices:
            raise ValueError(f"item {self.id} is 'multiple' but lists no choices")
        return self

    @property
    def kind(self) -> str:
        return "rating" if self.scale else "choice" if self.choices else "text"

    def choice(self, answer: str) -> str | None:
        """The choice an answer names (case-insensitive), or None."""
        wanted = answer.strip().casefold()
        return next((c for c in self.choices if c.casefold() == wanted), None)


Outcome = Literal[
    "acceptability", "appropriateness", "feasibility", "fidelity", "reach", "adoption", "sustainability", "concerns"
]
"""Implementation outcomes after Proctor et al. 2011 (research/pdsa_de.md §4.2), plus staff concerns."""


class Score(_Model):
    """A score of each respondent computed from several rating items, e.g. FIM (Weiner et al. 2017).

    ``rule: mean`` is the only rule so far: per respondent, the mean of the items, counted only for
    respondents who answered every item (so each score rests on the same items). The measure id of
    a score is ``<instrument>.<score>``, e.g. ``staff-survey.fim``.
    """

    id: Identifier = Field(pattern=_ID_PATTERN)
    label: str = Field(min_length=1)
    items: tuple[Identifier, ...] = Field(min_length=2)
    rule: Literal["mean"] = "mean"
    outcome: Outcome | None = None
    source: str = ""


class ItemBlock(_Model):
    """Rating items reported together, each as a distribution over its scale (e.g. staff concerns)."""

    id: Identifier = Field(pattern=_ID_PATTERN)
    label: str = Field(min_length=1)
    items: tuple[Identifier, ...] = Field(min_length=1)
    outcome: Outcome | None = None
    #: Who answers the block, in words for the report (e.g. "counsellors and managers only").
    answered_by: str = ""
    source: str = ""


class ExportMapping(_Model):
    """Which columns of a platform's export are which items (keyed on stable column ids).

    A value is an item id, or ``item=choice`` for an export that gives one column per choice.
    """

    platform: Literal["qualtrics", "surveymonkey", "msforms", "google-forms", "redcap", "kobo", "limesurvey"]
    columns: dict[str, Identifier] = Field(min_length=1)
    #: Stable column ids that are known but deliberately not used (e.g. Qualtrics Text iQ topics).
    ignore: tuple[str, ...] = ()


class Instrument(_Model):
    """A survey, interview guide or consensus-session template."""

    id: Identifier = Field(pattern=_ID_PATTERN)
    title: str
    kind: Literal["survey", "interview", "consensus"]
    respondents: tuple[Identifier, ...] = Field(min_length=1)
    anonymous: bool = True
    source: str = ""
    items: tuple[Item, ...] = ()
    exports: tuple[ExportMapping, ...] = ()
    #: Keep responses the respondent did not finish (Qualtrics Finished=0, LimeSurvey without a
    #: submit date). By default they are left out of analysis and counted in the run summary.
    include_partial: bool = False
    #: File-name patterns (shell globs) that identify transcripts and notes of this instrument.
    files: tuple[str, ...] = ()
    #: Scores computed per respondent from several rating items (e.g. AIM, IAM, FIM).
    scores: tuple[Score, ...] = ()
    #: Rating items reported together as distributions (e.g. the staff-concerns self-assessment).
    blocks: tuple[ItemBlock, ...] = ()
    #: The choice item that names the group an answer is about, and the item that gives its session
    #: (e.g. a date filled in by the survey link): used to report reach per group.
    group_item: Identifier | None = None
    session_item: Identifier | None = None

    def item(self, item_id: str) -> Item:
        return next(item for item in self.items if item.id == item_id)

    def score(self, score_id: str) -> Score:
        return next(score for score in self.scores if score.id == score_id)


class Theme(_Model):
    id: Identifier = Field(pattern=_ID_PATTERN)
    label: str


class Code(_Model):
    id: Identifier = Field(pattern=_ID_PATTERN)
    label: str
    theme: Identifier
    definition: str
    use_when: str = ""
    not_when: str = ""


class Codebook(_Model):
    themes: tuple[Theme, ...] = ()
    codes: tuple[Code, ...] = ()


class Coding(_Model):
    """How the qualitative data are coded: the segment unit and the two reviewers."""

    unit: Literal["utterance", "sentence", "paragraph"] = "sentence"
    reviewers: tuple[Identifier, Identifier] = ("reviewer-a", "reviewer-b")
    #: Abbreviations that never end a sentence, beyond the built-in list (e.g. "dr", "approx").
    abbreviations: tuple[str, ...] = ()

    @field_validator("reviewers")
    @classmethod
    def _two_different_reviewers(cls, reviewers: tuple[str, str]) -> tuple[str, str]:
        for reviewer in reviewers:
            if not re.match(_ID_PATTERN, reviewer):
                raise ValueError(f"reviewer id {reviewer!r} must be lowercase letters, digits, '-' or '_'")
        if reviewers[0] == reviewers[1]:
            raise ValueError("the two reviewers must have different ids")
        return reviewers


class Cycle(_Model):
    """A PDSA cycle (the full cycle record with predictions and decisions comes later)."""

    id: Identifier = Field(pattern=_ID_PATTERN)
    title: str
    previous: Identifier | None = None


class Evaluation(_Model):
    id: Identifier = Field(pattern=_ID_PATTERN)
    title: str
    organisation: str = ""
    privacy: Privacy = Privacy()
    roles: tuple[Role, ...] = Field(min_length=1)
    scales: tuple[Scale, ...] = ()
    instruments: tuple[Instrument, ...] = Field(min_length=1)
    codebook: Codebook = Codebook()
    coding: Coding = Coding()
    cycles: tuple[Cycle, ...] = Field(min_length=1)
    #: Speaker names as they appear in transcripts → role id. Kept out of every published output.
    speakers: dict[str, Identifier] = {}

    @model_validator(mode="after")
    def _references_resolve(self) -> Evaluation:
        problems: list[str] = []
        for kind, ids in (
            ("role", [r.id for r in self.roles]),
            ("scale", [s.id for s in self.scales]),
            ("instrument", [i.id for i in self.instruments]),
            ("cycle", [c.id for c in self.cycles]),
            ("theme", [t.id for t in self.codebook.themes]),
            ("code", [c.id for c in self.codebook.codes]),
        ):
            duplicates = sorted({i for i in ids if ids.count(i) > 1})
            if duplicates:
                problems.append(f"{kind} id {', '.join(duplicates)} is used more than once")
        roles = {r.id for r in self.roles}
        scales = {s.id for s in self.scales}
        for instrument in self.instruments:
            item_ids = [item.id for item in instrument.items]
            for role in instrument.respondents:
                if role not in roles:
                    problems.append(f"instrument {instrument.id} names unknown role {role!r}")
            for item in instrument.items:
                if item.scale is not None and item.scale not in scales:
                    problems.append(f"item {instrument.id}.{item.id} names unknown scale {item.scale!r}")
            repeated = sorted({i for i in item_ids if item_ids.count(i) > 1})
            if repeated:
                problems.append(f"instrument {instrument.id} repeats item id {', '.join(repeated)}")
            problems += _score_problems(instrument)
            for export in instrument.exports:
                for column, target in export.columns.items():
                    item_id, _, choice = target.partition("=")
                    if item_id not in item_ids:
                        problems.append(
                            f"instrument {instrument.id} maps column {column!r} to unknown item {item_id!r}"
                        )
                    elif choice and instrument.item(item_id).choice(choice) is None:
                        problems.append(
                            f"instrument {instrument.id} maps column {column!r} to {choice!r}, "
                            f"which is not a choice of item {item_id!r}"
                        )
        themes = {t.id for t in self.codebook.themes}
        for code in self.codebook.codes:
            if code.theme not in themes:
                problems.append(f"code {code.id} names unknown theme {code.theme!r}")
        cycle_ids = [c.id for c in self.cycles]
        for cycle in self.cycles:
            if cycle.previous is not None and cycle.previous not in cycle_ids:
                problems.append(f"cycle {cycle.id} follows unknown cycle {cycle.previous!r}")
        for name, role in self.speakers.items():
            if role not in roles:
                problems.append(f"speaker {name!r} is mapped to unknown role {role!r}")
        if problems:
            raise ValueError("; ".join(problems))
        return self

    def instrument(self, instrument_id: str) -> Instrument:
        return next(i for i in self.instruments if i.id == instrument_id)

    def measure_ids(self) -> frozenset[str]:
        """Every measure a cycle's prediction may name: ``instrument.item`` (rating items) and ``instrument.score``."""
        return frozenset(
            [f"{i.id}.{item.id}" for i in self.instruments for item in i.items if item.scale is not None]
            + [f"{i.id}.{score.id}" for i in self.instruments for score in i.scores]
        )

    def names_to_redact(self) -> tuple[str, ...]:
        """Every name evalcycle knows of: speakers and the roster."""
        return tuple(sorted({*self.speakers, *self.privacy.roster_names}))

    def scale(self, scale_id: str) -> Scale:
        return next(s for s in self.scales if s.id == scale_id)

    def role(self, role_id: str) -> Role:
        return next(r for r in self.roles if r.id == role_id)

    def cycle_ids(self) -> tuple[str, ...]:
        return tuple(c.id for c in self.cycles)


def _score_problems(instrument: Instrument) -> list[str]:
    """Scores and blocks must use rating items of their instrument; a score's items share one scale."""
    problems: list[str] = []
    ratings = {item.id: item.scale for item in instrument.items if item.scale is not None}
    items = {item.id for item in instrument.items}
    for kind, group in [("score", s) for s in instrument.scores] + [("block", b) for b in instrument.blocks]:
        for item_id in group.items:
            if item_id not in ratings:
                what = "unknown item" if item_id not in items else "item that is not a rating item"
                problems.append(f"{kind} {instrument.id}.{group.id} names {what} {item_id!r}")
        if kind == "score" and len({ratings.get(i) for i in group.items}) > 1:
            problems.append(f"score {instrument.id}.{group.id} mixes items on different scales")
        if kind == "score" and group.id in items:
            problems.append(f"score {instrument.id}.{group.id} has the id of an item; give it its own id")
    for key in ("group_item", "session_item"):
        named = getattr(instrument, key)
        if named is not None and named not in items:
            problems.append(f"instrument {instrument.id} names unknown {key.replace('_', ' ')} {named!r}")
    ids = [s.id for s in instrument.scores] + [b.id for b in instrument.blocks]
    repeated = sorted({i for i in ids if ids.count(i) > 1})
    problems += [f"instrument {instrument.id} repeats score or block id {i}" for i in repeated]
    return problems
