from __future__ import annotations

import pandas as pd
import pytest

from analysis.likert import summarise_ratings
from instruments.evaluation import Evaluation
from instruments.load import load_evaluation
from reports.cycle_report import agreement_summary, build_cycle_report, render_cycle_report
from tests.conftest import PILOT


@pytest.fixture(scope="module")
def evaluation() -> Evaluation:
    return load_evaluation(PILOT / "evaluation.yaml")


def ratings(item: str, values: list[int]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "respondent_token": [f"r-{i:016x}" for i in range(len(values))],
            "instrument_id": "participant-feedback",
            "cycle_id": "cycle-1",
            "item_id": item,
            "value": values,
        }
    )


def test_the_report_shows_items_in_plain_words_and_withholds_small_ones(evaluation: Evaluation) -> None:
    data = pd.concat([ratings("pf_welcome", [5, 4, 4, 2, 5, 3]), ratings("pf_peer_helped", [5, 5])])
    summary = summarise_ratings(data, {"pf_welcome": 5, "pf_peer_helped": 5}, k=5)
    report = build_cycle_report(evaluation, "cycle-1", summary, ("1 interview with staff.",))
    html = render_cycle_report(report)
    assert "I felt welcome in the group." in html
    assert '<td class="number">6</td>' in html
    assert "67%" in html
    assert "Not shown: fewer than 5 people answered." in html
    assert "1 figure was withheld for this reason." in html
    assert report.suppressed_count == 1


def test_text_in_the_report_is_escaped(evaluation: Evaluation) -> None:
    summary = summarise_ratings(ratings("pf_welcome", [5, 5, 5, 5, 5]), {"pf_welcome": 5}, k=5)
    report = build_cycle_report(evaluation, "cycle-1", summary, ("<script>alert(1)</script>",))
    html = render_cycle_report(report)
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;" in html


def test_the_report_is_a_self_contained_page(evaluation: Evaluation) -> None:
    empty = summarise_ratings(ratings("pf_welcome", []), {"pf_welcome": 5}, k=5)
    html = render_cycle_report(build_cycle_report(evaluation, "cycle-1", empty, ()))
    assert html.startswith("<!DOCTYPE html>")
    assert '<html lang="en">' in html
    assert "http://" not in html and "https://" not in html
    assert "No rating answers were received in this cycle." in html


# --- The full report: the 3-cycle pilot's records and analysed tables ----------------------------

PILOT3 = PILOT.parent / "psw-pilot-3"


@pytest.fixture(scope="module")
def pilot3() -> Evaluation:
    return load_evaluation(PILOT3 / "evaluation.yaml")


def staff(rows: list[tuple[str, int]], people: int, start: int = 0) -> pd.DataFrame:
    frames = []
    for item, value in rows:
        frame = ratings(item, [value] * people)
        frame["respondent_token"] = [f"r-{start + n:016x}" for n in range(people)]
        frame["instrument_id"] = "staff-survey"
        frames.append(frame)
    return pd.concat(frames, ignore_index=True)


def full_report(evaluation: Evaluation, cycle_id: str = "cycle-2", record: bool = True) -> str:
    from analysis.implementation_outcomes import block_summary, score_summary, scores_table
    from analysis.predictions import check_predictions, measures, predictions_table
    from instruments.cycle_records import load_cycle_records
    from reports.cycle_report import Block, Outcomes

    # 8 staff: FIM 4 from everyone; concern sc_09 answered 1 by 3 people and 2 by 2 (mean 1.4, withheld).
    responses = pd.concat(
        [
            staff([(f"fim_{i}", 4) for i in range(1, 5)] + [(f"aim_{i}", 5) for i in range(1, 5)], 8),
            staff([("sc_09", 1)], 3, start=100),
            staff([("sc_09", 2)], 2, start=200),
        ]
    )
    series = load_cycle_records(PILOT3 / "cycles", evaluation.measure_ids())
    known = measures(evaluation)
    chosen = series.record(cycle_id) if record else None
    predictions = predictions_table(check_predictions(chosen, known, responses, None, 5)) if chosen else None
    block = block_summary(responses, "staff-survey", ["sc_09"], ("Not a concern", "Sometimes", "Very much"), 5)
    scores = [score_summary(responses, known[f"staff-survey.{s}"], s, 5) for s in ("aim", "fim")]
    outcomes = Outcomes(
        scores=scores_table(scores),
        score_rule="Per person, the mean of its 4 items.",
        blocks=(Block("Staff concerns", "", "staff-survey", block.table, block.levels, block.withheld),),
    )
    summary = summarise_ratings(responses.iloc[:0], {}, k=5)
    chain = [r.cycle_id for r in series.records]
    report = build_cycle_report(
        evaluation,
        cycle_id,
        summary,
        ("Anonymous staff survey: answers from 13 people.",),
        record=chosen,
        earlier=series.records[: chain.index(cycle_id)] if record else (),
        predictions=predictions,
        outcomes=outcomes,
    )
    return render_cycle_report(report)


def test_the_main_messages_come_first_and_say_what_was_tested_decided_and_comes_next(pilot3: Evaluation) -> None:
    html = full_report(pilot3)
    main = html[html.index('id="main-messages"') : html.index('id="predictions"')]
    assert "<strong>What we tested.</strong> A paid 15-minute debrief after every session" in main
    assert "<strong>What happened.</strong> Of 3 predictions: 3 met." in main
    assert "<strong>Our decision.</strong> Adopt." in main
    assert "<strong>What changes next.</strong> Keep the model in grief and bereavement" in main
    assert html.index('id="main-messages"') < html.index('id="predictions"') < html.index('id="outcomes"')
    assert html.index('id="outcomes"') < html.index('id="sense-making"') < html.index('id="privacy"')


def test_predictions_show_the_computed_value_next_to_the_teams_verdict(pilot3: Evaluation) -> None:
    html = full_report(pilot3)
    assert "4.00 (n = 8)" in html  # FIM: everyone scored 4
    assert "met: 4.00 against at least 3.8" in html
    assert "no answers in this cycle" in html  # pf_roles_clear: no participant answers given
    log = html[html.index("Decision log") :]
    assert "PSWs co-facilitate the grief group" in log and "Adapt" in log and "2026-04-06" in log


def test_withheld_values_never_reach_the_page(pilot3: Evaluation) -> None:
    html = full_report(pilot3)
    concerns = html[html.index("Staff concerns") :]
    row = concerns[
        concerns.index("supporting a peer colleague") : concerns.index("</tr>", concerns.index("supporting"))
    ]
    assert row.count(">withheld<") == 3  # the counts of 3 and 2, and the mean
    assert ">0<" in row  # nobody said "very much": zeros are shown
    assert "1.4" not in html and ">3<" not in row and ">2<" not in row


def test_no_figure_is_given_for_a_role_group(pilot3: Evaluation) -> None:
    html = full_report(pilot3)
    for choice in pilot3.instrument("staff-survey").item("st_role").choices:
        assert choice not in html
    for role in ("counsellor", "psw", "manager"):
        assert f"{role}s:" not in html.lower()


def test_a_cycle_without_a_record_still_publishes_with_a_plain_note(pilot3: Evaluation) -> None:
    html = full_report(pilot3, record=False)
    assert "No cycle record yet" in html
    assert 'id="predictions"' not in html and 'id="outcomes"' in html


def test_the_measures_and_themes_sections_appear_only_when_given_and_in_order(evaluation: Evaluation) -> None:
    from markupsafe import Markup

    empty = summarise_ratings(ratings("pf_welcome", []), {"pf_welcome": 5}, k=5)
    plain = render_cycle_report(build_cycle_report(evaluation, "cycle-1", empty, ()))
    assert "run charts here" not in plain and "themes here" not in plain
    report = build_cycle_report(
        evaluation,
        "cycle-1",
        empty,
        (),
        measures_html=Markup('<section id="m"><p>run charts here</p></section>'),
        themes_html=Markup('<section id="t"><p>themes here</p></section>'),
    )
    html = render_cycle_report(report)
    # Each fragment is a whole section of its own: it goes in once, unwrapped, after the predictions.
    assert html.count("run charts here") == 1 and html.count("themes here") == 1
    assert html.index("run charts here") < html.index("themes here") < html.index('id="ratings"')


def test_the_report_is_the_same_bytes_every_time(pilot3: Evaluation) -> None:
    assert full_report(pilot3) == full_report(pilot3)


def participant(item: str, values: list[int], start: int) -> pd.DataFrame:
    frame = ratings(item, values)
    frame["respondent_token"] = [f"r-{start + n:016x}" for n in range(len(values))]
    return frame


def test_the_rating_chart_has_n_on_every_bar_and_lists_what_it_cannot_draw(pilot3: Evaluation) -> None:
    from analysis.implementation_outcomes import guard_rating_summary, rating_distributions
    from reports.cycle_report import Ratings

    answers = pd.concat(
        [
            participant("pf_safe", [1] * 5 + [3] * 5 + [4] * 5 + [5] * 10, 0),
            participant("pf_recommend", [1] * 2 + [3] * 6 + [4] * 10 + [5] * 11, 100),  # 2 disagree, even grouped
        ]
    )
    items = ["pf_safe", "pf_recommend"]
    distribution = rating_distributions(answers, "participant-feedback", items, pilot3.scale("agree5").labels, 5)
    partly = set(distribution.table.loc[distribution.table["partly_withheld"], "item_id"])
    summary = guard_rating_summary(summarise_ratings(answers, dict.fromkeys(items, 5), k=5), 5, partly)
    chosen = Ratings("participant-feedback", distribution.table, distribution.levels, distribution.grouping, 0)
    html = render_cycle_report(build_cycle_report(pilot3, "cycle-1", summary, (), ratings=chosen))
    figure = html[html.index("<figure") : html.index("</figure>")]
    assert "n = 25" in figure and "I felt safe sharing" in figure
    assert "I would suggest this group" not in figure
    listed = html[html.index("Statements not drawn") :]
    assert "I would suggest this group" in listed and '<td class="number">29</td>' in listed
    assert "72%" in listed  # 21 of 29 agreed, 8 did not: neither share reveals fewer than 5 people
    assert ">2<" not in listed and "4.0 of 5" not in listed  # the mean (3.97) is withheld: with the counts


def test_a_block_that_too_few_people_answered_is_one_plain_sentence(pilot3: Evaluation) -> None:
    from analysis.implementation_outcomes import block_summary
    from reports.cycle_report import Block, Outcomes

    four = staff([("sc_01", 1), ("sc_02", 3)], 4)
    found = block_summary(four, "staff-survey", ["sc_01", "sc_02"], ("Not", "Sometimes", "Very much"), 5)
    block = Block("Staff concerns", "", "staff-survey", found.table, found.levels, found.withheld)
    empty = summarise_ratings(four.iloc[:0], {}, k=5)
    html = render_cycle_report(build_cycle_report(pilot3, "cycle-3", empty, (), outcomes=Outcomes(blocks=(block,))))
    assert "Fewer than 5 people answered these questions in this cycle" in html
    assert "I am unsure whether peer staff" not in html
    assert "10 figures were withheld for this reason." in html  # 2 statements: n, 3 counts and the mean each


def test_the_agreement_sentence_counts_passages_not_passage_and_code_decisions() -> None:
    agreement = pd.DataFrame(
        {
            "scope": ["code", "code", "code", "pooled_de_vries"],
            "code": ["debrief", "role-clarity", "triggers", "all codes"],
            "units": [84, 84, 84, 252],
            "kappa": [0.8, 0.7, None, 0.746],
        }
    )
    assert agreement_summary(agreement) == (
        "Two reviewers coded 84 passages independently with 3 codes; their agreement beyond chance, pooled over "
        "the codes (De Vries kappa), was 0.75."
    )
    undefined = agreement.assign(kappa=None)
    assert agreement_summary(undefined) == "Two reviewers coded the interviews and notes independently with 3 codes."


def test_the_method_note_counts_withheld_run_chart_points_with_the_other_withheld_figures(
    evaluation: Evaluation,
) -> None:
    data = pd.concat([ratings("pf_welcome", [5, 4, 4, 2, 5, 3]), ratings("pf_peer_helped", [5, 5])])
    summary = summarise_ratings(data, {"pf_welcome": 5, "pf_peer_helped": 5}, k=5)
    report = build_cycle_report(evaluation, "cycle-1", summary, ("1 interview with staff.",), measures_withheld=2)
    assert report.withheld_total == 3
    assert "3 figures were withheld for this reason." in render_cycle_report(report)
