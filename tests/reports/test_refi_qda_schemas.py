"""The official REFI-QDA 1.5 schemas, found beside the repository, and proof that they can fail.

The XSDs live in ``../shared/reference/refi-qda/`` (research/qda_agreement.md §2.1); they are
never copied into the project. A missing schema fails the tests, it never skips them. Each
negative case of research §2.4 is made by breaking one thing in a document evalcycle wrote, and
must be rejected, so a test that says "valid" is known to be able to say "invalid".
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any, TypeAlias

import pytest
from lxml import etree

from instruments.evaluation import Code, Codebook, Theme
from reports.refi_codebook import codebook_qdc
from tests.conftest import REPOSITORY

CODEBOOK_NS = "urn:QDA-XML:codebook:1.0"
PROJECT_NS = "urn:QDA-XML:project:1.0"

#: lxml has no type stubs here, so its elements are ``Any`` to mypy.
Element: TypeAlias = Any


def shared_candidates() -> list[Path]:
    """``shared/`` beside the repository, and beside the main checkout when this is a worktree."""
    candidates = [REPOSITORY.parent / "shared"]
    dot_git = REPOSITORY / ".git"
    if dot_git.is_file():
        gitdir = Path(dot_git.read_text(encoding="utf-8").removeprefix("gitdir:").strip())
        common = (gitdir / (gitdir / "commondir").read_text(encoding="utf-8").strip()).resolve()
        candidates.append(common.parent.parent / "shared")
    return candidates


@cache
def schema(name: str) -> etree.XMLSchema:
    """The official schema ``name`` (``Codebook.xsd`` or ``Project.xsd``); missing is an error."""
    for shared in shared_candidates():
        path = shared / "reference" / "refi-qda" / name
        if path.is_file():
            return etree.XMLSchema(etree.parse(str(path)))
    looked = ", ".join(str(c / "reference" / "refi-qda") for c in shared_candidates())
    raise FileNotFoundError(f"{name} not found (looked in {looked}); check out shared/ beside the repository")


def errors(document: bytes | Element, name: str) -> list[str]:
    """The schema's complaints about ``document``; empty when it is valid."""
    tree = etree.fromstring(document) if isinstance(document, bytes) else document
    validator = schema(name)
    validator.validate(tree)
    return [str(error.message) for error in validator.error_log]


CODEBOOK = Codebook(
    themes=(Theme(id="role", label="A distinct role"),),
    codes=(Code(id="role-distinct", label="Distinct role", theme="role", definition="Different from a counsellor."),),
)


def written_qdc() -> Element:
    return etree.fromstring(codebook_qdc(CODEBOOK, "psw-pilot"))


def first_code(root: Element) -> Element:
    found = root.find(f".//{{{CODEBOOK_NS}}}Code")
    assert found is not None
    return found


def add_empty_sets(root: Element) -> None:
    etree.SubElement(root, f"{{{CODEBOOK_NS}}}Sets")


def empty_codes(root: Element) -> None:
    codes = root.find(f"{{{CODEBOOK_NS}}}Codes")
    assert codes is not None
    for child in list(codes):
        codes.remove(child)


def short_guid(root: Element) -> None:
    first_code(root).set("guid", "c001")


def colour_without_hash(root: Element) -> None:
    first_code(root).set("color", "1F77B4")


def no_is_codable(root: Element) -> None:
    del first_code(root).attrib["isCodable"]


@pytest.mark.parametrize(
    ("breakage", "complaint"),
    [
        (add_empty_sets, "Missing child element(s)"),
        (empty_codes, "Missing child element(s)"),
        (short_guid, "is not accepted by the pattern"),
        (colour_without_hash, "is not accepted by the pattern"),
        (no_is_codable, "The attribute 'isCodable' is required but missing"),
    ],
)
def test_a_broken_codebook_is_rejected_by_the_schema(breakage: Callable[[Element], None], complaint: str) -> None:
    root = written_qdc()
    assert errors(root, "Codebook.xsd") == []
    broken = copy.deepcopy(root)
    breakage(broken)
    complaints = errors(broken, "Codebook.xsd")
    assert complaints
    assert any(complaint in message for message in complaints), complaints


@pytest.mark.parametrize("guid", ["6f1b2f4e-3c1d-4c55-9b8e-0e6a1f1d2a01", "{6F1B2F4E-3C1D-4C55-9B8E-0E6A1F1D2A01}"])
def test_the_schema_accepts_lower_case_and_braced_guids(guid: str) -> None:
    root = written_qdc()
    first_code(root).set("guid", guid)
    assert errors(root, "Codebook.xsd") == []


MINIMAL_PROJECT = f"""<Project xmlns="{PROJECT_NS}" name="p">
  <Users><User guid="A1B2C3D4-0000-4000-8000-000000000001" name="reviewer-a"/></Users>
  <Sources>
    <TextSource guid="B0000000-0000-4000-8000-000000000001" plainTextPath="internal://B0000000-0000-4000-8000-000000000001.txt"/>
  </Sources>
</Project>""".encode()


def test_the_minimal_project_is_valid() -> None:
    assert errors(MINIMAL_PROJECT, "Project.xsd") == []


def test_a_project_without_a_name_is_rejected() -> None:
    root = etree.fromstring(MINIMAL_PROJECT)
    del root.attrib["name"]
    assert any("The attribute 'name' is required but missing" in m for m in errors(root, "Project.xsd"))


def test_project_children_out_of_the_fixed_order_are_rejected() -> None:
    root = etree.fromstring(MINIMAL_PROJECT)
    sets = etree.Element(f"{{{PROJECT_NS}}}Sets")
    etree.SubElement(sets, f"{{{PROJECT_NS}}}Set", guid="C0000000-0000-4000-8000-000000000001", name="s")
    root.insert(1, sets)  # Sets belongs after Sources
    assert any("This element is not expected" in m for m in errors(root, "Project.xsd"))


def test_a_missing_schema_fails_loudly_naming_where_it_looked() -> None:
    with pytest.raises(FileNotFoundError, match=r"Nothing\.xsd not found \(looked in .*refi-qda"):
        schema("Nothing.xsd")
