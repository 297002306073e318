"""Checks over a whole series of PDSA cycles: one chain, one open cycle, and honest counts.

A series breaks no rule by being short or by leaving its last decision unfollowed, but the report
should say so: those are :class:`Flag`s, not errors (research/pdsa_de.md §1.4-§1.5).
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from itertools import pairwise

from instruments.cycle import CycleRecord, rule_broken
from instruments.errors import CycleStateError


@dataclass(frozen=True)
class Flag:
    """Something the report should say about the series, though it breaks no rule."""

    code: str
    cycle_id: str | None
    message: str


@dataclass(frozen=True)
class Counts:
    """The report's honesty line: what did not work is counted next to what did."""

    met: int
    not_met: int
    inconclusive: int
    awaiting_result: int
    adopted: int
    adapted: int
    abandoned: int


@dataclass(frozen=True)
class SeriesCheck:
    """The series in chain order, with its flags and counts."""

    chain: tuple[str, ...]
    flags: tuple[Flag, ...]
    counts: Counts


def counts(records: Collection[CycleRecord]) -> Counts:
    verdicts = [r.verdict for record in records if record.study for r in record.study.results]
    questions = sum(len(record.plan.questions) for record in records)
    decisions = [record.act.decision for record in records if record.act and record.stage == "closed"]
    return Counts(
        met=verdicts.count("met"),
        not_met=verdicts.count("not met"),
        inconclusive=verdicts.count("inconclusive"),
        awaiting_result=questions - len(verdicts),
        adopted=decisions.count("adopt"),
        adapted=decisions.count("adapt"),
        abandoned=decisions.count("abandon"),
    )


def check_series(records: Collection[CycleRecord]) -> SeriesCheck:
    """Check that the cycles form one linked chain with at most one open cycle, at its end."""
    if not records:
        raise CycleStateError(
            "cycle records", "there are no cycle records.", "Write the first cycle's record (its Plan) and try again."
        )
    series = sorted({r.series_id for r in records})
    if len(series) > 1:
        raise CycleStateError(
            "cycle records",
            f"the records belong to more than one series ({', '.join(series)}); one folder holds one series.",
            "Give every record the same series_id, or keep each series in its own folder.",
        )
    by_id: dict[str, CycleRecord] = {}
    for record in records:
        if record.cycle_id in by_id:
            raise rule_broken(record, "two records have this cycle_id.", "Give each cycle its own cycle_id.")
        by_id[record.cycle_id] = record
    firsts = sorted(r.cycle_id for r in records if r.previous_cycle_id is None)
    if len(firsts) != 1:
        raise CycleStateError(
            "cycle records",
            f"the series must start with exactly one cycle that follows no other; found {len(firsts)}"
            + (f" ({', '.join(firsts)})." if firsts else "."),
            "Set previous_cycle_id on every cycle except the first.",
        )
    followers: dict[str, CycleRecord] = {}
    for record in sorted(records, key=lambda r: r.cycle_id):
        previous = record.previous_cycle_id
        if previous is None:
            continue
        if previous not in by_id:
            raise rule_broken(
                record,
                f"it follows cycle {previous}, which has no record here.",
                "Correct previous_cycle_id, or add the missing cycle's record to the folder.",
            )
        if previous in followers:
            raise rule_broken(
                record,
                f"cycle {previous} is already followed by cycle {followers[previous].cycle_id}; "
                "a series is one chain, not a branching tree.",
                "Point previous_cycle_id at the latest cycle of the series, or start a separate series.",
            )
        followers[previous] = record
    chain = [by_id[firsts[0]]]
    while chain[-1].cycle_id in followers:
        chain.append(followers[chain[-1].cycle_id])
    if len(chain) != len(records):
        loose = sorted(set(by_id) - {r.cycle_id for r in chain})
        raise CycleStateError(
            "cycle records",
            f"cycles {', '.join(loose)} are not linked to the chain that starts at {firsts[0]}.",
            "Fix previous_cycle_id so that every cycle follows the one before it.",
        )
    for before, after in pairwise(chain):
        if after.number != before.number + 1:
            raise rule_broken(
                after,
                f"its number is {after.number} but it follows cycle {before.cycle_id}, number {before.number}.",
                f"Number the cycles in order: this one should be {before.number + 1}.",
            )
        if before.stage != "closed":
            raise rule_broken(
                before,
                f"it is still open ({before.stage.capitalize()}) while cycle {after.cycle_id} follows it; "
                "only one cycle may be open at a time, the latest.",
                f"Finish and close cycle {before.cycle_id} before starting cycle {after.cycle_id}.",
            )
        cited = after.plan.previous_decision
        if before.act is not None and cited is not None and cited.decision != before.act.decision:
            raise rule_broken(
                after,
                f"its plan cites the decision of cycle {before.cycle_id} as {cited.decision}, but that cycle "
                f"decided to {before.act.decision}.",
                "Correct plan.previous_decision so that it matches the previous cycle's Act decision.",
            )
    flags: list[Flag] = []
    if len(chain) == 1:
        flags.append(
            Flag(
                "single-cycle",
                chain[0].cycle_id,
                "This series has only one cycle; lessons have not yet been tested in a second cycle.",
            )
        )
    last = chain[-1]
    if last.stage == "closed" and last.act is not None and last.act.decision == "adapt":
        flags.append(
            Flag(
                "next-cycle-not-started",
                last.cycle_id,
                f"Cycle {last.number} decided to adapt the change, but the next cycle has no record yet.",
            )
        )
    return SeriesCheck(tuple(r.cycle_id for r in chain), tuple(flags), counts(records))
