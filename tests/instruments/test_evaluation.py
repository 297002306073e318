from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from instruments.errors import DefinitionError
from instruments.evaluation import PRIVACY_FLOOR, Scale
from instruments.load import key_path, load_evaluation
from tests.conftest import PILOT

MINIMAL = {
    "id": "demo",
    "title": "Demo",
    "roles": [{"id": "psw", "label": "PSW"}],
    "scales": [{"id": "agree3", "labels": ["No", "Unsure", "Yes"]}],
    "instruments": [
        {
            "id": "survey",
            "title": "Survey",
            "kind": "survey",
            "respondents": ["psw"],
            "items": [{"id": "q1", "text": "Q1", "scale": "agree3"}],
            "exports": [{"platform": "qualtrics", "columns": {"QID1": "q1"}}],
        }
    ],
    "cycles": [{"id": "cycle-1", "title": "Cycle 1"}],
}


def write(tmp_path: Path, data: object) -> Path:
    path = tmp_path / "evaluation.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    return path


def refusal(tmp_path: Path, data: object) -> str:
    path = write(tmp_path, data)
    with pytest.raises(DefinitionError) as caught:
        load_evaluation(path)
    return str(caught.value).replace(str(path), "evaluation.yaml")


def test_the_bundled_pilot_evaluation_loads() -> None:
    evaluation = load_evaluation(PILOT / "evaluation.yaml")
    assert evaluation.privacy.k >= PRIVACY_FLOOR
    assert "cycle-1" in evaluation.cycle_ids()
    assert {i.kind for i in evaluation.instruments} == {"survey", "interview", "consensus"}


def test_a_minimal_evaluation_gets_the_default_privacy_threshold(tmp_path: Path) -> None:
    assert load_evaluation(write(tmp_path, MINIMAL)).privacy.k == 5


def test_k_may_be_raised(tmp_path: Path) -> None:
    assert load_evaluation(write(tmp_path, {**MINIMAL, "privacy": {"k": 10}})).privacy.k == 10


def test_k_below_the_floor_is_refused(tmp_path: Path) -> None:
    assert refusal(tmp_path, {**MINIMAL, "privacy": {"k": 3}}) == (
        "evaluation.yaml: the evaluation definition is wrong in one place:\n"
        "  at privacy.k: k is 3, but evalcycle never publishes figures from fewer than 5 people; "
        "set k to 5 or more\n"
        "What to do: Correct the evaluation file at the key shown and run the command again."
    )


def test_a_misspelt_key_is_named_with_its_path(tmp_path: Path) -> None:
    data = {**MINIMAL, "instruments": [{**MINIMAL["instruments"][0], "respondant": ["psw"]}]}  # type: ignore[dict-item]
    message = refusal(tmp_path, data)
    assert "at instruments[0].respondant: this key is not known (check its spelling)" in message


def test_a_missing_key_is_named(tmp_path: Path) -> None:
    data = {k: v for k, v in MINIMAL.items() if k != "cycles"}
    assert "at cycles: this key is required" in refusal(tmp_path, data)


def test_references_to_unknown_roles_scales_and_items_are_all_listed(tmp_path: Path) -> None:
    instrument = {
        **MINIMAL["instruments"][0],  # type: ignore[dict-item]
        "respondents": ["nurse"],
        "items": [{"id": "q1", "text": "Q1", "scale": "agree7"}],
        "exports": [{"platform": "qualtrics", "columns": {"QID1": "q1", "QID9": "q9"}}],
    }
    message = refusal(tmp_path, {**MINIMAL, "instruments": [instrument]})
    assert message == (
        "evaluation.yaml: the evaluation definition is wrong in one place:\n"
        "  at (top level): instrument survey names unknown role 'nurse'; item survey.q1 names unknown "
        "scale 'agree7'; instrument survey maps column 'QID9' to unknown item 'q9'\n"
        "What to do: Correct the evaluation file at the key shown and run the command again."
    )


def test_duplicate_ids_are_refused(tmp_path: Path) -> None:
    cycles = [{"id": "cycle-1", "title": "A"}, {"id": "cycle-1", "title": "B"}]
    assert "cycle id cycle-1 is used more than once" in refusal(tmp_path, {**MINIMAL, "cycles": cycles})


def test_a_speaker_mapped_to_an_unknown_role_is_refused(tmp_path: Path) -> None:
    message = refusal(tmp_path, {**MINIMAL, "speakers": {"Pat": "coach"}})
    assert "speaker 'Pat' is mapped to unknown role 'coach'" in message


def test_yaml_syntax_errors_name_the_line(tmp_path: Path) -> None:
    path = tmp_path / "evaluation.yaml"
    path.write_text("id: demo\ntitle: [unclosed\n", encoding="utf-8")
    with pytest.raises(DefinitionError) as caught:
        load_evaluation(path)
    assert caught.value.where == f"{path}, line 3"
    assert caught.value.problem == "this is not valid YAML (check indentation, colons and quotes)."


def test_a_missing_file_says_how_to_point_at_the_right_one(tmp_path: Path) -> None:
    with pytest.raises(DefinitionError) as caught:
        load_evaluation(tmp_path / "nope.yaml")
    assert str(caught.value) == (
        f"{tmp_path / 'nope.yaml'}: the evaluation file does not exist.\n"
        "What to do: Check the path, or set EVALCYCLE_EVALUATION to your evaluation's YAML file."
    )


def test_a_file_that_is_not_a_mapping_is_refused(tmp_path: Path) -> None:
    message = refusal(tmp_path, ["a", "list"])
    assert "the file must hold a mapping of keys" in message


def test_key_paths_render_indices_in_brackets() -> None:
    assert key_path(("instruments", 0, "items", 2, "scale")) == "instruments[0].items[2].scale"
    assert key_path(()) == "(top level)"


@pytest.mark.parametrize(
    ("answer", "position"),
    [("Yes", 3), ("yes ", 3), ("No", 1), ("2", 2), ("0", None), ("4", None), ("Maybe", None)],
)
def test_scale_positions_from_labels_or_codes(answer: str, position: int | None) -> None:
    assert Scale(id="agree3", labels=("No", "Unsure", "Yes")).position(answer) == position


def test_a_roster_file_adds_names_to_redact(tmp_path: Path) -> None:
    (tmp_path / "roster.txt").write_text("# participants\nMarisol Quintero\n\nAvery Park\n", encoding="utf-8")
    data = {**MINIMAL, "privacy": {"roster": "roster.txt"}, "speakers": {"Sam Okafor": "psw"}}
    evaluation = load_evaluation(write(tmp_path, data))
    assert evaluation.privacy.roster_names == ("Marisol Quintero", "Avery Park")
    assert evaluation.names_to_redact() == ("Avery Park", "Marisol Quintero", "Sam Okafor")


def test_a_missing_roster_file_is_named(tmp_path: Path) -> None:
    path = write(tmp_path, {**MINIMAL, "privacy": {"roster": "nobody.txt"}})
    with pytest.raises(DefinitionError) as caught:
        load_evaluation(path)
    assert caught.value.where == f"{path}, at privacy.roster"
    assert caught.value.problem == "the roster file 'nobody.txt' is missing or is not UTF-8 text."
