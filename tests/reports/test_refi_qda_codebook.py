"""The codebook as a REFI-QDA ``.qdc``: valid against the official schema, themes as categories."""

from __future__ import annotations

import re
import uuid
from pathlib import Path

import pytest
from lxml import etree

from instruments.evaluation import Code, Codebook, Theme
from instruments.load import load_evaluation
from reports.refi_codebook import codebook_qdc, stable_guid, write_codebook_qdc
from tests.conftest import PILOT
from tests.reports.test_refi_qda_schemas import CODEBOOK_NS, errors

EVALUATION = load_evaluation(PILOT / "evaluation.yaml")
NS = {"q": CODEBOOK_NS}
UPPER_GUID = re.compile(r"^[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}$")


def written(tmp_path: Path, codebook: Codebook = EVALUATION.codebook) -> bytes:
    path = tmp_path / "codebook.qdc"
    write_codebook_qdc(path, codebook, "evalcycle test", evaluation_id=EVALUATION.id)
    return path.read_bytes()


def test_the_pilot_codebook_validates_against_the_official_schema(tmp_path: Path) -> None:
    document = written(tmp_path)
    assert errors(document, "Codebook.xsd") == []
    root = etree.fromstring(document)
    assert root.tag == f"{{{CODEBOOK_NS}}}CodeBook"
    assert root.get("origin") == "evalcycle test"
    assert root.find("q:Sets", NS) is None


def test_themes_are_non_codable_parents_holding_their_codable_codes(tmp_path: Path) -> None:
    root = etree.fromstring(written(tmp_path))
    themes = root.findall("q:Codes/q:Code", NS)
    assert [(t.get("name"), t.get("isCodable")) for t in themes] == [
        (theme.label, "false") for theme in EVALUATION.codebook.themes
    ]
    for theme, element in zip(EVALUATION.codebook.themes, themes, strict=True):
        children = element.findall("q:Code", NS)
        expected = [code.label for code in EVALUATION.codebook.codes if code.theme == theme.id]
        assert [c.get("name") for c in children] == expected
        assert all(c.get("isCodable") == "true" and not c.findall("q:Code", NS) for c in children)


def test_a_codes_description_holds_its_definition_and_guidance(tmp_path: Path) -> None:
    root = etree.fromstring(written(tmp_path))
    for code in EVALUATION.codebook.codes:
        element = root.find(f".//q:Code[@guid='{stable_guid(EVALUATION.id, 'code', code.id)}']", NS)
        assert element is not None
        description = element.findtext("q:Description", namespaces=NS)
        assert description is not None
        assert description.startswith(code.definition)
        assert (f"Use when: {code.use_when}" in description) == bool(code.use_when)
        assert (f"Do not use when: {code.not_when}" in description) == bool(code.not_when)
        assert f"evalcycle code id: {code.id}" in description


def test_every_code_has_a_colour_of_the_form_the_schema_wants(tmp_path: Path) -> None:
    root = etree.fromstring(written(tmp_path))
    colours = [code.get("color") for code in root.iter(f"{{{CODEBOOK_NS}}}Code")]
    assert colours and all(c is not None and re.fullmatch(r"#[0-9A-F]{6}", c) for c in colours)


def test_guids_are_upper_case_distinct_and_the_same_on_every_export(tmp_path: Path) -> None:
    first = etree.fromstring(written(tmp_path))
    guids = [code.get("guid") for code in first.iter(f"{{{CODEBOOK_NS}}}Code")]
    assert all(g is not None and UPPER_GUID.match(g) for g in guids)
    assert len(set(guids)) == len(guids) == len(EVALUATION.codebook.themes) + len(EVALUATION.codebook.codes)
    again = codebook_qdc(EVALUATION.codebook, EVALUATION.id, "evalcycle test")
    assert again == written(tmp_path)


def test_guids_come_from_the_fixed_namespace_so_releases_keep_them() -> None:
    namespace = uuid.UUID("0f8b6c52-4d1e-5a57-9c3b-2e7d1a9f4c60")
    expected = str(uuid.uuid5(namespace, "psw-pilot/code/debrief")).upper()
    assert stable_guid("psw-pilot", "code", "debrief") == expected
    assert stable_guid("psw-pilot", "theme", "debrief") != expected
    assert stable_guid("other-evaluation", "code", "debrief") != expected


def test_codes_sharing_a_label_get_distinct_names(tmp_path: Path) -> None:
    codebook = Codebook(
        themes=(Theme(id="t", label="Theme"),),
        codes=(
            Code(id="a", label="Same", theme="t", definition="A."),
            Code(id="b", label="Same", theme="t", definition="B."),
            Code(id="c", label="Other", theme="t", definition="C."),
        ),
    )
    root = etree.fromstring(written(tmp_path, codebook))
    assert [c.get("name") for c in root.iterfind("q:Codes/q:Code/q:Code", NS)] == ["Same (a)", "Same (b)", "Other"]


def test_xml_special_characters_in_labels_survive(tmp_path: Path) -> None:
    codebook = Codebook(
        themes=(Theme(id="t", label='Trust & "safety" <first>'),),
        codes=(Code(id="a", label="Ça va \u2013 \U0001f600", theme="t", definition="Use < and > freely & often."),),
    )
    document = written(tmp_path, codebook)
    assert errors(document, "Codebook.xsd") == []
    root = etree.fromstring(document)
    assert root.find("q:Codes/q:Code", NS).get("name") == 'Trust & "safety" <first>'
    assert root.findtext("q:Codes/q:Code/q:Code/q:Description", namespaces=NS).startswith("Use < and >")


def test_a_codebook_without_codes_is_refused() -> None:
    with pytest.raises(ValueError, match=r"^the codebook has no codes, and a REFI-QDA codebook must hold at least one"):
        codebook_qdc(Codebook(themes=(Theme(id="t", label="T"),)), "psw-pilot")


def test_a_code_of_an_unknown_theme_is_refused_not_dropped() -> None:
    codebook = Codebook(codes=(Code(id="a", label="A", theme="missing", definition="A."),))
    with pytest.raises(ValueError, match=r"^code a names a theme the codebook does not have"):
        codebook_qdc(codebook, "psw-pilot")


def test_a_control_character_is_refused_naming_the_code() -> None:
    codebook = Codebook(
        themes=(Theme(id="t", label="T"),),
        codes=(Code(id="a", label="A", theme="t", definition="bell\x07"),),
    )
    with pytest.raises(ValueError) as raised:
        codebook_qdc(codebook, "psw-pilot")
    assert str(raised.value) == (
        "the definition or guidance of code a holds the character U+0007, which an XML file cannot carry; "
        "remove it from the evaluation file and export again"
    )
