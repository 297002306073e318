"""Deterministic synthetic data for the three-cycle PSW pilot (``examples/psw-pilot-3``).

    python -m bench.pilot_data --out DIR [--scale 1|10|100] [--seed 0]

writes ``DIR/inbox/cycle-1|cycle-2|cycle-3/`` with the files a real team would drop: participant
feedback after every group session (Qualtrics CSV, then Google Forms CSV, then KoboToolbox CSV),
a staff survey per cycle (Qualtrics CSV, Microsoft Forms XLSX, SurveyMonkey CSV), interviews
(Zoom and Teams WebVTT, Otter text, Word) and consensus-session notes (Markdown, Word). The same
seed gives byte-identical files: nothing reads the clock, and XLSX/DOCX get fixed document
properties and fixed zip entry dates. ``--scale N`` runs the pilot at N sites (N times the
sessions, respondents and interviews) for benchmarks; only scale 1 is committed.

The story, the planted refusals and the canaries are told in examples/psw-pilot-3/README.md.
The files must match the evaluation in examples/psw-pilot-3/evaluation.yaml; tests check that
every file is accepted (or refused as planted) by ``validation.intake.accept``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import random
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from bench import pilot_formats as fmt
from bench.pilot_text import ANSWERS, BETTER, INTERRUPTION, NOTES, PEER, QUESTIONS, STAFF_HELP

CYCLES = ("cycle-1", "cycle-2", "cycle-3")
AGREE = ("Strongly disagree", "Disagree", "Neither agree nor disagree", "Agree", "Strongly agree")
COMPLETELY = ("Completely disagree", "Disagree", "Neither agree nor disagree", "Agree", "Completely agree")
CONCERN = ("Not a concern", "Sometimes a concern", "Very much a concern")
GROUPS = {"grief": "Grief group", "bereavement": "Suicide bereavement group", "family": "Family support group"}
STAFF_ROLES = ("Peer support worker", "Counsellor or program manager")

#: Synthetic people: speaker key -> (name in transcripts, role). Mirrors ``speakers:`` in the evaluation.
PEOPLE = {
    "facilitator": ("Sam Okafor", "facilitator"),
    "psw-1": ("Riley Moreno", "psw"),
    "psw-2": ("Tamsin Achebe", "psw"),
    "psw-3": ("Devika Rao", "psw"),
    "counsellor-1": ("Elena Varga", "counsellor"),
    "counsellor-2": ("Marcus Lindqvist", "counsellor"),
    "counsellor-3": ("Noor Haddad", "counsellor"),
    "manager-1": ("Colette Brisbois", "manager"),
    "manager-2": ("Ibrahim Sesay", "manager"),
}

#: Planted identifiers that must never reach a validated table (README: "Canaries").
CANARY_EMAIL = "dana.whitlock@example.org"
CANARY_PHONE = "403-555-0147"
CANARY_TRANSCRIPT_PHONE = "(587) 555-0199"
CANARY_NAME = "Marisol Quintero"
CANARIES = (CANARY_EMAIL, CANARY_PHONE, CANARY_TRANSCRIPT_PHONE, "Marisol", "Quintero")

# Participant feedback items, in questionnaire order: (item id, statement).
RATINGS = (
    ("pf_safe", "I felt safe sharing in the group today."),
    ("pf_peer_helped", "The peer support worker's experience helped me make sense of today's topic."),
    ("pf_understood", "The people leading the group understood what I am going through."),
    ("pf_roles_clear", "I knew what the counsellor and the peer support worker were each there for."),
    ("pf_recommend", "I would suggest this group to someone going through something similar."),
)
GROUP_QUESTION = "Which group did you come to today?"
SESSION_QUESTION = "Session date"
BETTER_QUESTION = "What would make this group better for you?"
PEER_QUESTION = "Is there anything you want to tell us about having a peer support worker in the group?"
KOBO_PEER_QUESTION = "Anything else about having a peer support worker in the group?"
GRID_QUESTION = "How much do you agree with each statement?"

# Staff survey: AIM, IAM and FIM items (Weiner et al. 2017) and concerns (seed 001 Appendix D), our words.
IMPLEMENTATION = (
    ("aim_1", "I am in favour of peer support workers co-leading our groups."),
    ("aim_2", "Peer support workers in our groups is an idea I find appealing."),
    ("aim_3", "I am glad to have peer support workers in the groups."),
    ("aim_4", "I welcome peer support workers as part of the group team."),
    ("iam_1", "Peer support workers are a good fit for the groups we run."),
    ("iam_2", "Having peer support workers suits what our participants need."),
    ("iam_3", "Peer support workers in the groups make sense for our program."),
    ("iam_4", "Peer support workers in the groups match the purpose of our program."),
    ("fim_1", "Having peer support workers in the groups is workable with the time we have."),
    ("fim_2", "We can make peer co-facilitation work in practice."),
    ("fim_3", "Peer co-facilitation is doable with our current resources."),
    ("fim_4", "Running the groups with peer support workers is easy enough to sustain."),
)
CONCERNS = (
    ("sc_01", "I am unsure whether peer staff can carry the same accountability as other providers."),
    ("sc_02", "I worry about how participant information will be kept confidential."),
    ("sc_03", "I expect more mental health crises on the team once peer staff join it."),
    ("sc_04", "I worry that my own position could be at risk."),
    ("sc_05", "I worry that peer colleagues will misread the way staff let off steam after hard sessions."),
    ("sc_06", "I feel that peer staff receive accommodations that other staff do not."),
    ("sc_07", "I question the value of my training if people without a licence can do the same work."),
    ("sc_08", "I worry about how much say peer staff will have over how services are delivered."),
    ("sc_09", "I worry that supporting a peer colleague will add to my workload."),
    ("sc_10", "I worry about peer staff keeping professional roles with participants."),
    ("sc_11", "I worry that dual relationships could put my professional licence at risk."),
    ("sc_12", "I doubt that peer staff have the qualifications the work needs."),
    ("sc_13", "I feel I know too little about how my colleagues see mental health and substance use."),
    ("sc_14", "I feel I know too little about how peer staff see their work as professionals."),
)
ROLE_QUESTION = "Which best describes your role?"
HELP_QUESTION = "What would help peer support work well in your program?"
AGREE_GRID = "How much do you agree with each statement about peer support workers in the groups?"
CONCERN_GRID = "How much of a concern is each of these for you?"

#: Mean answer (1-5) per cycle and group before noise: the story of the pilot in numbers.
PARTICIPANT_MEANS: dict[tuple[str, str], tuple[float, float, float, float, float]] = {
    ("cycle-1", "grief"): (3.55, 3.45, 3.8, 2.85, 3.85),
    ("cycle-2", "grief"): (4.1, 4.1, 4.05, 3.95, 4.2),
    ("cycle-2", "bereavement"): (3.85, 3.8, 3.9, 3.8, 4.0),
    ("cycle-3", "grief"): (4.3, 4.3, 4.2, 4.25, 4.4),
    ("cycle-3", "bereavement"): (4.15, 4.1, 4.1, 4.1, 4.25),
    ("cycle-3", "family"): (3.9, 3.3, 3.7, 4.0, 3.9),  # first four sessions: PSW not matched
    ("cycle-3", "family-matched"): (4.1, 4.05, 4.0, 4.1, 4.15),
}
#: Mean AIM/IAM/FIM answer (1-5) per cycle, and mean concern level (1-3) shift from the cycle-1 level.
STAFF_MEANS = {"cycle-1": (3.9, 3.6, 3.1), "cycle-2": (4.3, 4.1, 3.8), "cycle-3": (4.5, 4.2, 4.2)}
CONCERN_BASE = (1.6, 2.2, 1.5, 1.5, 1.6, 1.4, 1.5, 1.5, 2.0, 2.3, 1.9, 1.6, 1.5, 1.7)
CONCERN_RELIEF = {"cycle-1": 0.0, "cycle-2": 0.4, "cycle-3": 0.55}


@dataclass(frozen=True)
class Session:
    site: int
    group: str
    cycle: str
    number: int
    date: dt.date

    @property
    def label(self) -> str:
        """The session id a survey link carries: its date, prefixed by the site when there are several."""
        return self.date.isoformat() if self.site == 1 else f"site{self.site:03d} {self.date.isoformat()}"


@dataclass
class Response:
    session: Session
    started: dt.datetime
    seconds: int
    answers: dict[str, str] = field(default_factory=dict)


def schedule(scale: int) -> list[Session]:
    """Weekly sessions: grief on Tuesdays in every cycle, bereavement on Thursdays from cycle 2,
    family support on Wednesdays in cycle 3; ``scale`` sites run the same timetable."""
    plan = (
        ("grief", "cycle-1", dt.date(2026, 1, 27), 10),
        ("grief", "cycle-2", dt.date(2026, 4, 14), 10),
        ("bereavement", "cycle-2", dt.date(2026, 4, 16), 9),
        ("grief", "cycle-3", dt.date(2026, 6, 23), 10),
        ("bereavement", "cycle-3", dt.date(2026, 6, 25), 9),
        ("family", "cycle-3", dt.date(2026, 6, 24), 10),
    )
    return [
        Session(site, group, cycle, n, first + dt.timedelta(weeks=n - 1))
        for site in range(1, scale + 1)
        for group, cycle, first, count in plan
        for n in range(1, count + 1)
    ]


def _level(rng: random.Random, mean: float, points: int, spread: float) -> int:
    return min(points, max(1, round(rng.gauss(mean, spread))))


def _phase(session: Session) -> str:
    if session.group == "family":
        return "family-early" if session.number <= 4 else "family-matched"
    return {"cycle-1": "early", "cycle-2": "adapted", "cycle-3": "adopted"}[session.cycle]


def participant_responses(rng: random.Random, sessions: Sequence[Session], cycle: str) -> list[Response]:
    """Feedback forms filled in at the end of each session of ``cycle``."""
    responses = []
    for session in (s for s in sessions if s.cycle == cycle):
        key = "family-matched" if session.group == "family" and session.number > 4 else session.group
        means = list(PARTICIPANT_MEANS[(cycle, key)])
        if cycle == "cycle-1" and session.number == 6:  # the week a PSW was triggered and had no debrief
            means[0] -= 0.6
            means[1] -= 0.5
        means = [m + 0.02 * session.number for m in means]
        for _ in range(rng.randint(6, 10)):
            start = dt.datetime.combine(session.date, dt.time(20, 30)) + dt.timedelta(seconds=rng.randint(0, 1500))
            response = Response(session, start, rng.randint(95, 420))
            response.answers["pf_group"] = GROUPS[session.group]
            response.answers["pf_session"] = session.label
            values = [_level(rng, m, 5, 0.75) for m in means]
            for (item, _), value in zip(RATINGS, values, strict=True):
                skipped = item != "pf_peer_helped" and rng.random() < 0.03
                response.answers[item] = "" if skipped else AGREE[value - 1]
            tone = "warm" if sum(values) / len(values) >= 3.8 else "cool"
            phase = _phase(session)
            if rng.random() < 0.55:
                response.answers["pf_better"] = rng.choice(BETTER[phase][tone])
            if rng.random() < 0.35:
                response.answers["pf_peer_comment"] = rng.choice(PEER[phase])
            responses.append(response)
    responses.sort(key=lambda r: r.started)
    return responses


def staff_responses(rng: random.Random, cycle: str, scale: int) -> list[Response]:
    """One anonymous staff survey per person per cycle; one counsellor is on leave in cycle 3."""
    aim, iam, fim = STAFF_MEANS[cycle]
    relief = CONCERN_RELIEF[cycle]
    close = {"cycle-1": dt.date(2026, 4, 3), "cycle-2": dt.date(2026, 6, 19), "cycle-3": dt.date(2026, 8, 28)}
    responses = []
    for site in range(1, scale + 1):
        team = ["psw"] * 3 + ["other"] * (4 if cycle == "cycle-3" else 5)
        for role in team:
            day = close[cycle] - dt.timedelta(days=rng.randint(1, 9))
            start = dt.datetime.combine(day, dt.time(9)) + dt.timedelta(minutes=rng.randint(0, 480))
            response = Response(Session(site, "staff", cycle, 0, day), start, rng.randint(240, 900))
            response.answers["st_role"] = STAFF_ROLES[0 if role == "psw" else 1]
            lift = 0.25 if role == "psw" else 0.0
            for item, _ in IMPLEMENTATION:
                mean = {"aim": aim, "iam": iam, "fim": fim}[item[:3]] + lift
                response.answers[item] = COMPLETELY[_level(rng, mean, 5, 0.6) - 1]
            if role == "other":  # the concerns block is shown to counsellors and managers only
                for (item, _), base in zip(CONCERNS, CONCERN_BASE, strict=True):
                    extra = 0.3 if item in {"sc_02", "sc_10"} and cycle != "cycle-1" else 0.0
                    mean = base - relief - extra + (0.3 if item == "sc_09" and cycle == "cycle-3" else 0.0)
                    response.answers[item] = CONCERN[_level(rng, mean, 3, 0.45) - 1]
            if rng.random() < 0.6:
                response.answers["st_help"] = rng.choice(STAFF_HELP[cycle])
            responses.append(response)
    responses.sort(key=lambda r: r.started)
    return responses


def plant_participant_canaries(responses: list[Response], cycle: str) -> None:
    """Put one planted identifier into a free-text answer of site 1 (README: "Canaries")."""
    text = {
        "cycle-1": (
            "pf_peer_comment",
            f"{CANARY_NAME} from our group and I meet for coffee after the session now, it really helps.",
        ),
        "cycle-2": ("pf_better", f"A list of other supports please. Happy to say more, my email is {CANARY_EMAIL}"),
        "cycle-3": ("pf_better", f"Could someone call me about the family group schedule? {CANARY_PHONE}"),
    }[cycle]
    group = "family" if cycle == "cycle-3" else "grief"
    target = next(r for r in responses if r.session.site == 1 and r.session.number == 4 and r.session.group == group)
    target.answers[text[0]] = text[1]


# --------------------------------------------------------------------------- survey exports

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


# --------------------------------------------------------------------------- transcripts and notes


@dataclass(frozen=True)
class Interview:
    cycle: str
    role: str
    speaker: str  # key in PEOPLE
    date: dt.date
    form: str  # zoom, teams, otter, word


INTERVIEWS = (
    Interview("cycle-1", "psw", "psw-1", dt.date(2026, 3, 17), "zoom"),
    Interview("cycle-1", "counsellor", "counsellor-1", dt.date(2026, 3, 18), "teams"),
    Interview("cycle-1", "manager", "manager-1", dt.date(2026, 3, 20), "word"),
    Interview("cycle-2", "psw", "psw-2", dt.date(2026, 6, 2), "otter"),
    Interview("cycle-2", "counsellor", "counsellor-2", dt.date(2026, 6, 3), "zoom"),
    Interview("cycle-2", "manager", "manager-2", dt.date(2026, 6, 5), "word"),
    Interview("cycle-3", "psw", "psw-3", dt.date(2026, 8, 18), "teams"),
    Interview("cycle-3", "counsellor", "counsellor-3", dt.date(2026, 8, 19), "otter"),
    Interview("cycle-3", "manager", "manager-1", dt.date(2026, 8, 21), "word"),
)
#: The planted refusal: an Otter transcript where someone not in the speaker map walked in.
UNMAPPED = Interview("cycle-2", "counsellor", "counsellor-3", dt.date(2026, 6, 4), "otter")
SUFFIX = {"zoom": ".vtt", "teams": ".vtt", "otter": ".txt", "word": ".docx"}


def script(interview: Interview, *, interrupted: bool = False) -> list[fmt.Turn]:
    """The interview as timed turns: the facilitator asks each guide question, the interviewee answers."""
    names = {key: name for key, (name, _) in PEOPLE.items()}
    lines: list[tuple[str, str]] = [
        ("Sam Okafor", "Thanks for making the time. This stays within the evaluation team; I'll start recording now.")
    ]
    for number, (question, answer) in enumerate(
        zip(QUESTIONS[interview.role], ANSWERS[(interview.cycle, interview.role)], strict=True)
    ):
        lines.append(("Sam Okafor", question))
        for part in answer:
            words = part.format(canary_phone=CANARY_TRANSCRIPT_PHONE, canary_name=CANARY_NAME)
            lines.append((names[interview.speaker], words))
        if interrupted and number == 1:
            lines.append(("Speaker 2", INTERRUPTION[0]))
            lines.append(("Sam Okafor", "It's down the hall, we'll be done in twenty minutes."))
            lines.append(("Speaker 2", INTERRUPTION[1]))
    lines.append(("Sam Okafor", "That's everything from me. Thank you."))
    return fmt.timed(lines)


def interview_file(interview: Interview, site: int, *, interrupted: bool = False) -> tuple[str, bytes]:
    turns = script(interview, interrupted=interrupted)
    site_part = "" if site == 1 else f"-site{site:03d}"
    number = interview.speaker.rsplit("-", 1)[-1]
    name = f"interview-{interview.role}-{number}{site_part}-{interview.date.isoformat()}{SUFFIX[interview.form]}"
    when = dt.datetime.combine(interview.date, dt.time(14))
    writer = {"zoom": fmt.zoom_vtt, "teams": fmt.teams_vtt, "otter": fmt.otter_text}.get(interview.form)
    if writer is not None:
        return name, writer(turns, interview.date)
    title = f"Interview with a {interview.role.replace('psw', 'peer support worker')}, {interview.cycle}"
    return name, fmt.word_transcript(title, turns, when)


NOTES_FILES = {
    "cycle-1": ((dt.date(2026, 4, 2), "md"),),
    "cycle-2": ((dt.date(2026, 6, 18), "docx"),),
    "cycle-3": ((dt.date(2026, 8, 27), "md"), (dt.date(2026, 8, 27), "docx")),
}


def notes_file(cycle: str, date: dt.date, kind: str, site: int) -> tuple[str, bytes]:
    site_part = "" if site == 1 else f"-site{site:03d}"
    sections = NOTES[cycle]
    title = f"Consensus-building session, {cycle}, {date.isoformat()}"
    if kind == "md":
        return f"consensus-{cycle}{site_part}-{date.isoformat()}.md", fmt.markdown_notes(title, sections)
    if cycle == "cycle-3":  # the spread-planning follow-up, kept in Word by the program manager
        title = f"Spread planning after the consensus session, {date.isoformat()}"
        sections = (sections[-1],)
    when = dt.datetime.combine(date, dt.time(16))
    return f"consensus-{cycle}{site_part}-{date.isoformat()}-notes.docx", fmt.word_notes(title, sections, when)


# --------------------------------------------------------------------------- the whole pilot


def generate(out: Path, scale: int = 1, seed: int = 0) -> list[Path]:
    """Write every inbox file of the pilot under ``out/inbox/<cycle>/``; returns the paths written."""
    if scale < 1:
        raise ValueError(f"scale is {scale}; give 1 or more sites")
    rng = random.Random(seed)
    sessions = schedule(scale)
    files: dict[str, bytes] = {}
    for cycle in CYCLES:
        participants = participant_responses(rng, sessions, cycle)
        plant_participant_canaries(participants, cycle)
        staff = staff_responses(rng, cycle, scale)
        if cycle == "cycle-1":
            files[f"{cycle}/Participant feedback after group_April+1,+2026_08.12.csv"] = qualtrics_participants(
                rng, participants
            )
            files[f"{cycle}/Staff survey PSW pilot_April+3,+2026_16.02.csv"] = qualtrics_staff(rng, staff)
            followup = [r for r in participants if r.session.site == 1 and r.session.number == 10][:6]
            files[f"{cycle}/Participant feedback after group_April+8,+2026_09.30.csv"] = qualtrics_participants(
                rng, followup, emails=True
            )
        elif cycle == "cycle-2":
            files[f"{cycle}/Participant feedback - cycle 2.csv"] = google_participants(participants)
            files[f"{cycle}/Staff survey - cycle 2(1-{len(staff)}).xlsx"] = msforms_staff(staff)
        else:
            files[f"{cycle}/Participant_feedback_-_all_versions_-_labels_-_2026-08-28-10-41-07.csv"] = (
                kobo_participants(rng, participants)
            )
            files[f"{cycle}/Staff survey cycle 3.csv"] = surveymonkey_staff(rng, staff)
        for site in range(1, scale + 1):
            for interview in (i for i in INTERVIEWS if i.cycle == cycle):
                name, data = interview_file(interview, site)
                files[f"{cycle}/{name}"] = data
            if cycle == UNMAPPED.cycle:
                name, data = interview_file(UNMAPPED, site, interrupted=True)
                files[f"{cycle}/{name}"] = data
            for date, kind in NOTES_FILES[cycle]:
                name, data = notes_file(cycle, date, kind, site)
                files[f"{cycle}/{name}"] = data
    written = []
    for relative, data in sorted(files.items()):
        path = out / "inbox" / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        written.append(path)
    return written


def digest(paths: Sequence[Path], root: Path) -> str:
    """One SHA-256 over every file's relative path and bytes (two runs agree iff this agrees)."""
    hasher = hashlib.sha256()
    for path in sorted(paths):
        hasher.update(path.relative_to(root).as_posix().encode("utf-8") + b"\0" + path.read_bytes())
    return hasher.hexdigest()


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.pilot_data", description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, required=True, help="folder to write inbox/<cycle>/ into")
    parser.add_argument("--scale", type=int, default=1, help="number of sites (1 is the committed pilot)")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    paths = generate(args.out, args.scale, args.seed)
    print(f"wrote {len(paths)} files under {args.out / 'inbox'} (sha256 {digest(paths, args.out)[:16]})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
