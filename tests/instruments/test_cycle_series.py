"""The series check: one linked chain, numbers in order, one open cycle at its end, honest counts."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import pytest

from instruments.cycle import CycleRecord
from instruments.cycle_series import Flag, check_series, counts
from instruments.errors import CycleStateError
from tests.instruments.test_cycle_rules import at, complete, through, without


def closed(number: int, **top: Any) -> CycleRecord:
    record = through(at("plan", complete(number, **top)), "closed")
    assert record.closed is not None and record.closed.date == date(2024, 3, 4)
    return record


def following(previous: str, number: int, **top: Any) -> dict[str, Any]:
    """Record data for cycle ``number`` that names ``previous`` as the cycle it follows."""
    data = complete(number, previous_cycle_id=previous, **top)
    data["plan"]["previous_decision"]["cycle"] = previous
    return data


def refusal(action: Callable[[], object]) -> str:
    with pytest.raises(CycleStateError) as caught:
        action()
    return str(caught.value)


def test_a_linked_series_comes_back_in_chain_order() -> None:
    series = [at("do", complete(3)), closed(1), closed(2)]
    assert check_series(series).chain == ("c1", "c2", "c3")
    assert check_series(series).flags == ()


def test_a_series_of_one_cycle_is_flagged_not_refused() -> None:
    assert check_series([at("study")]).flags == (
        Flag(
            "single-cycle",
            "c1",
            "This series has only one cycle; lessons have not yet been tested in a second cycle.",
        ),
    )


def test_an_adapted_change_without_its_next_cycle_is_flagged() -> None:
    flags = check_series([closed(1), closed(2)]).flags
    assert flags == (
        Flag(
            "next-cycle-not-started",
            "c2",
            "Cycle 2 decided to adapt the change, but the next cycle has no record yet.",
        ),
    )
    assert check_series([closed(1), closed(2), at("plan", complete(3))]).flags == ()


def test_no_records_is_refused() -> None:
    assert refusal(lambda: check_series([])) == (
        "cycle records: there are no cycle records.\nWhat to do: Write the first cycle's record (its Plan) and try again."
    )


def test_records_of_two_series_are_refused() -> None:
    assert refusal(lambda: check_series([closed(1), at("plan", complete(2, series_id="other"))])) == (
        "cycle records: the records belong to more than one series (demo, other); one folder holds one series.\n"
        "What to do: Give every record the same series_id, or keep each series in its own folder."
    )


def test_two_records_with_one_id_are_refused() -> None:
    assert refusal(lambda: check_series([closed(1), closed(2), at("plan", complete(2))])) == (
        "cycle c2: two records have this cycle_id.\nWhat to do: Give each cycle its own cycle_id."
    )


def test_two_first_cycles_are_refused() -> None:
    assert refusal(lambda: check_series([closed(1), at("plan", complete(1, cycle_id="c1b"))])) == (
        "cycle records: the series must start with exactly one cycle that follows no other; found 2 (c1, c1b).\n"
        "What to do: Set previous_cycle_id on every cycle except the first."
    )


def test_a_cycle_following_a_missing_cycle_is_refused() -> None:
    assert refusal(lambda: check_series([closed(1), closed(2), at("plan", following("c3", 4))])) == (
        "cycle c4: it follows cycle c3, which has no record here.\n"
        "What to do: Correct previous_cycle_id, or add the missing cycle's record to the folder."
    )


def test_a_branching_series_is_refused() -> None:
    branch = at("plan", complete(2, cycle_id="c2b"))
    assert refusal(lambda: check_series([closed(1), closed(2), branch])) == (
        "cycle c2b: cycle c1 is already followed by cycle c2; a series is one chain, not a branching tree.\n"
        "What to do: Point previous_cycle_id at the latest cycle of the series, or start a separate series."
    )


def test_cycles_in_a_loop_are_not_linked_to_the_chain() -> None:
    c2 = closed(2, **{k: v for k, v in following("c3", 2).items() if k in ("previous_cycle_id", "plan")})
    c3 = at("plan", following("c2", 3))
    assert refusal(lambda: check_series([closed(1), c2, c3])) == (
        "cycle records: cycles c2, c3 are not linked to the chain that starts at c1.\n"
        "What to do: Fix previous_cycle_id so that every cycle follows the one before it."
    )


def test_numbers_must_rise_by_one_along_the_chain() -> None:
    assert refusal(lambda: check_series([closed(1), at("plan", following("c1", 3))])) == (
        "cycle c3: its number is 3 but it follows cycle c1, number 1.\n"
        "What to do: Number the cycles in order: this one should be 2."
    )


def test_only_the_latest_cycle_may_be_open() -> None:
    assert refusal(lambda: check_series([at("study"), at("plan", complete(2))])) == (
        "cycle c1: it is still open (Study) while cycle c2 follows it; only one cycle may be open at a time, "
        "the latest.\nWhat to do: Finish and close cycle c1 before starting cycle c2."
    )


def test_the_cited_decision_must_be_the_one_taken() -> None:
    cited = without("plan.previous_decision.decision", complete(2), value="adopt")
    assert refusal(lambda: check_series([closed(1), at("plan", cited)])) == (
        "cycle c2: its plan cites the decision of cycle c1 as adopt, but that cycle decided to adapt.\n"
        "What to do: Correct plan.previous_decision so that it matches the previous cycle's Act decision."
    )


def test_counts_put_what_did_not_work_next_to_what_did() -> None:
    abandoned = closed(2, act={"decision": "abandon", "rationale": "Did not help."})
    open_cycle = at("study", without("study.results.1", complete(3)))
    tally = counts([closed(1), abandoned, open_cycle])
    # Each complete() record has one prediction met and one not met; the open one awaits a result.
    assert (tally.met, tally.not_met, tally.inconclusive, tally.awaiting_result) == (3, 2, 0, 1)
    assert (tally.adopted, tally.adapted, tally.abandoned) == (0, 1, 1)


def test_an_open_cycle_with_a_decision_is_not_yet_counted_as_decided() -> None:
    assert counts([at("act")]).adapted == 0
