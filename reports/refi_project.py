"""A cycle's coding as a REFI-QDA 1.5 project (``.qdpx``), for NVivo, ATLAS.ti and QualCoder.

The ``.qdpx`` is a zip holding exactly one ``project.qde`` (XML in :data:`PROJECT_NS`) and a flat
``sources/`` folder (research/qda_agreement.md §2.2):

- one plain-text source per transcript or notes file (``source_id``): its segments joined in turn
  order, each turn on its own paragraph after its speaker's role (``counsellor: ...``; roles only,
  never names), the segments of a turn joined by a space (a line break for the paragraph unit).
  Line breaks inside a segment are written as ``\\n`` (``\\r\\n`` and ``\\r`` become ``\\n``),
  because readers that open the file as text (QualCoder) would otherwise count them differently;
- ``Users``: the two reviewers and :data:`RECONCILED`, named by their ids;
- the codebook, as in the ``.qdc`` (``reports/refi_codebook.py``), with the same GUIDs;
- one ``PlainTextSelection`` per segment, code and user where the code is *present*, holding one
  ``Coding``. Positions count Unicode codepoints from 0, as the standard says; ``endPosition`` is
  **exclusive** (the first codepoint after the segment), which is how QualCoder reads it
  (``fulltext[startPosition:endPosition]``).

Absent and not-yet-coded cells are not exported: the standard has no way to say "coded absent".
Nothing carries a date and every GUID is a stable uuid5, so identical input gives identical bytes.
"""

from __future__ import annotations

import io
import xml.etree.ElementTree as ET
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from instruments.atomic import write_bytes_atomic
from instruments.evaluation import Evaluation
from reports.refi_codebook import ORIGIN, codes_element, stable_guid, xml_bytes, xml_text

PROJECT_NS = "urn:QDA-XML:project:1.0"
#: The user whose codings are the final, reconciled codes (``reviewer_id`` of final codings).
RECONCILED = "reconciled"
#: Columns of the segments DataFrame the export reads (the ``Segments`` contract has more).
SEGMENT_COLUMNS = (
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
)
CODING_COLUMNS = ("segment_id", "code_id", "reviewer_id", "value")
_ZIP_DATE = (1980, 1, 1, 0, 0, 0)


def plain_text(text: str) -> str:
    """A segment's text as it stands in a source file: every line break a single ``\\n``."""
    return text.replace("\r\n", "\n").replace("\r", "\n")


@dataclass(frozen=True)
class Source:
    """One source file: its text and each segment's ``(start, end)`` codepoints (end exclusive)."""

    source_id: str
    name: str
    description: str
    text: str
    spans: dict[str, tuple[int, int]]


def build_source(rows: pd.DataFrame, cycle_id: str) -> Source:
    """The plain text of one source's segments, and where each segment stands in it."""
    rows = rows.sort_values(["turn", "position"], kind="stable")
    first = rows.iloc[0]
    pieces: list[str] = []
    spans: dict[str, tuple[int, int]] = {}
    length = 0
    previous_turn: int | None = None
    for segment in rows.to_dict("records"):
        turn = int(segment["turn"])
        if turn != previous_turn:
            lead = ("\n\n" if pieces else "") + f"{segment['speaker_role']}: "
            previous_turn = turn
        else:
            lead = "\n" if segment["unit"] == "paragraph" else " "
        text = plain_text(str(segment["text"]))
        pieces.extend((lead, text))
        length += len(lead)
        spans[str(segment["segment_id"])] = (length, length + len(text))
        length += len(text)
    kind = "consensus notes" if first["source_kind"] == "consensus" else "interview transcript"
    description = (
        f"{kind.capitalize()} ({first['instrument_id']}), cycle {cycle_id}: {len(rows)} segments "
        f"cut by {first['unit']}. Speakers are shown by role only."
    )
    name = f"{first['instrument_id']} {first['source_id']}"
    return Source(str(first["source_id"]), name, description, "".join(pieces) + "\n", spans)


def _missing(frame: pd.DataFrame, columns: tuple[str, ...], what: str) -> None:
    absent = [column for column in columns if column not in frame.columns]
    if absent:
        raise ValueError(f"{what} lack the column {', '.join(absent)}")


def _present(frame: pd.DataFrame, user: str, segments: set[str], codes: set[str]) -> pd.DataFrame:
    """The rows of ``frame`` coded present, after checking they belong to ``user`` and the cycle."""
    _missing(frame, CODING_COLUMNS, f"the codings of {user}")
    others = sorted(set(frame["reviewer_id"].astype(str)) - {user})
    if others:
        raise ValueError(f"the codings given for {user} hold codings of {', '.join(others)}")
    unknown = sorted(set(frame["segment_id"].astype(str)) - segments)
    if unknown:
        raise ValueError(f"the codings of {user} name segment {unknown[0]}, which is not among this cycle's segments")
    strange = sorted(set(frame["code_id"].astype(str)) - codes)
    if strange:
        raise ValueError(f"the codings of {user} name code {strange[0]}, which the codebook does not have")
    present = frame["value"].astype("boolean").fillna(False).to_numpy(dtype=bool)
    return frame.loc[present, ["segment_id", "code_id"]].astype(str)


def project_qde(
    evaluation: Evaluation,
    sources: list[Source],
    selections: list[tuple[str, str, str]],
    cycle_id: str,
    project_name: str,
    origin: str,
) -> bytes:
    """The ``project.qde`` bytes; ``selections`` are (segment id, code id, user), sorted."""
    eid = evaluation.id
    root = ET.Element(
        "Project",
        {
            "xmlns": PROJECT_NS,
            "name": xml_text(project_name, "the project name"),
            "origin": xml_text(origin, "the origin"),
        },
    )
    users = ET.SubElement(root, "Users")
    for user in (*evaluation.coding.reviewers, RECONCILED):
        ET.SubElement(users, "User", {"guid": stable_guid(eid, "user", user), "name": user})
    ET.SubElement(root, "CodeBook").append(codes_element(evaluation.codebook, eid))
    by_source: dict[str, list[tuple[str, str, str]]] = {}
    owner = {segment: source.source_id for source in sources for segment in source.spans}
    for selection in selections:
        by_source.setdefault(owner[selection[0]], []).append(selection)
    if sources:
        holder = ET.SubElement(root, "Sources")
        for source in sources:
            _text_source(holder, source, by_source.get(source.source_id, []), eid)
    first, second = evaluation.coding.reviewers
    ET.SubElement(root, "Description").text = xml_text(
        f"{evaluation.title}, cycle {cycle_id}, exported by evalcycle. {first} and {second} coded every "
        f"segment independently; {RECONCILED} holds the final codes after reconciliation. Only codes "
        "marked present are codings here: a segment without a code was coded absent or not yet coded.",
        "the evaluation title",
    )
    return xml_bytes(root)


def _text_source(holder: ET.Element, source: Source, selections: list[tuple[str, str, str]], eid: str) -> None:
    """A ``TextSource`` and its selections, one ``Coding`` each, appended to ``holder``."""
    guid = stable_guid(eid, "source", source.source_id)
    attributes = {"guid": guid, "name": source.name, "plainTextPath": f"internal://{guid}.txt"}
    element = ET.SubElement(holder, "TextSource", attributes)
    ET.SubElement(element, "Description").text = source.description
    for segment_id, code_id, user in selections:
        start, end = source.spans[segment_id]
        key = f"{segment_id}/{code_id}/{user}"
        user_guid = stable_guid(eid, "user", user)
        selection = ET.SubElement(
            element,
            "PlainTextSelection",
            {
                "guid": stable_guid(eid, "selection", key),
                "name": segment_id,
                "startPosition": str(start),
                "endPosition": str(end),
                "creatingUser": user_guid,
            },
        )
        coding = ET.SubElement(
            selection, "Coding", {"guid": stable_guid(eid, "coding", key), "creatingUser": user_guid}
        )
        ET.SubElement(coding, "CodeRef", {"targetGUID": stable_guid(eid, "code", code_id)})


def zip_bytes(entries: Mapping[str, bytes]) -> bytes:
    """A zip of ``entries`` in name order, with fixed dates and modes: same entries, same bytes."""
    output = io.BytesIO()
    with zipfile.ZipFile(output, "w", zipfile.ZIP_DEFLATED) as archive:
        for name in sorted(entries):
            info = zipfile.ZipInfo(name, date_time=_ZIP_DATE)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 3
            info.external_attr = 0o644 << 16
            archive.writestr(info, entries[name])
    return output.getvalue()


def project_qdpx(
    *,
    evaluation: Evaluation,
    segments: pd.DataFrame,
    codings_by_reviewer: Mapping[str, pd.DataFrame],
    final_codings: pd.DataFrame | None,
    cycle_id: str,
    project_name: str | None = None,
    origin: str = ORIGIN,
) -> bytes:
    """The ``.qdpx`` bytes; see :func:`write_project_qdpx`."""
    _missing(segments, SEGMENT_COLUMNS, "the segments")
    other_cycles = sorted(set(segments["cycle_id"].astype(str)) - {cycle_id})
    if other_cycles:
        raise ValueError(f"the segments include cycle {', '.join(other_cycles)}; export one cycle at a time")
    if segments["segment_id"].duplicated().any():
        raise ValueError("the segments repeat a segment_id; each segment must appear once")
    reviewers = evaluation.coding.reviewers
    if RECONCILED in reviewers:
        raise ValueError(f"a reviewer is named {RECONCILED!r}, the name kept for the final codes; rename the reviewer")
    strangers = sorted(set(codings_by_reviewer) - set(reviewers))
    if strangers:
        raise ValueError(f"codings are given for {', '.join(strangers)}, who is not a reviewer of this evaluation")
    order = sorted(segments["source_id"].astype(str).unique())
    sources = [build_source(segments[segments["source_id"] == source_id], cycle_id) for source_id in order]
    segment_ids = {segment for source in sources for segment in source.spans}
    code_order = {code.id: index for index, code in enumerate(evaluation.codebook.codes)}
    frames = {user: codings_by_reviewer[user] for user in reviewers if user in codings_by_reviewer}
    if final_codings is not None:
        frames[RECONCILED] = final_codings
    users = [*reviewers, RECONCILED]
    selections = {
        (segment, code, user)
        for user, frame in frames.items()
        for segment, code in _present(frame, user, segment_ids, set(code_order)).itertuples(index=False)
    }
    position = {
        segment: (index, source.spans[segment][0]) for index, source in enumerate(sources) for segment in source.spans
    }
    ordered = sorted(selections, key=lambda s: (position[s[0]], code_order[s[1]], users.index(s[2])))
    name = project_name or f"{evaluation.title} - {cycle_id}"
    entries = {"project.qde": project_qde(evaluation, sources, ordered, cycle_id, name, origin)}
    for source in sources:
        entries[f"sources/{stable_guid(evaluation.id, 'source', source.source_id)}.txt"] = source.text.encode("utf-8")
    return zip_bytes(entries)


def write_project_qdpx(
    path: Path,
    *,
    evaluation: Evaluation,
    segments: pd.DataFrame,
    codings_by_reviewer: Mapping[str, pd.DataFrame],
    final_codings: pd.DataFrame | None,
    cycle_id: str,
    project_name: str | None = None,
    origin: str = ORIGIN,
) -> None:
    """Write one cycle's segments and codings to ``path`` as a REFI-QDA ``.qdpx``, atomically.

    ``segments`` has the columns of :data:`SEGMENT_COLUMNS`, all of cycle ``cycle_id``;
    ``codings_by_reviewer`` maps each reviewer who has returned codings to their codings
    (``segment_id, code_id, reviewer_id, value``); ``final_codings`` are the reconciled ones
    (``reviewer_id == "reconciled"``), or None before reconciliation. Raises ``ValueError`` for
    codings that name unknown segments, codes or reviewers.
    """
    data = project_qdpx(
        evaluation=evaluation,
        segments=segments,
        codings_by_reviewer=codings_by_reviewer,
        final_codings=final_codings,
        cycle_id=cycle_id,
        project_name=project_name,
        origin=origin,
    )
    write_bytes_atomic(path, data)
