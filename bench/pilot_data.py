"""Deterministic synthetic data for the three-cycle PSW pilot (``examples/psw-pilot-3``).

    python -m bench.pilot_data --out DIR [--scale 1|10|100] [--seed 0]

writes ``DIR/inbox/cycle-1|cycle-2|cycle-3/`` with the files a real team would drop: participant
feedback after every group session (Qualtrics CSV, then Google Forms CSV, then KoboToolbox CSV),
a staff survey per cycle (Qualtrics CSV, Microsoft Forms XLSX, SurveyMonkey CSV), interviews
(Zoom and Teams WebVTT, Otter text, Word) and consensus-session notes (Markdown, Word). The same
seed gives byte-identical files: nothing reads the clock, and XLSX/DOCX get fixed document
properties and fixed zip entry dates. ``--scale N`` runs the pilot at N sites (N times the
sessions, respondents and interviews) for benchmarks; only scale 1 is committed.

Modules: ``pilot_story`` (who answers what, and how answers shift), ``pilot_surveys``
(platform layouts), ``pilot_formats`` (transcripts, notes, CSV/XLSX/DOCX bytes), ``pilot_text``
(the words). The story, the planted refusals and the canaries are told in examples/psw-pilot-3/README.md.
The files must match the evaluation in examples/psw-pilot-3/evaluation.yaml; tests check that
every file is accepted (or refused as planted) by ``validation.intake.accept``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import random
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from bench import pilot_formats as fmt
from bench.pilot_story import (
    CANARY_NAME,
    CANARY_TRANSCRIPT_PHONE,
    CYCLES,
    PEOPLE,
    participant_responses,
    plant_participant_canaries,
    schedule,
    staff_responses,
)
from bench.pilot_surveys import (
    google_participants,
    kobo_participants,
    msforms_staff,
    qualtrics_participants,
    qualtrics_staff,
    surveymonkey_staff,
)
from bench.pilot_text import ANSWERS, INTERRUPTED_ANSWERS, INTERRUPTION, NOTES, QUESTIONS

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
        zip(
            QUESTIONS[interview.role],
            INTERRUPTED_ANSWERS if interrupted else ANSWERS[(interview.cycle, interview.role)],
            strict=True,
        )
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


#: Who came to each cycle's consensus session (one counsellor could not come in cycle 2), as the notes say.
ATTENDANCE = {
    "cycle-1": (("Peer support workers", 3), ("Counsellors", 3), ("Program managers", 2)),
    "cycle-2": (("Peer support workers", 3), ("Counsellors", 2), ("Program managers", 2)),
    "cycle-3": (("Peer support workers", 3), ("Counsellors", 3), ("Program managers", 2), ("Family support lead", 1)),
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
    return f"consensus-{cycle}{site_part}-{date.isoformat()}-notes.docx", fmt.word_notes(
        title, sections, ATTENDANCE[cycle], when
    )


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
