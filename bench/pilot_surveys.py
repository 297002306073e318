"""Survey exports of the synthetic pilot, in each platform's real layout (research/export_formats.md §2).

Qualtrics (current CSV, choice text), Google Forms CSV, KoboToolbox CSV (labels), Microsoft
Forms XLSX and SurveyMonkey CSV. The column dictionaries here are what the evaluation's
``exports:`` must map; a test keeps the two equal.
"""

from __future__ import annotations

import datetime as dt
import json
import random
from collections.abc import Sequence

from bench import pilot_formats as fmt
from bench.pilot_story import (
    AGREE_GRID,
    BETTER_QUESTION,
    CONCERN_GRID,
    CONCERNS,
    GRID_QUESTION,
    GROUP_QUESTION,
    HELP_QUESTION,
    IMPLEMENTATION,
    KOBO_PEER_QUESTION,
    PEER_QUESTION,
    RATINGS,
    ROLE_QUESTION,
    SESSION_QUESTION,
    Response,
)

#: Each platform's column id -> item id; the evaluation's ``exports:`` say the same (a test checks).
PARTICIPANT_COLUMNS: dict[str, dict[str, str]] = {
    "qualtrics": {
        "QID1": "pf_group",
        "session": "pf_session",
        **{f"QID2_{n}": item for n, (item, _) in enumerate(RATINGS, start=1)},
        "QID3_TEXT": "pf_better",
        "QID4_TEXT": "pf_peer_comment",
    },
    "google-forms": {
        GROUP_QUESTION: "pf_group",
        SESSION_QUESTION: "pf_session",
        **{f"{GRID_QUESTION} [{text}]": item for item, text in RATINGS},
        BETTER_QUESTION: "pf_better",
        PEER_QUESTION: "pf_peer_comment",
    },
    "kobo": {
        GROUP_QUESTION: "pf_group",
        SESSION_QUESTION: "pf_session",
        **{text: item for item, text in RATINGS},
        BETTER_QUESTION: "pf_better",
        # Kobo's reader takes any header holding "tel" for a telephone field, so the Kobo form
        # words this question without "tell" (see README: reader problems).
        KOBO_PEER_QUESTION: "pf_peer_comment",
    },
}
STAFF_COLUMNS: dict[str, dict[str, str]] = {
    "qualtrics": {
        "QID1": "st_role",
        **{f"QID2_{n}": item for n, (item, _) in enumerate(IMPLEMENTATION, start=1)},
        **{f"QID3_{n}": item for n, (item, _) in enumerate(CONCERNS, start=1)},
        "QID4_TEXT": "st_help",
    },
    "msforms": {
        ROLE_QUESTION: "st_role",
        **{text: item for item, text in IMPLEMENTATION + CONCERNS},
        HELP_QUESTION: "st_help",
    },
    "surveymonkey": {
        ROLE_QUESTION: "st_role",
        **{f"{AGREE_GRID} / {text}": item for item, text in IMPLEMENTATION},
        **{f"{CONCERN_GRID} / {text}": item for item, text in CONCERNS},
        HELP_QUESTION: "st_help",
    },
}
ITEM_TEXT = {
    "pf_group": GROUP_QUESTION,
    "pf_session": SESSION_QUESTION,
    "pf_better": BETTER_QUESTION,
    "pf_peer_comment": PEER_QUESTION,
    "st_role": ROLE_QUESTION,
    "st_help": HELP_QUESTION,
    **{item: f"{GRID_QUESTION} - {text}" for item, text in RATINGS},
    **{item: f"{AGREE_GRID} - {text}" for item, text in IMPLEMENTATION},
    **{item: f"{CONCERN_GRID} - {text}" for item, text in CONCERNS},
}
QUALTRICS_META = (
    ("StartDate", "Start Date", "startDate"),
    ("EndDate", "End Date", "endDate"),
    ("Status", "Response Type", "status"),
    ("IPAddress", "IP Address", "ipAddress"),
    ("Progress", "Progress", "progress"),
    ("Duration (in seconds)", "Duration (in seconds)", "duration"),
    ("Finished", "Finished", "finished"),
    ("RecordedDate", "Recorded Date", "recordedDate"),
    ("ResponseId", "Response ID", "_recordId"),
    ("RecipientLastName", "Recipient Last Name", "recipientLastName"),
    ("RecipientFirstName", "Recipient First Name", "recipientFirstName"),
    ("RecipientEmail", "Recipient Email", "recipientEmail"),
    ("ExternalReference", "External Data Reference", "externalDataReference"),
    ("LocationLatitude", "Location Latitude", "locationLatitude"),
    ("LocationLongitude", "Location Longitude", "locationLongitude"),
    ("DistributionChannel", "Distribution Channel", "distributionChannel"),
    ("UserLanguage", "User Language", "userLanguage"),
)
_ALPHANUMERIC = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"


def _qualtrics(rng: random.Random, columns: dict[str, str], responses: Sequence[Response], *, emails: bool) -> bytes:
    """A current-format Qualtrics export (choice text): names, labels, ImportIds, then responses.

    A survey preview opens the file and about one response in 25 is unfinished. With ``emails``
    the survey went out by e-mail distribution, so the recipient columns are filled (refused).
    """
    names = [name for name, _, _ in QUALTRICS_META]
    labels = [label for _, label, _ in QUALTRICS_META]
    ids = [
        json.dumps(
            {"ImportId": key, **({"timeZone": "America/Edmonton"} if "Date" in name else {})},
            separators=(",", ":"),
        )
        for name, _, key in QUALTRICS_META
    ]
    for key, item in columns.items():
        names.append(key if key == "session" else "Q" + key.removeprefix("QID").removesuffix("_TEXT"))
        labels.append(ITEM_TEXT[item])
        ids.append(json.dumps({"ImportId": key}, separators=(",", ":")))
    rows: list[list[str]] = [names, labels, ids]
    items = list(columns.values())
    if not emails:
        first = responses[0]
        preview = Response(first.session, first.started - dt.timedelta(hours=5), 64, dict(first.answers))
        rows.append(_qualtrics_row(rng, preview, items, status="Survey Preview", channel="preview"))
    for number, response in enumerate(responses, start=1):
        unfinished = not emails and rng.random() < 0.04
        answers = response.answers
        if unfinished:
            answers = {k: v for k, v in answers.items() if k in items[:4]}
        recipient = ("", "", "")
        if emails:
            recipient = (f"Member{number:02d}", "Grief group", f"griefgroup.member{number:02d}@example.net")
        row = _qualtrics_row(
            rng,
            Response(response.session, response.started, response.seconds, answers),
            items,
            status="IP Address",
            channel="email" if emails else "anonymous",
            finished=not unfinished,
            recipient=recipient,
        )
        rows.append(row)
    return fmt.csv_bytes(rows)


def _qualtrics_row(
    rng: random.Random,
    response: Response,
    items: Sequence[str],
    *,
    status: str,
    channel: str,
    finished: bool = True,
    recipient: tuple[str, str, str] = ("", "", ""),
) -> list[str]:
    end = response.started + dt.timedelta(seconds=response.seconds)
    meta = [
        _stamp(response.started),
        _stamp(end),
        status,
        "",
        "100" if finished else str(rng.randint(20, 70)),
        str(response.seconds),
        "True" if finished else "False",
        _stamp(end + dt.timedelta(seconds=1 if finished else 7200)),
        "R_" + "".join(rng.choice(_ALPHANUMERIC) for _ in range(15)),
        recipient[1],
        recipient[0],
        recipient[2],
        "",
        "",
        "",
        channel,
        "EN",
    ]
    return meta + [response.answers.get(item, "") for item in items]


def _stamp(moment: dt.datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M:%S")


def qualtrics_participants(rng: random.Random, responses: Sequence[Response], *, emails: bool = False) -> bytes:
    return _qualtrics(rng, PARTICIPANT_COLUMNS["qualtrics"], responses, emails=emails)


def qualtrics_staff(rng: random.Random, responses: Sequence[Response]) -> bytes:
    return _qualtrics(rng, STAFF_COLUMNS["qualtrics"], responses, emails=False)


def google_participants(responses: Sequence[Response]) -> bytes:
    """A Google Forms CSV download: Timestamp first, question text as headers, grid rows in brackets."""
    columns = PARTICIPANT_COLUMNS["google-forms"]
    rows = [["Timestamp", *columns]]
    for response in responses:
        stamp = response.started + dt.timedelta(seconds=response.seconds)
        hour = stamp.hour % 12 or 12
        text = f"{stamp:%Y/%m/%d} {hour}:{stamp:%M:%S} {'PM' if stamp.hour >= 12 else 'AM'} MDT"
        rows.append([text, *(response.answers.get(item, "") for item in columns.values())])
    return fmt.csv_bytes(rows)


def kobo_participants(rng: random.Random, responses: Sequence[Response]) -> bytes:
    """A KoboToolbox CSV ("Labels", ``;``, every field quoted, CRLF), filled in on a tablet at the session."""
    columns = PARTICIPANT_COLUMNS["kobo"]
    system = ["__version__", "_id", "_uuid", "_submission_time", "_validation_status", "_notes", "_status"]
    system += ["_submitted_by", "_tags", "_index"]
    rows = [["start", "end", "today", *columns, *system]]
    for number, response in enumerate(responses, start=1):
        end = response.started + dt.timedelta(seconds=response.seconds)
        uuid = "".join(rng.choice("0123456789abcdef") for _ in range(32))
        uuid = f"{uuid[:8]}-{uuid[8:12]}-4{uuid[13:16]}-a{uuid[17:20]}-{uuid[20:]}"
        submitted = end + dt.timedelta(hours=6, minutes=rng.randint(1, 50))
        rows.append(
            [
                response.started.strftime("%Y-%m-%dT%H:%M:%S.000-06:00"),
                end.strftime("%Y-%m-%dT%H:%M:%S.000-06:00"),
                response.session.date.isoformat(),
                *(response.answers.get(item, "") for item in columns.values()),
                "vKp3tGZcYm8sQe5wLrTn2A",
                str(218_400_000 + number * 7),
                uuid,
                submitted.strftime("%Y-%m-%dT%H:%M:%S"),
                "",
                "",
                "submitted_via_web",
                "",
                "",
                str(number),
            ]
        )
    return fmt.csv_bytes(rows, delimiter=";", quote_all=True, line_end="\r\n")


def msforms_staff(responses: Sequence[Response]) -> bytes:
    """A Microsoft Forms XLSX (anonymous: Email 'anonymous', Name 'Anonymous')."""
    columns = STAFF_COLUMNS["msforms"]
    rows: list[list[object]] = [["ID", "Start time", "Completion time", "Email", "Name", "Last modified time"]]
    rows[0] += list(columns)
    for number, response in enumerate(responses, start=1):
        end = response.started + dt.timedelta(seconds=response.seconds)
        answers = [response.answers.get(item) or None for item in columns.values()]
        rows.append([number, response.started, end, "anonymous", "Anonymous", None, *answers])
    when = dt.datetime(2026, 6, 19, 17, 5)  # noqa: DTZ001 - workbook dates are naive in XLSX
    return fmt.xlsx_bytes(rows, "Sheet1", when)


def surveymonkey_staff(rng: random.Random, responses: Sequence[Response]) -> bytes:
    """A SurveyMonkey CSV (expanded columns, actual answer text): two header rows, grids spanning columns."""
    columns = STAFF_COLUMNS["surveymonkey"]
    meta = ["Respondent ID", "Collector ID", "Start Date", "End Date", "IP Address", "Email Address"]
    meta += ["First Name", "Last Name", "Custom Data 1"]
    top, sub = list(meta), [""] * len(meta)
    current = ""
    for key in columns:
        question, _, statement = key.partition(" / ")
        top.append(question if question != current else "")
        sub.append(statement or ("Open-Ended Response" if question == HELP_QUESTION else "Response"))
        current = question
    rows = [top, sub]
    respondent = 11_840_000_000
    for response in responses:
        end = response.started + dt.timedelta(seconds=response.seconds)
        respondent += rng.randint(1_000, 90_000)  # increasing, as SurveyMonkey numbers them
        rows.append(
            [
                str(respondent),
                "431552873",
                response.started.strftime("%m/%d/%Y %I:%M:%S %p"),
                end.strftime("%m/%d/%Y %I:%M:%S %p"),
                "",
                "",
                "",
                "",
                "",
                *(response.answers.get(item, "") for item in columns.values()),
            ]
        )
    return fmt.csv_bytes(rows, bom=True)
