"""Rating (Likert-type) items as a diverging stacked bar chart, sorted by share agreeing.

Design (research note ``pdsa_de.md`` §6.3, after Heiberger & Robbins 2014):

- One bar per statement. Disagreement extends left of the zero line, agreement right, so the
  length on each side can be compared across statements at a glance.
- **Neutral is centred**: the middle point of an odd scale is drawn in grey straddling the zero
  line, half on each side, so every bar still covers 100% of the people who answered. This hides
  nothing, but it shifts where the agree segments start; for that reason each bar also prints its
  total agreement ("65% agree") at the right, and the bars are sorted by it, highest first.
  "Agree" is the upper half of the scale, as in ``analysis.likert.summarise_ratings``.
- Every bar prints its number of people ("n = 23"); every segment wide enough for it is labelled
  with its percentage. Every percentage, totals included, is rounded on its own from the counts
  (as the report's table does), so equal counts always read the same and 3 of 6 is "50% agree";
  a bar's labels may therefore add up to 99% or 101%, which the table caption says.
- Statements answered by fewer than k people are not drawn at all (not even their wording):
  the chart only says how many were withheld, and the description and table name them.
- The data table gives counts and the 100%-stacked percentages of every statement.

Input: one row per statement, with the columns

- ``label`` (str): the statement as the report shows it;
- ``n`` (int, or missing when withheld): people who answered;
- ``suppressed`` (bool): True if fewer than k people answered (counts may then be missing);
- one column per scale point, named exactly as in ``scale`` (most negative first), holding counts.
"""

from __future__ import annotations

import math
import numbers
import textwrap
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass

import pandas as pd
from matplotlib import figure as mpl_figure
from matplotlib import transforms
from matplotlib.patches import Patch

from reports.charts import FONT_SIZE, DataTable, Figure, drawing, svg_of
from reports.palette import AXIS, BACKGROUND, TEXT, diverging, text_on

LABEL_SIZE = 9.0
"""Points, for percentages inside segments."""
_WIDTH = 7.5  # inches
_BAR = 0.62  # bar thickness, in item spacings
_LABEL_WRAP = 36  # characters per line of a statement label
_KEY_WRAP = 12  # characters per line of a scale point in the key


@dataclass(frozen=True)
class _Item:
    label: str
    n: int
    counts: tuple[int, ...]
    percentages: tuple[int, ...]
    shares: tuple[float, ...]
    agree_share: float
    disagree_share: float
    agree: int
    neutral: int | None
    disagree: int


def likert_chart(items: pd.DataFrame, scale: Sequence[str], *, k: int, figure_id: str = "ratings") -> Figure:
    """The diverging bar chart of ``items`` (columns in the module docstring) on ``scale``.

    ``k`` is the evaluation's privacy threshold, used in the wording about withheld statements and
    as a last guard: a statement not marked ``suppressed`` but answered by fewer than k people is
    refused rather than drawn.
    """
    scale = tuple(scale)
    colours = diverging(len(scale))
    missing = [c for c in ("label", "n", "suppressed", *scale) if c not in items.columns]
    if missing:
        raise ValueError(
            f"the rating chart needs the columns {', '.join(missing)}; the table has {list(items.columns)}"
        )
    if items.empty:
        raise ValueError("the rating chart needs at least one statement, got an empty table")
    if k < 1:
        raise ValueError(f"k must be at least 1, got {k}")
    drawn: list[_Item] = []
    withheld: list[str] = []
    for row in items.to_dict("records"):
        if bool(row["suppressed"]):
            withheld.append(str(row["label"]))
        else:
            drawn.append(_item(row, scale, k))
    drawn.sort(key=lambda item: (-item.agree_share, item.disagree_share, item.label))
    alt_text = _alt_text(drawn, withheld)
    description = _description(drawn, withheld, scale, k)
    with drawing(figure_id):
        canvas = _draw(drawn, withheld, scale, colours, k)
        svg = svg_of(canvas, figure_id, alt_text)
    return Figure(figure_id, svg, alt_text, description, _table(drawn, withheld, scale, k))


def _item(row: Mapping[Hashable, object], scale: tuple[str, ...], k: int) -> _Item:
    label = str(row["label"])
    counts: list[int] = []
    for point in scale:
        count = _whole(row[point])
        if count is None:
            raise ValueError(
                f"statement {label!r}: the count for {point!r} must be a whole number of 0 or more, got {row[point]!r}"
            )
        counts.append(count)
    n = sum(counts)
    if _whole(row["n"]) != n:
        raise ValueError(f"statement {label!r}: n is {row['n']!r} but its counts add up to {n}")
    if n < k:
        raise ValueError(
            f"statement {label!r}: only {n} people answered, fewer than k = {k}, but it is not marked suppressed; "
            "run the suppression step before charting"
        )
    points = len(scale)
    half = points // 2
    percentages = tuple(round(100 * c / n) for c in counts)
    agreeing, disagreeing = sum(counts[points - half :]), sum(counts[:half])
    return _Item(
        label=label,
        n=n,
        counts=tuple(counts),
        percentages=percentages,
        shares=tuple(100 * c / n for c in counts),
        agree_share=agreeing / n,
        disagree_share=disagreeing / n,
        agree=round(100 * agreeing / n),
        neutral=round(100 * counts[half] / n) if points % 2 else None,
        disagree=round(100 * disagreeing / n),
    )


def _whole(value: object) -> int | None:
    """``value`` as a count (a whole number of 0 or more), or None if it is not one (missing included)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        return None
    number = float(value)
    if not math.isfinite(number) or number < 0 or not number.is_integer():
        return None
    return int(number)


def _draw(
    drawn: list[_Item], withheld: list[str], scale: tuple[str, ...], colours: tuple[str, ...], k: int
) -> mpl_figure.Figure:
    rows = max(len(drawn), 1)
    canvas = mpl_figure.Figure(figsize=(_WIDTH, 1.2 + 0.5 * rows))
    ax = canvas.add_axes((0.42, 0.2, 0.42, 0.66))
    points, half = len(scale), len(scale) // 2
    extent = max(
        [_extents(item, half, points)[0] for item in drawn] + [_extents(item, half, points)[1] for item in drawn] + [10]
    )
    step = next(s for s in (10, 20, 25, 50) if extent / s <= 2.5)
    limit = step * math.ceil(extent / step)
    ax.set_xlim(-limit, limit)
    ax.set_ylim(rows - 0.5, -0.5)
    ticks = list(range(-limit, limit + 1, step))
    ax.set_xticks(ticks, [f"{abs(t)}%" for t in ticks])
    ax.set_yticks(range(len(drawn)), [textwrap.fill(item.label, _LABEL_WRAP) for item in drawn])
    ax.tick_params(axis="y", length=0)
    ax.spines["left"].set_visible(False)
    ax.set_xlabel("share of the people who answered")
    ax.text(0, 1.0, "\u2190 disagree", transform=ax.transAxes, ha="left", va="bottom", color=TEXT, gid="side-disagree")
    ax.text(1, 1.0, "agree \u2192", transform=ax.transAxes, ha="right", va="bottom", color=TEXT, gid="side-agree")
    axes_width_pt = _WIDTH * 0.42 * 72
    right_column = transforms.blended_transform_factory(ax.transAxes, ax.transData)
    for row, item in enumerate(drawn):
        for position, (left, width) in enumerate(_segments(item, half, points)):
            if width <= 0:
                continue
            fill = colours[position]
            ax.barh(
                row,
                width,
                left=left,
                height=_BAR,
                color=fill,
                edgecolor=BACKGROUND,
                linewidth=1.5,
                gid=f"segment-{row}-{position}",
            )
            text = f"{item.percentages[position]}%"
            if width / (2 * limit) * axes_width_pt >= 0.62 * LABEL_SIZE * len(text) + 6:
                ax.text(
                    left + width / 2,
                    row,
                    text,
                    ha="center",
                    va="center",
                    fontsize=LABEL_SIZE,
                    color=text_on(fill),
                    gid=f"label-{row}-{position}",
                )
        ax.text(
            1.02,
            row,
            f"{item.agree}% agree\nn = {item.n}",
            transform=right_column,
            ha="left",
            va="center",
            color=TEXT,
            gid=f"total-{row}",
        )
    ax.axvline(0, color=AXIS, linewidth=1.0, gid="zero-line")
    if not drawn:
        ax.text(
            0,
            0,
            f"No statement can be shown: fewer than {k} people answered each one.",
            ha="center",
            va="center",
            color=TEXT,
        )
    handles = [
        Patch(facecolor=c, edgecolor=BACKGROUND, label=textwrap.fill(name, _KEY_WRAP))
        for c, name in zip(colours, scale, strict=True)
    ]
    canvas.legend(
        handles=handles,
        loc="lower center",
        bbox_to_anchor=(0.5, 0.9),
        ncols=points,
        fontsize=FONT_SIZE,
        handlelength=1.2,
        columnspacing=1.2,
        title="Answers, from the most negative to the most positive",
        title_fontsize=FONT_SIZE,
    )
    if withheld and drawn:
        ax.annotate(
            f"Not shown: {_statements(len(withheld))} that fewer than {k} people answered (see the table).",
            xy=(0.5, 0),
            xycoords="axes fraction",
            xytext=(0, -42),
            textcoords="offset points",
            ha="center",
            va="top",
            color=TEXT,
            annotation_clip=False,
        )
    return canvas


def _segments(item: _Item, half: int, points: int) -> list[tuple[float, float]]:
    """``(left, width)`` of each scale point's segment, in percent, neutral centred on zero."""
    neutral = item.shares[half] if points % 2 else 0.0
    placed: list[tuple[float, float]] = [(0.0, 0.0)] * points
    edge = -neutral / 2
    for position in range(half - 1, -1, -1):
        edge -= item.shares[position]
        placed[position] = (edge, item.shares[position])
    if points % 2:
        placed[half] = (-neutral / 2, neutral)
    edge = neutral / 2
    for position in range(points - half, points):
        placed[position] = (edge, item.shares[position])
        edge += item.shares[position]
    return placed


def _extents(item: _Item, half: int, points: int) -> tuple[float, float]:
    neutral = item.shares[half] / 2 if points % 2 else 0.0
    return sum(item.shares[:half]) + neutral, sum(item.shares[points - half :]) + neutral


def _statements(count: int) -> str:
    return "1 statement" if count == 1 else f"{count} statements"


def _alt_text(drawn: list[_Item], withheld: list[str]) -> str:
    if not drawn:
        return f"Rating chart with no bars: all {_statements(len(withheld))} withheld because too few people answered."
    shown = f"Diverging bar chart of how people rated {_statements(len(drawn))}, sorted by share agreeing"
    if len(drawn) > 1:
        shown += f", from {drawn[0].agree}% to {drawn[-1].agree}% agreeing"
    else:
        shown += f": {drawn[0].agree}% agreed"
    if withheld:
        shown += f"; {_statements(len(withheld))} withheld"
    return shown + "."


def _describe(item: _Item) -> str:
    neutral = f", {item.neutral}% neither" if item.neutral is not None else ""
    return f"\u201c{item.label}\u201d: {item.agree}% agreed{neutral}, {item.disagree}% disagreed (n = {item.n})"


def _description(drawn: list[_Item], withheld: list[str], scale: tuple[str, ...], k: int) -> str:
    sentences = [
        "Each bar shows how the people who answered a statement spread over the scale "
        f"from {scale[0]!r} to {scale[-1]!r}."
    ]
    if drawn:
        top, bottom = drawn[0], drawn[-1]
        sentences.append(f"Most agreed with \u201c{top.label}\u201d ({top.agree}% of {top.n} people).")
        if len(drawn) > 1:
            sentences.append(
                f"The lowest agreement was with \u201c{bottom.label}\u201d ({bottom.agree}% of {bottom.n} people)."
            )
        sentences.append("In order: " + "; ".join(_describe(item) for item in drawn) + ".")
    if withheld:
        names = ", ".join(f"\u201c{label}\u201d" for label in withheld)
        sentences.append(f"Withheld because fewer than {k} people answered: {names}.")
    return " ".join(sentences)


def _table(drawn: list[_Item], withheld: list[str], scale: tuple[str, ...], k: int) -> DataTable:
    columns = ("Statement", "People who answered", *scale, "Agreed")
    rows = [
        (
            item.label,
            str(item.n),
            *(f"{c} ({p}%)" for c, p in zip(item.counts, item.percentages, strict=True)),
            f"{item.agree}%",
        )
        for item in drawn
    ]
    rows += [(label, f"withheld (fewer than {k})", *("withheld" for _ in scale), "withheld") for label in withheld]
    caption = (
        "How people rated each statement: number of people and share of those who answered "
        "(rounded, so a row may add up to 99% or 101%)"
    )
    return DataTable(caption, columns, tuple(rows))
