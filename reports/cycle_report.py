"""The PDSA-cycle report a program team reads: plain language, no figure from fewer than k people."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import jinja2
import pandas as pd

from instruments.evaluation import Evaluation

_TEMPLATES = Path(__file__).parent / "templates"


@dataclass(frozen=True)
class ItemRow:
    text: str
    suppressed: bool
    n: int | None = None
    agree_percent: str = ""
    mean: str = ""
    points: int = 0


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

    @property
    def suppressed_text(self) -> str:
        if self.suppressed_count == 0:
            return "No figure had to be withheld in this cycle."
        if self.suppressed_count == 1:
            return "1 figure was withheld for this reason."
        return f"{self.suppressed_count} figures were withheld for this reason."


def build_cycle_report(
    evaluation: Evaluation,
    cycle_id: str,
    rating_summary: pd.DataFrame,
    sources: tuple[str, ...],
) -> CycleReport:
    """Assemble what the report shows from the evaluation and the analysis results."""
    cycle = next(c for c in evaluation.cycles if c.id == cycle_id)
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
                    agree_percent=f"{round(100 * float(row['agree_share']))}%",
                    mean=f"{float(row['mean']):.1f}",
                    points=points,
                )
            )
    return CycleReport(
        evaluation_title=evaluation.title,
        organisation=evaluation.organisation,
        cycle_id=cycle.id,
        cycle_title=cycle.title,
        k=evaluation.privacy.k,
        sources=sources,
        items=tuple(items),
        suppressed_count=sum(1 for i in items if i.suppressed),
    )


def render_cycle_report(report: CycleReport) -> str:
    """The report as one self-contained HTML page (no external files, no network)."""
    environment = jinja2.Environment(
        loader=jinja2.FileSystemLoader(_TEMPLATES),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
    )
    return environment.get_template("cycle_report.html.j2").render(report=report)
