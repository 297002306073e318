"""The codebook as a REFI-QDA 1.5 codebook (``.qdc``), for NVivo, ATLAS.ti and QualCoder.

A ``.qdc`` is one uncompressed XML file in the namespace :data:`CODEBOOK_NS` whose root is
``CodeBook`` (research/qda_agreement.md §2.2). Each theme becomes a parent code that cannot be
applied (``isCodable="false"``) and holds its codes (``isCodable="true"``); QualCoder's importer
reads a non-codable code as a *category*, which is what a theme is. The code's definition,
"use when" and "do not use when" go into its ``Description``.

Every GUID is a :func:`stable_guid` (uuid5 of the evaluation id, a kind and an id, upper case),
so exporting the same codebook twice gives the same GUIDs, and the codes of a ``.qdc`` carry
the same GUIDs as in a ``.qdpx`` project (see ``reports/refi_project.py``) of the same
evaluation. The XML is serialised with the standard library only, with no dates, so identical
input gives identical bytes.

Text that XML 1.0 cannot carry (control characters other than tab, line feed and carriage
return) is refused with a ``ValueError`` naming the code and field, never dropped silently.
"""

from __future__ import annotations

import re
import uuid
import xml.etree.ElementTree as ET
from pathlib import Path

from instruments.atomic import write_bytes_atomic
from instruments.evaluation import Code, Codebook

CODEBOOK_NS = "urn:QDA-XML:codebook:1.0"
#: What the ``origin`` attribute says unless the caller says otherwise.
ORIGIN = "evalcycle"
#: The fixed namespace of every GUID evalcycle writes. Never change it: GUIDs would change too.
GUID_NAMESPACE = uuid.UUID("0f8b6c52-4d1e-5a57-9c3b-2e7d1a9f4c60")

#: Colour-blind-safe colours (Okabe and Ito) given to codes and themes in codebook order.
PALETTE = ("#E69F00", "#56B4E9", "#009E73", "#F0E442", "#0072B2", "#D55E00", "#CC79A7", "#999999")

_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


def stable_guid(evaluation_id: str, kind: str, identifier: str) -> str:
    """An upper-case RFC 4122 GUID, the same for the same evaluation, kind and id on every run."""
    return str(uuid.uuid5(GUID_NAMESPACE, f"{evaluation_id}/{kind}/{identifier}")).upper()


def xml_text(text: str, where: str) -> str:
    """``text`` unchanged, or a ``ValueError`` saying ``where`` it holds what XML cannot carry."""
    bad = _NOT_XML.search(text)
    if bad:
        raise ValueError(
            f"{where} holds the character U+{ord(bad.group()):04X}, which an XML file cannot carry; "
            "remove it from the evaluation file and export again"
        )
    return text


def code_names(codebook: Codebook) -> dict[str, str]:
    """The name each code gets: its label, or ``label (id)`` where two codes share a label.

    QualCoder merges codes of the same name on import, so names must differ.
    """
    labels = [code.label for code in codebook.codes]
    return {
        code.id: code.label if labels.count(code.label) == 1 else f"{code.label} ({code.id})" for code in codebook.codes
    }


def code_description(code: Code) -> str:
    """Definition, then "Use when" and "Do not use when" where given, then the evalcycle id."""
    parts = [code.definition]
    if code.use_when:
        parts.append(f"Use when: {code.use_when}")
    if code.not_when:
        parts.append(f"Do not use when: {code.not_when}")
    parts.append(f"evalcycle code id: {code.id}")
    return "\n\n".join(parts)


def codes_element(codebook: Codebook, evaluation_id: str) -> ET.Element:
    """``<Codes>``: one non-codable code per theme, holding that theme's codes, in codebook order."""
    if not codebook.codes:
        raise ValueError(
            "the codebook has no codes, and a REFI-QDA codebook must hold at least one; "
            "add codes to the evaluation file before exporting"
        )
    themes = {theme.id for theme in codebook.themes}
    orphans = [code.id for code in codebook.codes if code.theme not in themes]
    if orphans:
        raise ValueError(
            f"code {', '.join(orphans)} names a theme the codebook does not have, so it would be left "
            "out of the export; give it one of the codebook's themes"
        )
    names = code_names(codebook)
    codes = ET.Element("Codes")
    for index, theme in enumerate(codebook.themes):
        parent = ET.SubElement(
            codes,
            "Code",
            {
                "guid": stable_guid(evaluation_id, "theme", theme.id),
                "name": xml_text(theme.label, f"the label of theme {theme.id}"),
                "isCodable": "false",
                "color": PALETTE[index % len(PALETTE)],
            },
        )
        description = ET.SubElement(parent, "Description")
        description.text = f"Theme. evalcycle theme id: {theme.id}"
        for number, code in enumerate(codebook.codes):
            if code.theme != theme.id:
                continue
            child = ET.SubElement(
                parent,
                "Code",
                {
                    "guid": stable_guid(evaluation_id, "code", code.id),
                    "name": xml_text(names[code.id], f"the label of code {code.id}"),
                    "isCodable": "true",
                    "color": PALETTE[number % len(PALETTE)],
                },
            )
            text = ET.SubElement(child, "Description")
            text.text = xml_text(code_description(code), f"the definition or guidance of code {code.id}")
    return codes


def xml_bytes(root: ET.Element) -> bytes:
    """The document's UTF-8 bytes with a declaration, indented.

    Elements are built with plain names and the root carries ``xmlns`` as an attribute: the
    standard library cannot write a default namespace on a tree whose attributes have none.
    """
    ET.indent(root)
    body = ET.tostring(root, encoding="unicode")
    return ('<?xml version="1.0" encoding="utf-8"?>\n' + body + "\n").encode("utf-8")


def codebook_qdc(codebook: Codebook, evaluation_id: str, origin: str = ORIGIN) -> bytes:
    """The ``.qdc`` document's bytes (no ``<Sets>``: the standard forbids an empty one)."""
    root = ET.Element("CodeBook", {"xmlns": CODEBOOK_NS, "origin": xml_text(origin, "the origin")})
    root.append(codes_element(codebook, evaluation_id))
    return xml_bytes(root)


def write_codebook_qdc(path: Path, codebook: Codebook, origin: str = ORIGIN, *, evaluation_id: str) -> None:
    """Write the codebook to ``path`` as a REFI-QDA ``.qdc`` file, atomically.

    ``evaluation_id`` seeds the GUIDs, so the codes match those of the evaluation's ``.qdpx``.
    """
    write_bytes_atomic(path, codebook_qdc(codebook, evaluation_id, origin))
