"""The story of the three-cycle PSW pilot as numbers: sessions, items and answer distributions.

Who answers what, when, and how the answers shift from cycle to cycle (``PARTICIPANT_MEANS``,
``STAFF_MEANS``, the concerns relief), plus the planted canary identifiers. ``bench.pilot_surveys``
lays the responses out as platform exports; ``bench.pilot_data`` writes the whole inbox.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Sequence
from dataclasses import dataclass, field

from bench.pilot_text import BETTER, PEER, STAFF_HELP

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
    """One anonymous staff survey per person per cycle; one counsellor or manager did not answer in cycle 3."""
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
