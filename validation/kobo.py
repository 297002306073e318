"""KoboToolbox exports, CSV (``;`` or ``,``) or XLSX (research §2.6).

Columns are XML names with group paths (``group/question``); system columns start with ``_``.
``rootUuid`` (stable across edits), else ``_uuid``, identifies a submission; ``_index`` never
does (it is renumbered at every export).
"""

from __future__ import annotations

import re

from validation.exports import build_export, unique_keys
from validation.grid import Grid
from validation.survey_export import SurveyExport

_ROUTINE = frozenset(
    {
        "_id",
        "_uuid",
        "rootUuid",
        "_submission_time",
        "_index",
        "_parent_table_name",
        "_parent_index",
        "_tags",
        "_notes",
        "_validation_status",
        "_status",
        "__version__",
        "_version_",
        "instanceID",
        "start",
        "end",
        "today",
        "audit",
        "uuid",
    }
)
_IDENTIFYING = re.compile(
    r"^(username|phonenumber|deviceid|_submitted_by|subscriberid|simserial|e?mail|name|full_?name|"
    r"first_?name|last_?name|start-geopoint|_.+_(latitude|longitude|altitude|precision)|"
    # a phone field by name: tel, tel.office, mobile_phone, telephone_2 ... (never "tell" or "hotel")
    r"(.*[_.\-])?(tel|phone|telephone|mobile|cell)([_.\-].*|\d*))$",
    re.IGNORECASE,
)


def looks_like_kobo(grid: Grid) -> bool:
    last_parts = {h.rsplit("/", 1)[-1] for h in grid.header}
    return {"_uuid", "_submission_time"} <= last_parts


def read_kobo(grid: Grid, name: str) -> SurveyExport:
    keys, notes = unique_keys(grid.header)
    geopoints = {
        k.rsplit("/", 1)[0] + "/" + m.group(1) if "/" in k else m.group(1)
        for k in keys
        if (m := re.match(r"^_(.+)_latitude$", k.rsplit("/", 1)[-1]))
    }

    def identifying(key: str) -> bool:
        last = key.rsplit("/", 1)[-1]
        return bool(_IDENTIFYING.match(last)) or key in geopoints or last in {g.rsplit("/", 1)[-1] for g in geopoints}

    def routine(key: str) -> bool:
        return key.rsplit("/", 1)[-1] in _ROUTINE

    id_key = next(k for k in ("rootUuid", "_uuid", "meta/instanceID") if k in keys)
    return build_export(
        platform="kobo",
        grid=grid,
        name=name,
        header_rows=1,
        keys=keys,
        id_key=id_key,
        is_identifying=identifying,
        is_routine=routine,
        notes=notes,
    )
