"""What every chart in a report is made of: the ``Figure`` record and the deterministic SVG it holds.

A chart reaches the report as a ``Figure``: an inline SVG, a short text alternative, a long
description written from the same data, and the data as a table (WCAG 1.1.1 with technique G74:
the long description sits next to the chart; research note ``pdsa_de.md`` §6.2). The drawing
modules are ``reports.likert_chart`` and ``reports.run_chart_figure``; their colours and the
contrast checks are in ``reports.palette``.

The SVG is made to be published and compared:

- headless and offline: a bare matplotlib ``Figure`` (no pyplot, no GUI backend, no network);
- byte-identical for the same data: fixed ``svg.hashsalt`` (the figure id), no date, no
  matplotlib metadata block;
- text stays text (``svg.fonttype: none``, DejaVu Sans, which ships with matplotlib), so it can
  be selected, read aloud, translated and checked for contrast;
- safe to inline several charts in one HTML page: every ``id`` and every reference to one is
  prefixed with the figure id, and the root ``<svg>`` carries ``role="img"`` and a ``<title>``
  (the short text). The long description is not repeated inside the SVG: the report prints it
  next to the chart (and may point to it with ``aria-describedby``), so it is read once, and
  names of withheld items, which the description gives, never appear in the drawing.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any
from xml.sax.saxutils import escape

import matplotlib
from matplotlib import figure as mpl_figure
from matplotlib.typing import RcKeyType

from reports.palette import AXIS, BACKGROUND, TEXT

FONT = "DejaVu Sans"
FONT_SIZE = 10.0
"""Points; 10 pt DejaVu Sans is the smallest size used for any chart text except none."""
_FIGURE_ID = re.compile(r"[a-z][a-z0-9-]*")


@dataclass(frozen=True)
class DataTable:
    """The chart's data as the report prints it: a caption, column headings and rows of text."""

    caption: str
    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]


@dataclass(frozen=True)
class Figure:
    """One chart, ready for the report.

    ``svg`` is inline SVG markup (no XML declaration); ``alt_text`` is one sentence for the
    ``<figure>``'s accessible name; ``description`` is the long description for the figcaption
    or the text right after the chart; ``table`` holds the same numbers for an HTML table.
    """

    figure_id: str
    svg: str
    alt_text: str
    description: str
    table: DataTable


def style(figure_id: str) -> dict[RcKeyType, Any]:
    """matplotlib settings for every chart: fonts, colours and the deterministic SVG options."""
    return {
        "font.family": FONT,
        "font.size": FONT_SIZE,
        "text.color": TEXT,
        "axes.edgecolor": AXIS,
        "axes.labelcolor": TEXT,
        "axes.facecolor": BACKGROUND,
        "axes.spines.top": False,
        "axes.spines.right": False,
        "xtick.color": AXIS,
        "ytick.color": AXIS,
        "xtick.labelcolor": TEXT,
        "ytick.labelcolor": TEXT,
        "figure.facecolor": BACKGROUND,
        "savefig.facecolor": BACKGROUND,
        "legend.frameon": False,
        "svg.fonttype": "none",
        "svg.hashsalt": figure_id,
    }


@contextmanager
def drawing(figure_id: str) -> Iterator[None]:
    """Draw (and save) inside this block so that every setting in ``style`` applies."""
    if not _FIGURE_ID.fullmatch(figure_id):
        raise ValueError(
            f"a figure id must start with a letter and use only a-z, 0-9 and '-' (it becomes an HTML id), "
            f"got {figure_id!r}"
        )
    with matplotlib.rc_context(style(figure_id)):
        yield


def svg_of(canvas: mpl_figure.Figure, figure_id: str, alt_text: str) -> str:
    """The canvas as inline SVG: deterministic, ids prefixed with ``figure_id``, titled for screen readers."""
    buffer = io.StringIO()
    with matplotlib.rc_context({"svg.hashsalt": figure_id, "svg.fonttype": "none"}):
        canvas.savefig(buffer, format="svg", bbox_inches="tight", pad_inches=0.1, metadata={"Date": None})
    svg = buffer.getvalue()
    svg = svg[svg.index("<svg") :]
    svg = re.sub(r"\s*<metadata>.*?</metadata>", "", svg, count=1, flags=re.DOTALL)
    svg = re.sub(r"<[^<>]+>", lambda tag: _prefix_ids(tag.group(0), figure_id), svg)
    # matplotlib's one stylesheet rule is "*{...}"; inline in HTML it would reach every SVG on the page.
    svg = svg.replace('<style type="text/css">*{', f'<style type="text/css">#{figure_id} *{{', 1)
    head_end = svg.index(">") + 1
    root = svg[:head_end].replace(
        "<svg ",
        f'<svg id="{figure_id}" role="img" aria-labelledby="{figure_id}-title" style="max-width: 100%; height: auto" ',
        1,
    )
    return root + f'\n <title id="{figure_id}-title">{escape(alt_text)}</title>' + svg[head_end:]


def _prefix_ids(tag: str, figure_id: str) -> str:
    """One tag with its ids and references to ids prefixed (text between tags is left alone)."""
    tag = re.sub(r'(\s)id="([^"]+)"', rf'\1id="{figure_id}-\2"', tag)
    tag = re.sub(r"url\(#([^)]+)\)", rf"url(#{figure_id}-\1)", tag)
    return re.sub(r'xlink:href="#([^"]+)"', rf'xlink:href="#{figure_id}-\1"', tag)


def percent(share: float) -> str:
    """A share (0 to 1) as a whole percentage, e.g. ``"65%"``."""
    return f"{round(100 * share)}%"
