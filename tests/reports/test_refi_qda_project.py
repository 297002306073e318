"""A cycle's coding as a REFI-QDA ``.qdpx``: valid, reproducible, and with offsets that hold."""

from __future__ import annotations

import inspect
import io
import re
import zipfile
from collections import Counter
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree

from instruments.load import load_evaluation
from reports.refi_codebook import codebook_qdc, stable_guid
from reports.refi_project import RECONCILED, project_qdpx, write_project_qdpx
from tests.conftest import PILOT, REPOSITORY
from tests.reports.test_refi_qda_schemas import CODEBOOK_NS, PROJECT_NS, errors

EVALUATION = load_evaluation(PILOT / "evaluation.yaml")
REVIEWERS = EVALUATION.coding.reviewers
CODE_IDS = [code.id for code in EVALUATION.codebook.codes]
NS = {"p": PROJECT_NS}
UPPER_GUID = re.compile(r"^[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}$")
INTERVIEW, NOTES = "0123456789ab", "fedcba987654"


def segments(rows: list[tuple[str, int, str, str, list[str]]]) -> pd.DataFrame:
    """Segments of cycle-1 (the Segments contract's columns): per turn, its source, turn number,
    speaker role, unit and the texts of its segments."""
    records = [
        {
            "segment_id": f"{source}-{turn:04d}-{position:02d}",
            "source_id": source,
            "instrument_id": "staff-interview" if source == INTERVIEW else "consensus-notes",
            "cycle_id": "cycle-1",
            "source_kind": "interview" if source == INTERVIEW else "consensus",
            "turn": turn,
            "position": position,
            "speaker_role": role,
            "unit": unit,
            "text": text,
            "context": "",
        }
        for source, turn, role, unit, texts in rows
        for position, text in enumerate(texts, start=1)
    ]
    return pd.DataFrame(records)


#: "clinical" in mathematical Fraktur: letters outside the Basic Multilingual Plane.
FRAKTUR = "\U0001d520\U0001d529\U0001d526\U0001d52b\U0001d526\U0001d520\U0001d51e\U0001d529"

SEGMENTS = segments(
    [
        (INTERVIEW, 1, "facilitator", "sentence", ["What does the PSW bring?", "Tell me more."]),
        (
            INTERVIEW,
            2,
            "psw",
            "sentence",
            ["I bring lived experience 😀 to the group.", f"The counsellor brings {FRAKTUR} skill."],
        ),
        (INTERVIEW, 3, "counsellor", "sentence", ["Afterwards we debrief.\r\nEvery time.", "Always."]),
        (
            NOTES,
            1,
            "facilitator",
            "paragraph",
            ["Consensus: roles are distinct 👍🏽 and safe.", "Next: debrief\rtogether."],
        ),
    ]
)
IDS = SEGMENTS["segment_id"].tolist()


def codings(reviewer: str, present: dict[tuple[int, str], bool | None]) -> pd.DataFrame:
    """Every segment x code for ``reviewer``: the given cells, the rest absent."""
    rows = [
        (segment, code, reviewer, present.get((index, code), False))
        for index, segment in enumerate(IDS)
        for code in CODE_IDS
    ]
    frame = pd.DataFrame(rows, columns=["segment_id", "code_id", "reviewer_id", "value"])
    return frame.astype({"value": "boolean"})


A = codings(
    REVIEWERS[0], {(2, "role-distinct"): True, (3, "role-distinct"): True, (4, "debrief"): True, (0, "debrief"): None}
)
B = codings(
    REVIEWERS[1], {(2, "role-distinct"): True, (4, "debrief"): True, (6, "role-distinct"): True, (7, "debrief"): True}
)
FINAL = codings(
    RECONCILED, {(2, "role-distinct"): True, (3, "role-distinct"): True, (4, "debrief"): True, (7, "debrief"): True}
)


def export(**changes: Any) -> bytes:
    arguments: dict[str, Any] = {
        "evaluation": EVALUATION,
        "segments": SEGMENTS,
        "codings_by_reviewer": {REVIEWERS[0]: A, REVIEWERS[1]: B},
        "final_codings": FINAL,
        "cycle_id": "cycle-1",
    }
    return project_qdpx(**(arguments | changes))


def opened(data: bytes) -> tuple[Any, dict[str, str]]:
    """The parsed ``project.qde`` and each source's text by its plainTextPath."""
    archive = zipfile.ZipFile(io.BytesIO(data))
    root = etree.fromstring(archive.read("project.qde"))
    texts = {
        "internal://" + name.removeprefix("sources/"): archive.read(name).decode("utf-8")
        for name in archive.namelist()
        if name.startswith("sources/")
    }
    return root, texts


def selected(data: bytes) -> list[tuple[str, str, str, str]]:
    """(segment id, code GUID, user name, selected text) of every selection."""
    root, texts = opened(data)
    users = {u.get("guid"): u.get("name") for u in root.iterfind("p:Users/p:User", NS)}
    found = []
    for source in root.iterfind("p:Sources/p:TextSource", NS):
        text = texts[source.get("plainTextPath")]
        for selection in source.iterfind("p:PlainTextSelection", NS):
            (coding,) = selection.findall("p:Coding", NS)
            assert coding.get("creatingUser") == selection.get("creatingUser")
            (ref,) = coding.findall("p:CodeRef", NS)
            start, end = int(selection.get("startPosition")), int(selection.get("endPosition"))
            found.append(
                (selection.get("name"), ref.get("targetGUID"), users[selection.get("creatingUser")], text[start:end])
            )
    return found


def test_the_project_validates_against_the_official_schema_in_the_fixed_order() -> None:
    data = export()
    root, _ = opened(data)
    assert errors(root, "Project.xsd") == []
    assert [child.tag.removeprefix(f"{{{PROJECT_NS}}}") for child in root] == [
        "Users",
        "CodeBook",
        "Sources",
        "Description",
    ]
    assert root.get("name") == f"{EVALUATION.title} - cycle-1"


def test_the_zip_holds_project_qde_and_one_text_file_per_source() -> None:
    archive = zipfile.ZipFile(io.BytesIO(export()))
    names = archive.namelist()
    assert names[0] == "project.qde"
    assert names[1:] == sorted(names[1:])
    assert all(re.fullmatch(r"sources/[0-9A-F-]{36}\.txt", name) for name in names[1:])
    root, texts = opened(export())
    sources = root.findall("p:Sources/p:TextSource", NS)
    assert len(sources) == len(names) - 1 == SEGMENTS["source_id"].nunique()
    assert sorted(s.get("plainTextPath") for s in sources) == sorted(texts)
    assert all(s.get("plainTextPath") == f"internal://{s.get('guid')}.txt" for s in sources)
    assert all(info.date_time == (1980, 1, 1, 0, 0, 0) for info in archive.infolist())


def test_every_selection_slices_exactly_its_segment_text_in_codepoints() -> None:
    texts = dict(zip(SEGMENTS["segment_id"], SEGMENTS["text"], strict=True))
    found = selected(export())
    assert found
    for segment_id, _, _, text in found:
        assert text == texts[segment_id].replace("\r\n", "\n").replace("\r", "\n")
    assert any("😀" in text for *_, text in found)
    assert any("\n" in text for *_, text in found)
    assert any(FRAKTUR in text for *_, text in found)


def test_one_selection_per_present_code_segment_and_user_and_none_for_absent_or_blank() -> None:
    code_names = {stable_guid(EVALUATION.id, "code", code): code for code in CODE_IDS}
    found = Counter((segment, code_names[guid], user) for segment, guid, user, _ in selected(export()))
    expected = Counter(
        (row.segment_id, row.code_id, row.reviewer_id)
        for frame in (A, B, FINAL)
        for row in frame[frame["value"].fillna(False)].itertuples()
    )
    assert found == expected
    assert (IDS[0], "debrief", REVIEWERS[0]) not in found  # blank, not coded


def test_users_are_both_reviewers_and_reconciled_even_before_reconciliation() -> None:
    root, _ = opened(export(final_codings=None, codings_by_reviewer={REVIEWERS[0]: A}))
    users = root.findall("p:Users/p:User", NS)
    assert [u.get("name") for u in users] == [*REVIEWERS, RECONCILED]
    assert errors(root, "Project.xsd") == []
    assert {user for *_, user, _ in selected(export(final_codings=None, codings_by_reviewer={REVIEWERS[0]: A}))} == {
        REVIEWERS[0]
    }


def test_the_source_text_shows_speaker_roles_and_never_speaker_names() -> None:
    archive = zipfile.ZipFile(io.BytesIO(export()))
    everything = b"".join(archive.read(name) for name in archive.namelist()).decode("utf-8")
    assert EVALUATION.speakers
    for name in EVALUATION.speakers:
        for part in name.split():
            assert part not in everything
    _, texts = opened(export())
    interview = next(t for t in texts.values() if t.startswith("facilitator: What"))
    paragraphs = interview.rstrip("\n").split("\n\n")
    assert [p.split(": ", 1)[0] for p in paragraphs] == ["facilitator", "psw", "counsellor"]


def test_source_files_have_no_carriage_return_so_text_mode_readers_count_the_same() -> None:
    archive = zipfile.ZipFile(io.BytesIO(export()))
    for name in archive.namelist()[1:]:
        raw = archive.read(name)
        assert b"\r" not in raw
        assert not raw.startswith(b"\xef\xbb\xbf")
        assert io.TextIOWrapper(io.BytesIO(raw), encoding="utf-8").read() == raw.decode("utf-8")


def test_guids_are_upper_case_unique_and_codes_match_the_codebook_export() -> None:
    root, _ = opened(export())
    guids = [e.get("guid") for e in root.iter() if e.get("guid") is not None]
    assert guids and all(UPPER_GUID.match(g) for g in guids)
    assert len(set(guids)) == len(guids)
    qdc = etree.fromstring(codebook_qdc(EVALUATION.codebook, EVALUATION.id))
    in_qdc = [c.get("guid") for c in qdc.iter(f"{{{CODEBOOK_NS}}}Code")]
    in_qde = [c.get("guid") for c in root.iter(f"{{{PROJECT_NS}}}Code")]
    assert in_qde == in_qdc


def test_a_re_export_is_byte_identical_whatever_the_row_order(tmp_path: Path) -> None:
    first = tmp_path / "first.qdpx"
    write_project_qdpx(
        first,
        evaluation=EVALUATION,
        segments=SEGMENTS,
        codings_by_reviewer={REVIEWERS[0]: A, REVIEWERS[1]: B},
        final_codings=FINAL,
        cycle_id="cycle-1",
    )
    shuffled = export(
        segments=SEGMENTS.sample(frac=1, random_state=3),
        codings_by_reviewer={REVIEWERS[1]: B.sample(frac=1, random_state=4), REVIEWERS[0]: A[::-1]},
        final_codings=FINAL.sample(frac=1, random_state=5),
    )
    assert first.read_bytes() == export() == shuffled
    assert [p.name for p in tmp_path.iterdir()] == ["first.qdpx"]  # no temporary file left behind


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        (
            {"segments": SEGMENTS.assign(cycle_id="cycle-2")},
            "the segments include cycle cycle-2; export one cycle at a time",
        ),
        (
            {"segments": pd.concat([SEGMENTS, SEGMENTS.head(1)])},
            "the segments repeat a segment_id; each segment must appear once",
        ),
        (
            {"segments": SEGMENTS.drop(columns=["turn"])},
            "the segments lack the column turn",
        ),
        (
            {"codings_by_reviewer": {REVIEWERS[0]: A.assign(segment_id="0123456789ab-0099-01")}},
            "the codings of reviewer-a name segment 0123456789ab-0099-01, which is not among this cycle's segments",
        ),
        (
            {"codings_by_reviewer": {REVIEWERS[0]: A.assign(code_id="trust")}},
            "the codings of reviewer-a name code trust, which the codebook does not have",
        ),
        (
            {"codings_by_reviewer": {REVIEWERS[0]: B}},
            "the codings given for reviewer-a hold codings of reviewer-b",
        ),
        (
            {"codings_by_reviewer": {"reviewer-c": A}},
            "codings are given for reviewer-c, who is not a reviewer of this evaluation",
        ),
        (
            {"final_codings": A},
            "the codings given for reconciled hold codings of reviewer-a",
        ),
    ],
)
def test_inputs_that_do_not_belong_together_are_refused(changes: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError) as raised:
        export(**changes)
    assert str(raised.value) == message


def test_a_reviewer_named_reconciled_is_refused() -> None:
    evaluation = EVALUATION.model_copy(
        update={"coding": EVALUATION.coding.model_copy(update={"reviewers": ("reviewer-a", RECONCILED)})}
    )
    with pytest.raises(ValueError, match=r"^a reviewer is named 'reconciled', the name kept for the final codes"):
        export(evaluation=evaluation)


def test_no_segments_gives_a_valid_project_without_sources() -> None:
    data = export(segments=SEGMENTS.head(0), codings_by_reviewer={}, final_codings=None)
    root, texts = opened(data)
    assert errors(root, "Project.xsd") == []
    assert root.find("p:Sources", NS) is None and texts == {}


#: Any text, with line breaks and characters outside the BMP made common; stripped, as segments are.
characters = st.characters(codec="utf-8") | st.sampled_from(["\r", "\n", "\U0001f600", "\U0001d520", "\u200d"])
segment_texts = st.lists(
    st.text(characters, min_size=1, max_size=40).filter(lambda t: t.strip() == t and t != ""), min_size=1, max_size=8
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(texts=segment_texts, present=st.lists(st.booleans(), min_size=8, max_size=8))
def test_arbitrary_unicode_texts_still_validate_and_round_trip_their_offsets(
    texts: list[str], present: list[bool]
) -> None:
    count = len(texts)
    segments = pd.DataFrame(
        {
            "segment_id": [f"{INTERVIEW}-{i // 2 + 1:04d}-{i % 2 + 1:02d}" for i in range(count)],
            "source_id": INTERVIEW,
            "instrument_id": "staff-interview",
            "cycle_id": "cycle-1",
            "source_kind": "interview",
            "turn": [i // 2 + 1 for i in range(count)],
            "position": [i % 2 + 1 for i in range(count)],
            "speaker_role": "psw",
            "unit": "sentence",
            "text": texts,
            "context": "",
        }
    )
    frame = pd.DataFrame(
        {
            "segment_id": segments["segment_id"],
            "code_id": "debrief",
            "reviewer_id": RECONCILED,
            "value": pd.array([present[i] or i == 0 for i in range(count)], dtype="boolean"),
        }
    )
    data = export(segments=segments, codings_by_reviewer={}, final_codings=frame)
    root, _ = opened(data)
    assert errors(root, "Project.xsd") == []
    expected = {
        s: t.replace("\r\n", "\n").replace("\r", "\n") for s, t in zip(segments["segment_id"], texts, strict=True)
    }
    found = selected(data)
    assert len(found) == int(frame["value"].sum())
    for segment_id, _, _, text in found:
        assert text == expected[segment_id]


def test_the_guide_names_the_functions_and_arguments_as_they_are() -> None:
    guide = (REPOSITORY / "docs" / "refi-qda.md").read_text("utf-8")
    assert "reports.refi_project.write_project_qdpx" in guide
    assert "reports.refi_codebook.write_codebook_qdc" in guide
    example = guide.split("```python")[1].split("```")[0]
    called = example.split("write_project_qdpx(", 1)[1]
    named = set(re.findall(r"^\s+(\w+)=", called, flags=re.MULTILINE))
    assert named == set(inspect.signature(write_project_qdpx).parameters) - {"path", "project_name", "origin"}
