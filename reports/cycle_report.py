"""The PDSA-cycle report a program team reads: plain language, no figure from fewer than k people.

Layout (research/pdsa_de.md §6.1, §4.1): main messages; predictions against results; measures
over time (``measures_html``, filled in by the series overview when present); what people told us
(``themes_html``, filled in by the themes step when present); how participants rated the
sessions; implementation outcomes; what / so what / now what and the decision log; the next
cycle; methods and privacy.

Everything arrives already analysed and suppressed (``analysis.predictions``,
``analysis.implementation_outcomes``) as tables with documented columns; this module only words
and lays it out. A withheld cell is ``pd.NA`` and is printed as "withheld", never as a number.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import jinja2
import pandas as pd
from markupsafe import Markup

from instruments.cycle import CycleRecord
from instruments.evaluation import Evaluation
from reports.charts import Figure
from reports.likert_chart import likert_chart

_TEMPLATES = Path(__file__).parent / "templates"
WITHHELD = "withheld"


@dataclass(frozen=True)
class ItemRow:
    text: str
    suppressed: bool
    n: int | None = None
    agree_percent: str = ""
    mean: str = ""
    points: int = 0


@dataclass(frozen=True)
class Ratings:
    """Rating items as people per answer group (``analysis.implementation_outcomes.RatingDistribution``)."""

    instrument_id: str
    table: pd.DataFrame
    levels: tuple[str, ...]
    grouping: str
    withheld: int


@dataclass(frozen=True)
class Block:
    """An item block as distributions (``BlockSummary.table``), with its wording from the evaluation."""

    label: str
    answered_by: str
    instrument_id: str
    table: pd.DataFrame
    levels: tuple[str, ...]
    withheld: int


@dataclass(frozen=True)
class Outcomes:
    """Implementation outcomes: ``scores`` (``scores_table``), blocks, ``reach`` (``Reach.table``)."""

    scores: pd.DataFrame | None = None
    score_rule: str = ""
    scores_withheld: int = 0
    blocks: tuple[Block, ...] = ()
    reach: pd.DataFrame | None = None
    reach_withheld: int = 0


@dataclass(frozen=True)
class Table:
    """A table as the template prints it: every cell already text."""

    caption: str
    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]


@dataclass(frozen=True)
class Message:
    heading: str
    text: str


@dataclass(frozen=True)
class Check:
    question: str
    statement: str
    measure: str
    rule: str
    observed: str
    data_say: str
    team_verdict: str
    team_observed: str
    learning: str
    differs: bool


@dataclass(frozen=True)
class LogEntry:
    cycle_id: str
    title: str
    decision: str
    rationale: str
    closed: str


@dataclass(frozen=True)
class CycleReport:
    evaluation_title: str
    organisation: str
    cycle_id: str
    cycle_title: str
    k: int
    sources: tuple[str, ...]
    items: tuple[ItemRow, ...]
    suppressed_count: int
    has_record: bool = False
    messages: tuple[Message, ...] = ()
    checks: tuple[Check, ...] = ()
    ratings_figure: Figure | None = None
    ratings_note: str = ""
    ratings_not_drawn: tuple[ItemRow, ...] = ()
    scores: Table | None = None
    score_rule: str = ""
    #: Each block's label and its table, or None when fewer than k people answered every item.
    blocks: tuple[tuple[str, Table | None], ...] = ()
    reach: Table | None = None
    fidelity: tuple[str, ...] = ()
    sense_making: tuple[Message, ...] = ()
    dissent: tuple[str, ...] = ()
    surprises: tuple[str, ...] = ()
    aim: str = ""
    decision_log: tuple[LogEntry, ...] = ()
    next_cycle: str = ""
    emerging: tuple[str, ...] = ()
    flags: tuple[str, ...] = ()
    agreement: str = ""
    #: Filled in by the integrator: the "measures over time" section (run charts), as safe HTML.
    measures_html: Markup | None = None
    #: Filled in by the integrator: the "what people told us" section (themes, quotes), as safe HTML.
    themes_html: Markup | None = None
    withheld_by_section: tuple[tuple[str, int], ...] = field(default=())

    @property
    def withheld_total(self) -> int:
        return self.suppressed_count + sum(count for _, count in self.withheld_by_section)

    @property
    def suppressed_text(self) -> str:
        total = self.withheld_total
        if total == 0:
            return "No figure had to be withheld in this cycle."
        if total == 1:
            return "1 figure was withheld for this reason."
        return f"{total} figures were withheld for this reason."

    @property
    def main_messages_markdown(self) -> str:
        """The main messages as Markdown, for the Prefect artifact."""
        lines = [f"# {self.cycle_title}", ""]
        lines += [f"**{m.heading}** {m.text}" + "\n" for m in self.messages] or ["No cycle record yet.", ""]
        return "\n".join(lines) + f"\n{self.suppressed_text}\n"


def _cell(value: object, digits: int | None = None) -> str:
    if value is None or value is pd.NA or (isinstance(value, float) and pd.isna(value)):
        return WITHHELD
    if digits is not None:
        return f"{float(str(value)):.{digits}f}"
    return str(value)


def _item_rows(evaluation: Evaluation, rating_summary: pd.DataFrame) -> tuple[ItemRow, ...]:
    items = []
    for row in rating_summary.to_dict("records"):
        item = evaluation.instrument(str(row["instrument_id"])).item(str(row["item_id"]))
        points = len(evaluation.scale(item.scale).labels) if item.scale else 0
        if row["suppressed"]:
            items.append(ItemRow(text=item.text, suppressed=True, points=points))
        else:
            items.append(
                ItemRow(
                    text=item.text,
                    suppressed=False,
                    n=int(row["n"]),
                    agree_percent=WITHHELD
                    if pd.isna(row["agree_share"])
                    else f"{round(100 * float(row['agree_share']))}%",
                    mean=WITHHELD if pd.isna(row["mean"]) else f"{float(row['mean']):.1f}",
                    points=points,
                )
            )
    return tuple(items)


def _checks(record: CycleRecord, predictions: pd.DataFrame, labels: Mapping[str, str], k: int) -> tuple[Check, ...]:
    questions = {q.id: q for q in record.plan.questions}
    checks = []
    for row in predictions.to_dict("records"):
        question = questions[str(row["question_id"])]
        statement = question.prediction.statement if question.prediction else ""
        if pd.isna(row["value"]):
            observed = "no answers in this cycle" if "no answers" in str(row["reason"]) else WITHHELD
        else:
            observed = f"{float(row['value']):.2f} (n = {row['n']})"
            if not pd.isna(row["previous_value"]):
                observed += f"; previous cycle {float(row['previous_value']):.2f}"
        team = str(row["team_verdict"]) or "no result yet"
        data_say = str(row["data_say"])
        checks.append(
            Check(
                question=question.text,
                statement=statement,
                measure=labels.get(str(row["measure_id"]), str(row["measure_id"])),
                rule=str(row["rule"]),
                observed=observed,
                data_say=f"{data_say}: {row['reason']}",
                team_verdict=team,
                team_observed=str(row["team_observed"]),
                learning=str(row["learning"]),
                differs=data_say != "cannot tell" and bool(row["team_verdict"]) and data_say != team,
            )
        )
    return tuple(checks)


def _messages(record: CycleRecord) -> tuple[Message, ...]:
    tested = record.plan.change_idea or record.title
    verdicts = [r.verdict for r in record.study.results] if record.study else []
    asked = len(record.plan.questions)
    counted = ", ".join(f"{verdicts.count(v)} {v}" for v in ("met", "not met", "inconclusive") if verdicts.count(v))
    happened = f"Of {asked} prediction{'s' if asked != 1 else ''}: {counted or 'no results yet'}."
    if record.sense_making:
        happened += f" {record.sense_making.what}"
    messages = [Message("What we tested.", tested), Message("What happened.", happened)]
    if record.act:
        messages.append(Message("Our decision.", f"{record.act.decision.capitalize()}. {record.act.rationale}"))
        next_text = record.act.next_cycle or (record.sense_making.now_what if record.sense_making else "")
        if next_text:
            messages.append(Message("What changes next.", next_text))
    else:
        messages.append(Message("Our decision.", f"Not taken yet: the cycle is at {record.stage.capitalize()}."))
    return tuple(messages)


def _ratings(evaluation: Evaluation, ratings: Ratings, k: int) -> tuple[Figure | None, str, tuple[str, ...]]:
    instrument = evaluation.instrument(ratings.instrument_id)
    table = ratings.table
    if table.empty:
        return None, "", ()
    text = {item.id: item.text for item in instrument.items}
    drawable = table[~table["partly_withheld"]].copy()
    shown = ~table["partly_withheld"] & ~table["suppressed"]
    if not shown.any():  # no bar to draw: the table below the chart says why, item by item
        return None, "", tuple(text[str(i)] for i in table["item_id"])
    not_drawn = tuple(text[str(i)] for i in table.loc[table["partly_withheld"], "item_id"])
    drawable.insert(0, "label", [text[str(i)] for i in drawable["item_id"]])
    figure = likert_chart(drawable, ratings.levels, k=k, figure_id="ratings-chart")
    notes = {
        "full": "Every answer is shown on the full scale.",
        "three": "Answers are grouped into disagree, neither, and agree, so that no group counts fewer "
        f"than {k} people.",
    }
    return figure, notes[ratings.grouping], not_drawn


def _outcomes(
    evaluation: Evaluation, outcomes: Outcomes
) -> tuple[Table | None, tuple[tuple[str, Table | None], ...], Table | None]:
    scores = None
    if outcomes.scores is not None and not outcomes.scores.empty:
        bands = [c for c in outcomes.scores.columns if c.startswith("people ")]
        rows = tuple(
            (
                str(row["outcome"]).capitalize(),
                str(row["score"]),
                _cell(row["n"]),
                _cell(row["mean"], 2),
                *(_cell(row[b]) for b in bands),
            )
            for row in outcomes.scores.to_dict("records")
        )
        columns = ("Outcome", "Score", "People", "Average (1 to 5)", *(f"People scoring {b[7:]}" for b in bands))
        scores = Table("Staff scores: acceptability, appropriateness and feasibility", columns, rows)
    blocks: list[tuple[str, Table | None]] = []
    for block in outcomes.blocks:
        if block.table["n"].isna().all():
            blocks.append((block.label, None))
            continue
        instrument = evaluation.instrument(block.instrument_id)
        rows = tuple(
            (
                instrument.item(str(row["item_id"])).text,
                _cell(row["n"]),
                *(_cell(row[level]) for level in block.levels),
                _cell(row["mean"], 1),
            )
            for row in block.table.to_dict("records")
        )
        columns = ("Statement", "People", *block.levels, f"Average (1 to {len(block.levels)})")
        caption = f"{block.label}: people per answer" + (f" ({block.answered_by})" if block.answered_by else "")
        blocks.append((block.label, Table(caption, columns, rows)))
    reach = None
    if outcomes.reach is not None and not outcomes.reach.empty:
        rows = tuple(
            (str(row["group"]), _cell(row["responses"]), _cell(row["sessions"]))
            for row in outcomes.reach.to_dict("records")
        )
        reach = Table("Reach: survey answers and sessions per group", ("Group", "Answers", "Sessions"), rows)
    return scores, tuple(blocks), reach


def _fidelity(record: CycleRecord) -> tuple[str, ...]:
    if record.do is None:
        return ()
    lines = ["The cycle ran as planned." if record.do.as_planned else "The cycle did not run exactly as planned."]
    lines += [f"Changed from the plan: {d}" for d in record.do.deviations]
    lines += [f"Problem: {p}" for p in record.do.problems]
    lines += [f"Unexpected: {u}" for u in record.do.unexpected]
    return tuple(lines)


def agreement_summary(agreement: pd.DataFrame) -> str:
    """One sentence on the two reviewers' agreement, from ``published/<cycle>/agreement.csv``."""
    pooled = agreement[agreement["scope"] == "pooled_de_vries"]
    per_code = agreement[agreement["scope"] == "code"]
    codes = len(per_code)
    if pooled.empty or pd.isna(pooled.iloc[0]["kappa"]):
        return f"Two reviewers coded the interviews and notes independently with {codes} codes."
    row = pooled.iloc[0]
    # Each code's row counts the passages both reviewers coded; the pooled row counts a decision
    # per passage and code, which is not a number of passages.
    passages = int(per_code["units"].max())
    return (
        f"Two reviewers coded {passages} passages independently with {codes} codes; their agreement beyond "
        f"chance, pooled over the codes (De Vries kappa), was {float(row['kappa']):.2f}."
    )


def build_cycle_report(
    evaluation: Evaluation,
    cycle_id: str,
    rating_summary: pd.DataFrame,
    sources: tuple[str, ...],
    *,
    record: CycleRecord | None = None,
    earlier: Sequence[CycleRecord] = (),
    flags: Sequence[str] = (),
    predictions: pd.DataFrame | None = None,
    ratings: Ratings | None = None,
    outcomes: Outcomes | None = None,
    agreement: str = "",
    measures_html: Markup | None = None,
    measures_withheld: int = 0,
    themes_html: Markup | None = None,
) -> CycleReport:
    """Assemble what the report shows from the evaluation, the cycle record and analysed tables.

    ``earlier`` are the records of the cycles before this one (chain order), for the decision log;
    ``predictions`` is ``analysis.predictions.predictions_table`` output; ``measures_withheld``
    counts the run-chart points withheld in ``measures_html``, for the method note's total.
    """
    cycle = next(c for c in evaluation.cycles if c.id == cycle_id)
    k = evaluation.privacy.k
    items = _item_rows(evaluation, rating_summary)
    figure, ratings_note, not_drawn = _ratings(evaluation, ratings, k) if ratings else (None, "", ())
    outcomes = outcomes or Outcomes()
    scores, blocks, reach = _outcomes(evaluation, outcomes)
    withheld = [
        ("ratings", ratings.withheld if ratings else 0),
        ("implementation outcomes", outcomes.scores_withheld + sum(b.withheld for b in outcomes.blocks)),
        ("reach", outcomes.reach_withheld),
        ("measures over time", measures_withheld),
    ]
    report = CycleReport(
        evaluation_title=evaluation.title,
        organisation=evaluation.organisation,
        cycle_id=cycle.id,
        cycle_title=cycle.title,
        k=k,
        sources=sources,
        items=items,
        suppressed_count=sum(1 for i in items if i.suppressed),
        ratings_figure=figure,
        ratings_note=ratings_note,
        ratings_not_drawn=tuple(i for i in items if i.text in not_drawn),
        scores=scores,
        score_rule=outcomes.score_rule,
        blocks=blocks,
        reach=reach,
        flags=tuple(flags),
        agreement=agreement,
        measures_html=measures_html,
        themes_html=themes_html,
        withheld_by_section=tuple(withheld),
    )
    if record is None:
        return report
    labels = {m: m for m in evaluation.measure_ids()}
    for instrument in evaluation.instruments:
        labels.update({f"{instrument.id}.{i.id}": i.text for i in instrument.items})
        labels.update({f"{instrument.id}.{s.id}": s.label for s in instrument.scores})
    log = [
        LogEntry(
            r.cycle_id,
            r.title,
            r.act.decision.capitalize() if r.act else "not yet taken",
            r.act.rationale if r.act else "",
            r.closed.date.isoformat() if r.closed else "still open",
        )
        for r in (*earlier, record)
    ]
    sense = record.sense_making
    checks = _checks(record, predictions, labels, k) if predictions is not None else ()
    withheld_values = sum(1 for check in checks if check.observed == WITHHELD)
    return _replace(
        report,
        withheld_by_section=(*report.withheld_by_section, ("predictions", withheld_values)),
        has_record=True,
        messages=_messages(record),
        checks=checks,
        fidelity=_fidelity(record),
        sense_making=(
            (Message("What?", sense.what), Message("So what?", sense.so_what), Message("Now what?", sense.now_what))
            if sense
            else ()
        ),
        dissent=sense.dissent if sense else (),
        surprises=record.study.surprises if record.study else (),
        aim=record.aim,
        emerging=sense.emerging_questions if sense else (),
        decision_log=tuple(log),
        next_cycle=record.act.next_cycle if record.act else "",
    )


def _replace(report: CycleReport, **changes: object) -> CycleReport:
    import dataclasses

    return dataclasses.replace(report, **changes)  # type: ignore[arg-type]


def render_cycle_report(report: CycleReport) -> str:
    """The report as one self-contained HTML page (no external files, no network)."""
    environment = jinja2.Environment(
        loader=jinja2.FileSystemLoader(_TEMPLATES),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
    )
    return environment.get_template("cycle_report.html.j2").render(report=report, Markup=Markup)
