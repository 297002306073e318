"""The three-cycle pilot's synthetic data: deterministic, committed as generated, accepted or refused as planted."""

from __future__ import annotations

import hashlib
import io
import random
import zipfile
from pathlib import Path

import pandas as pd
import pytest

from bench import pilot_data, pilot_story, pilot_surveys
from instruments.errors import InputRefused
from instruments.evaluation import Evaluation
from instruments.load import load_evaluation
from tests.conftest import REPOSITORY
from validation.intake import Intake, accept

PILOT3 = REPOSITORY / "examples" / "psw-pilot-3"
PLANTED = {
    "cycle-1/Participant feedback after group_April+8,+2026_09.30.csv": "privacy.identifying-column",
    "cycle-2/interview-counsellor-3-2026-06-04.txt": "transcript.unmapped-speaker",
}


def _files(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def _ingest(data: bytes, relative: str, evaluation: Evaluation) -> Intake:
    cycle, name = relative.split("/")
    salt = evaluation.privacy.token_salt
    assert salt is not None
    return accept(data, name, hashlib.sha256(data).hexdigest()[:12], evaluation, cycle, salt)


@pytest.fixture(scope="module")
def evaluation() -> Evaluation:
    return load_evaluation(PILOT3 / "evaluation.yaml")


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    out = tmp_path_factory.mktemp("pilot-a")
    pilot_data.generate(out)
    return _files(out / "inbox")


@pytest.fixture(scope="module")
def outcomes(generated: dict[str, bytes], evaluation: Evaluation) -> dict[str, Intake | InputRefused]:
    results: dict[str, Intake | InputRefused] = {}
    for relative, data in generated.items():
        try:
            results[relative] = _ingest(data, relative, evaluation)
        except InputRefused as refusal:
            results[relative] = refusal
    return results


@pytest.fixture(scope="module")
def tables(outcomes: dict[str, Intake | InputRefused]) -> dict[str, pd.DataFrame]:
    accepted = [o for o in outcomes.values() if isinstance(o, Intake)]
    names = ("survey_responses", "survey_choices", "survey_comments", "utterances")
    return {n: pd.concat([o.tables[n] for o in accepted if n in o.tables], ignore_index=True) for n in names}


def test_two_runs_with_the_same_seed_write_identical_bytes(generated: dict[str, bytes], tmp_path: Path) -> None:
    pilot_data.generate(tmp_path)
    again = _files(tmp_path / "inbox")
    assert sorted(again) == sorted(generated)
    assert [name for name in generated if again[name] != generated[name]] == []
    assert any(name.endswith(".docx") for name in generated) and any(name.endswith(".xlsx") for name in generated)


def test_another_seed_gives_other_responses(generated: dict[str, bytes], tmp_path: Path) -> None:
    pilot_data.generate(tmp_path, seed=1)
    again = _files(tmp_path / "inbox")
    name = "cycle-2/Participant feedback - cycle 2.csv"
    assert again[name] != generated[name]


def _content(data: bytes) -> object:
    """A file's bytes, or for a zip (XLSX, DOCX) each entry's name, date and uncompressed bytes.

    Deflated bytes depend on the zlib build, so another machine may compress the same entries
    differently; the entries themselves must not differ.
    """
    if not data.startswith(b"PK"):
        return data
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return [(i.filename, i.date_time, archive.read(i)) for i in archive.infolist()]


def test_committed_pilot_files_equal_a_fresh_generation(generated: dict[str, bytes]) -> None:
    committed = _files(PILOT3 / "inbox")
    assert sorted(committed) == sorted(generated)
    assert [name for name in generated if _content(committed[name]) != _content(generated[name])] == []


def test_the_evaluation_loads_with_three_cycles_and_the_pilot_team(evaluation: Evaluation) -> None:
    assert evaluation.cycle_ids() == ("cycle-1", "cycle-2", "cycle-3")
    assert [c.previous for c in evaluation.cycles] == [None, "cycle-1", "cycle-2"]
    assert evaluation.privacy.k == 5
    assert {r.id: r.size for r in evaluation.roles if r.size} == {
        "psw": 3,
        "counsellor": 3,
        "manager": 2,
        "facilitator": 1,
    }
    staff = evaluation.instrument("staff-survey")
    assert [i.id for i in staff.items if i.id[:4] in {"aim_", "iam_", "fim_"}] == [
        f"{m}_{n}" for m in ("aim", "iam", "fim") for n in range(1, 5)
    ]
    assert len([i for i in staff.items if i.scale == "concern3"]) == 14
    assert all(i.source for i in evaluation.instruments)


def test_every_code_says_when_to_use_it_and_when_not(evaluation: Evaluation) -> None:
    themes = {c.theme for c in evaluation.codebook.codes}
    assert themes == {"role", "team", "value", "fit", "risk", "barrier", "enabler"}
    assert all(c.definition and c.use_when and c.not_when for c in evaluation.codebook.codes)


def test_the_evaluation_maps_the_columns_the_generator_writes(evaluation: Evaluation) -> None:
    for instrument, expected in (
        ("participant-feedback", pilot_surveys.PARTICIPANT_COLUMNS),
        ("staff-survey", pilot_surveys.STAFF_COLUMNS),
    ):
        mapped = {e.platform: dict(e.columns) for e in evaluation.instrument(instrument).exports}
        assert mapped == expected
    names = {name: role for name, role in pilot_story.PEOPLE.values()}
    assert {**names, pilot_story.CANARY_NAME: "participant"} == evaluation.speakers


def test_every_file_is_accepted_except_the_planted_refusals(
    outcomes: dict[str, Intake | InputRefused],
) -> None:
    refused = {name: o.rule for name, o in outcomes.items() if isinstance(o, InputRefused)}
    assert refused == PLANTED
    accepted = {o.platform.value for o in outcomes.values() if isinstance(o, Intake)}
    assert accepted == {
        "qualtrics",
        "google-forms",
        "kobo",
        "msforms",
        "surveymonkey",
        "zoom-vtt",
        "teams-vtt",
        "otter",
        "word-transcript",
        "markdown-notes",
        "word-notes",
    }


def test_the_planted_refusals_name_the_column_and_the_speaker(
    outcomes: dict[str, Intake | InputRefused],
) -> None:
    emails = outcomes["cycle-1/Participant feedback after group_April+8,+2026_09.30.csv"]
    speaker = outcomes["cycle-2/interview-counsellor-3-2026-06-04.txt"]
    assert isinstance(emails, InputRefused) and isinstance(speaker, InputRefused)
    assert "RecipientEmail" in {f.column for f in emails.failures}
    assert [f.column for f in speaker.failures] == ["Speaker 2"]


def _raw_text(data: bytes) -> str:
    if data.startswith(b"PK"):
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return "".join(archive.read(n).decode("utf-8") for n in archive.namelist() if n.endswith(".xml"))
    return data.decode("utf-8-sig")


@pytest.mark.parametrize("canary", pilot_story.CANARIES)
def test_canaries_are_in_the_raw_files_but_in_no_accepted_table(
    canary: str,
    generated: dict[str, bytes],
    outcomes: dict[str, Intake | InputRefused],
) -> None:
    carriers = [name for name, data in generated.items() if canary in _raw_text(data)]
    assert carriers and not set(carriers) <= set(PLANTED)
    for name, outcome in outcomes.items():
        if isinstance(outcome, Intake):
            for table, frame in outcome.tables.items():
                cells = frame.astype(str).to_numpy().ravel()
                assert not any(canary.casefold() in c.casefold() for c in cells), (name, table)


def _sessions(tables: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """Each participant response's cycle, group and session, from the accepted tables."""
    comments, choices = tables["survey_comments"], tables["survey_choices"]
    session = comments[comments["item_id"] == "pf_session"][["respondent_token", "cycle_id", "text"]]
    group = choices[choices["item_id"] == "pf_group"][["respondent_token", "choice"]]
    return session.merge(group, on="respondent_token", validate="one_to_one")


def test_every_group_has_ten_or_more_sessions_of_at_least_k_responses(tables: dict[str, pd.DataFrame]) -> None:
    sessions = _sessions(tables)
    per_session = sessions.groupby(["choice", "text"]).size()
    assert per_session.min() >= 5
    assert per_session.groupby(level="choice").size().to_dict() == {
        "Grief group": 30,
        "Suicide bereavement group": 18,
        "Family support group": 10,
    }


def _mean(tables: dict[str, pd.DataFrame], item: str, cycle: str, group: str | None = None) -> float:
    ratings = tables["survey_responses"]
    chosen = ratings[(ratings["item_id"] == item) & (ratings["cycle_id"] == cycle)]
    if group is not None:
        sessions = _sessions(tables)
        chosen = chosen[chosen["respondent_token"].isin(sessions[sessions["choice"] == group]["respondent_token"])]
    return float(chosen["value"].mean())


def test_the_story_safety_peer_help_and_feasibility_rise_after_debriefs(tables: dict[str, pd.DataFrame]) -> None:
    for item in ("pf_safe", "pf_peer_helped", "pf_roles_clear"):
        means = [_mean(tables, item, cycle, "Grief group") for cycle in pilot_story.CYCLES]
        assert means[0] + 0.3 < means[1] < means[2], (item, means)
    feasibility = [sum(_mean(tables, f"fim_{n}", cycle) for n in range(1, 5)) / 4 for cycle in pilot_story.CYCLES]
    assert feasibility[0] + 0.5 < min(feasibility[1:]), feasibility  # workable once adapted, and it holds
    confidentiality = [_mean(tables, "sc_02", cycle) for cycle in pilot_story.CYCLES]
    assert confidentiality[0] > confidentiality[1] >= confidentiality[2]


def test_the_story_the_family_group_fits_better_once_its_psw_is_matched(tables: dict[str, pd.DataFrame]) -> None:
    sessions = _sessions(tables)
    family = sessions[sessions["choice"] == "Family support group"]
    early = family[family["text"] <= "2026-07-15"]["respondent_token"]  # sessions 1-4
    ratings = tables["survey_responses"]
    peer = ratings[ratings["item_id"] == "pf_peer_helped"]
    before = peer[peer["respondent_token"].isin(early)]["value"].mean()
    after = peer[peer["respondent_token"].isin(family["respondent_token"]) & ~peer["respondent_token"].isin(early)]
    assert before + 0.4 < after["value"].mean()


def test_scale_ten_gives_about_ten_times_the_responses(evaluation: Evaluation) -> None:
    counts = []
    for scale in (1, 10):
        responses = pilot_story.participant_responses(random.Random(0), pilot_story.schedule(scale), "cycle-1")
        data = pilot_surveys.qualtrics_participants(random.Random(0), responses)
        intake = _ingest(data, "cycle-1/scaled.csv", evaluation)
        counts.append(intake.tables["survey_choices"]["respondent_token"].nunique())
    assert 9.0 <= counts[1] / counts[0] <= 11.0


def test_the_readme_names_every_planted_refusal_and_canary() -> None:
    readme = (PILOT3 / "README.md").read_text("utf-8")
    for name, rule in PLANTED.items():
        assert f"`{name}`" in readme and f"`{rule}`" in readme
    for canary in (pilot_story.CANARY_NAME, *pilot_story.CANARIES[:3]):
        assert f"`{canary}`" in readme


def test_the_pilot_at_ten_sites_is_accepted_but_for_its_planted_refusals(
    evaluation: Evaluation, tmp_path: Path
) -> None:
    pilot_data.generate(tmp_path, scale=10)
    refused: dict[str, list[str]] = {}
    accepted = 0
    responses = 0
    for relative, data in _files(tmp_path / "inbox").items():
        try:
            intake = _ingest(data, relative, evaluation)
        except InputRefused as refusal:
            refused.setdefault(refusal.rule, []).append(relative)
            continue
        accepted += 1
        if "survey_responses" in intake.tables:
            responses += len(intake.tables["survey_responses"])
    # The planted unmapped speaker walks into one interview at every site; the e-mail export is planted once.
    assert sorted(refused) == sorted(set(PLANTED.values()))
    assert len(refused["transcript.unmapped-speaker"]) == 10
    assert refused["privacy.identifying-column"] == [next(k for k, v in PLANTED.items() if v.startswith("privacy"))]
    assert accepted >= 130
    assert responses > 10 * 2_000
