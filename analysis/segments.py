"""Validated utterances → segments, the rows that both reviewers code.

The unit of analysis is chosen by the evaluation (research/qda_agreement.md §3.4): every reviewer
gets the same pre-cut rows, so agreement is computed per row and per code and no unitizing
disagreement can arise.

- ``utterance``: one segment per speaker turn (a transcript cue or a paragraph of notes).
- ``sentence``: each turn cut into sentences by nltk's Punkt with a fixed, checked-in list of
  abbreviations plus any the evaluation adds (no download, no training at run time, so the same
  text always gives the same cuts; :func:`learned_abbreviations` suggests additions).
- ``paragraph``: each turn cut at its line breaks; a turn without line breaks is one paragraph.

A segment id is ``<source_id>-<turn:04d>-<n:02d>``, ``n`` counting segments within the turn from
1, so re-running on the same utterances gives the same ids. Each segment carries, as context,
the previous turn of the same source (already-redacted text, shortened to its last
:data:`CONTEXT_CHARS` characters).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import TYPE_CHECKING, Literal, get_args

import pandas as pd

if TYPE_CHECKING:
    # nltk is imported only when sentences are cut: importing it pulls in much of nltk (and
    # scikit-learn when installed), seconds that utterance and paragraph units need not pay.
    from nltk.tokenize.punkt import PunktSentenceTokenizer

Unit = Literal["utterance", "sentence", "paragraph"]
UNITS: tuple[str, ...] = get_args(Unit)

#: Abbreviations after which a full stop does not end a sentence (lower case, without the final
#: stop; Punkt's own convention). A consequence: "etc." at the very end of a sentence does not
#: split it from the next one, which costs less than splitting "etc. and so on" in two.
ABBREVIATIONS: frozenset[str] = frozenset(
    {
        "dr",
        "e.g",
        "i.e",
        "mr",
        "mrs",
        "ms",
        "prof",
        "etc",
        "vs",
        "approx",
        "cf",
        "a.m",
        "p.m",
    }
)

#: Longest context shown to a reviewer, in characters (the end of the previous turn is kept).
CONTEXT_CHARS = 280

#: Columns of the segments table, in order (the ``Segments`` contract in validation/codings.py).
SEGMENT_COLUMNS: tuple[str, ...] = (
    "segment_id",
    "source_id",
    "instrument_id",
    "cycle_id",
    "source_kind",
    "turn",
    "position",
    "speaker_role",
    "unit",
    "text",
    "context",
)

_LINE_BREAKS = re.compile(r"\s*(?:\r\n|\r|\n)\s*")


def sentence_tokenizer(extra_abbreviations: Iterable[str] = ()) -> PunktSentenceTokenizer:
    """A deterministic Punkt tokenizer: the checked-in abbreviations plus ``extra_abbreviations``."""
    from nltk.tokenize.punkt import PunktParameters, PunktSentenceTokenizer

    parameters = PunktParameters()
    extra = {a.strip().lower().rstrip(".") for a in extra_abbreviations}
    parameters.abbrev_types = set(ABBREVIATIONS | {a for a in extra if a})
    return PunktSentenceTokenizer(parameters)


def learned_abbreviations(texts: Iterable[str]) -> frozenset[str]:
    """Abbreviations Punkt learns from a corpus, for the evaluator to review and add to
    ``extra_abbreviations``; the texts are sorted first, so the answer does not depend on order.

    Learning is kept out of :func:`segment_utterances` on purpose: abbreviations learned on a
    growing corpus would re-cut earlier cycles and change their segment ids. Expect spurious
    entries (an ordinary word that ended sentences often) — review before adding.
    """
    from nltk.tokenize.punkt import PunktTrainer

    trainer = PunktTrainer()
    trainer.INCLUDE_ALL_COLLOCS = True
    trainer.train("\n\n".join(sorted(texts)), finalize=True)
    return frozenset(trainer.get_params().abbrev_types)


def split_text(text: str, unit: Unit, tokenizer: PunktSentenceTokenizer | None = None) -> list[str]:
    """Cut one turn's text into the pieces of ``unit``; pieces are stripped and never empty."""
    if unit == "utterance":
        pieces = [text]
    elif unit == "paragraph":
        pieces = _LINE_BREAKS.split(text)
    elif unit == "sentence":
        punkt = tokenizer or sentence_tokenizer()
        pieces = [text[start:end] for start, end in punkt.span_tokenize(text)]
    else:
        raise ValueError(f"unit must be one of {', '.join(UNITS)}, not {unit!r}")
    return [piece.strip() for piece in pieces if piece.strip()]


def segment_id(source_id: str, turn: int, position: int) -> str:
    """The stable id of the ``position``-th segment (from 1) of a turn."""
    return f"{source_id}-{turn:04d}-{position:02d}"


def shorten_context(text: str, limit: int = CONTEXT_CHARS) -> str:
    """The end of ``text``, at most ``limit`` characters, starting at a word where possible."""
    flat = " ".join(text.split())
    if len(flat) <= limit:
        return flat
    tail = flat[-(limit - 1) :]
    space = tail.find(" ")
    if 0 <= space < limit // 4:
        tail = tail[space + 1 :]
    return "…" + tail


def segment_utterances(utterances: pd.DataFrame, unit: Unit, extra_abbreviations: Iterable[str] = ()) -> pd.DataFrame:
    """Segments of validated utterances (the ``Utterances`` contract), in source and turn order.

    Returns the columns of :data:`SEGMENT_COLUMNS`. ``context`` is the previous turn of the same
    source as ``"<speaker_role>: <text>"`` (shortened), or ``""`` for a source's first turn.
    """
    if unit not in UNITS:
        raise ValueError(f"unit must be one of {', '.join(UNITS)}, not {unit!r}")
    tokenizer = sentence_tokenizer(extra_abbreviations) if unit == "sentence" else None
    ordered = utterances.sort_values(["source_id", "turn"], kind="stable")
    rows: list[dict[str, object]] = []
    previous_source: object = None
    context = ""
    for turn in ordered.to_dict("records"):
        if turn["source_id"] != previous_source:
            context = ""
            previous_source = turn["source_id"]
        for position, piece in enumerate(split_text(str(turn["text"]), unit, tokenizer), start=1):
            rows.append(
                {
                    "segment_id": segment_id(str(turn["source_id"]), int(turn["turn"]), position),
                    "source_id": turn["source_id"],
                    "instrument_id": turn["instrument_id"],
                    "cycle_id": turn["cycle_id"],
                    "source_kind": turn["source_kind"],
                    "turn": int(turn["turn"]),
                    "position": position,
                    "speaker_role": turn["speaker_role"],
                    "unit": unit,
                    "text": piece,
                    "context": context,
                }
            )
        context = shorten_context(f"{turn['speaker_role']}: {turn['text']}")
    frame = pd.DataFrame(rows, columns=list(SEGMENT_COLUMNS))
    return frame.astype({"turn": "int64", "position": "int64"})
