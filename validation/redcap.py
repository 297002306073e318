"""REDCap "CSV raw" data exports and their data dictionaries (research §2.5).

Columns are field names (stable across cycles); checkbox fields arrive as ``field___code``.
When the project's data dictionary is dropped into the same cycle folder, its ``Identifier?``
flags and validation types decide which fields identify a person; without it, common
identifier field names do.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from validation.exports import build_export, unique_keys
from validation.grid import Grid
from validation.survey_export import SurveyExport

DICTIONARY_HEADER = ("Variable / Field Name", "Form Name")
_REPEAT_KEYS = ("redcap_event_name", "redcap_repeat_instrument", "redcap_repeat_instance")
_ROUTINE_EXACT = frozenset({*_REPEAT_KEYS, "redcap_data_access_group"})
_IDENTIFYING_NAMES = re.compile(
    r"^(redcap_survey_identifier|e?mail(_address)?|first_?name|last_?name|full_?name|name|address|"
    r"name_(first|last)|(tele)?phone(_\d+)?|telephone(_\d+)?|dob|date_of_birth|ssn|mrn|postal_?code|zip_?code)$"
)
_IDENTIFYING_VALIDATION = re.compile(r"^(email|phone|ssn|zipcode|postalcode.*|mrn.*)$")


@dataclass(frozen=True)
class Dictionary:
    """What a REDCap data dictionary says about each field."""

    identifying_fields: frozenset[str]
    fields: frozenset[str]


def looks_like_dictionary(grid: Grid) -> bool:
    return grid.header[:2] == DICTIONARY_HEADER


def looks_like_data(grid: Grid) -> bool:
    return any(h.endswith("_complete") for h in grid.header) or any("___" in h for h in grid.header)


def read_dictionary(grid: Grid) -> Dictionary:
    header = list(grid.header)
    column = {name: header.index(name) for name in header}
    field_index = column["Variable / Field Name"]
    identifying = set()
    fields = set()
    for row in grid.rows[1:]:
        field = row[field_index].strip()
        if not field:
            continue
        fields.add(field)
        flagged = row[column["Identifier?"]].strip().casefold() == "y" if "Identifier?" in column else False
        kind = row[column["Field Type"]].strip() if "Field Type" in column else ""
        validation_key = "Text Validation Type OR Show Slider Number"
        validation = row[column[validation_key]].strip() if validation_key in column else ""
        if flagged or kind in {"file", "signature"} or _IDENTIFYING_VALIDATION.match(validation):
            identifying.add(field)
    return Dictionary(frozenset(identifying), frozenset(fields))


def _field(key: str) -> str:
    return key.split("___", 1)[0]


def read_redcap(grid: Grid, name: str, dictionary: Dictionary | None = None) -> SurveyExport:
    keys, notes = unique_keys(grid.header)
    record_id = keys[0]

    def identifying(key: str) -> bool:
        if key == record_id:
            return False
        if dictionary is not None and _field(key) in dictionary.identifying_fields:
            return True
        return bool(_IDENTIFYING_NAMES.match(_field(key)))

    def routine(key: str) -> bool:
        return key in _ROUTINE_EXACT or key.endswith(("_complete", "_timestamp"))

    return build_export(
        platform="redcap",
        grid=grid,
        name=name,
        header_rows=1,
        keys=keys,
        id_key=(record_id, *(k for k in _REPEAT_KEYS if k in keys)),
        is_identifying=identifying,
        is_routine=routine,
        notes=notes,
    )
