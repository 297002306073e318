"""Data Docs an evaluator can open without a network.

great-expectations' own pages pull their styles and scripts from public CDNs. Offline they would
wait for servers they cannot reach, and online they would tell those servers that someone opened a
mental-health evaluation's internal pages. :func:`offline_gx_site` therefore removes every remote
``<link>``, ``<script src>``, ``<img src>`` and CSS ``url()`` from them: the pages stay readable as
plain HTML.

The page meant to be read is ours: :func:`render_summary` writes one self-contained page per cycle
(inline CSS, no external resource, headings and captioned tables for screen readers, colours with
AA contrast that never carry meaning alone), and ``index.html`` links every cycle page and GX's
site. The summary holds what :class:`~validation.quality.QualityReport` holds: counts and figures,
never a value from the tables.
"""

from __future__ import annotations

import os
import re
from html import escape
from pathlib import Path
from typing import TYPE_CHECKING

from instruments.atomic import write_text_atomic

if TYPE_CHECKING:
    from validation.quality import CheckOutcome, QualityReport, SuiteOutcome

#: GX's site lives in this folder of the Data Docs folder; ``index.html`` beside it is ours.
GX_SITE_FOLDER = "great-expectations"

_REMOTE = r"""["']?(?:https?:)?//"""
_REMOTE_LINK = re.compile(rf"<link\b[^>]*\bhref\s*=\s*{_REMOTE}[^>]*>", re.IGNORECASE)
_REMOTE_SCRIPT = re.compile(rf"<script\b[^>]*\bsrc\s*=\s*{_REMOTE}[^>]*>\s*</script\s*>", re.IGNORECASE | re.DOTALL)
_REMOTE_IMAGE = re.compile(rf"<img\b[^>]*\bsrc\s*=\s*{_REMOTE}[^>]*>", re.IGNORECASE)
_REMOTE_CSS_URL = re.compile(r"""url\(\s*["']?(?:https?:)?//[^)]*\)""", re.IGNORECASE)

_STYLE = """
body { font-family: system-ui, sans-serif; color: #1a1a1a; background: #fff; margin: 2rem auto;
       max-width: 72rem; padding: 0 1rem; line-height: 1.45; }
h1 { font-size: 1.6rem; } h2 { font-size: 1.25rem; margin-top: 2rem; }
table { border-collapse: collapse; width: 100%; margin: 0.5rem 0 1.5rem; }
caption { text-align: left; font-weight: 600; padding: 0.25rem 0; }
th, td { border: 1px solid #767676; padding: 0.3rem 0.5rem; text-align: left; vertical-align: top; }
th { background: #f0f0f0; }
td.number { text-align: right; font-variant-numeric: tabular-nums; }
.failed { color: #8a0000; background: #fdecea; font-weight: 600; }
.passed { color: #0b5a27; background: #e8f5ec; }
a { color: #0b4f8a; }
"""


def without_remote_resources(text: str) -> str:
    """``text`` (HTML or CSS) without remote stylesheets, scripts, images or CSS ``url()``s."""
    for pattern in (_REMOTE_LINK, _REMOTE_SCRIPT, _REMOTE_IMAGE):
        text = pattern.sub("", text)
    return _REMOTE_CSS_URL.sub("none", text)


def offline_gx_site(site_dir: Path) -> None:
    """Make every page and stylesheet GX wrote under ``site_dir`` load nothing from the network.

    GX's pages also embed a logo from its own server with the data context's id in the address;
    that goes too. Plain links (``<a href>``) to GX's documentation stay: they load nothing.
    """
    for page in sorted([*site_dir.rglob("*.html"), *site_dir.rglob("*.css")]):
        text = page.read_text("utf-8")
        stripped = without_remote_resources(text)
        if stripped != text:
            write_text_atomic(page, stripped)


def write_summary_pages(report: QualityReport, docs_dir: Path) -> None:
    """Write the cycle's summary page and rewrite ``index.html`` to list every cycle's page."""
    write_text_atomic(report.summary_page, render_summary(report))
    cycles = sorted(page.stem for page in (docs_dir / "cycles").glob("*.html"))
    write_text_atomic(report.index_page, render_index(cycles))


def _page(title: str, body: str) -> str:
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{escape(title)}</title>\n<style>{_STYLE}</style>\n</head>\n"
        f"<body>\n<main>\n{body}</main>\n</body>\n</html>\n"
    )


def render_index(cycles: list[str]) -> str:
    """The Data Docs front page: one link per cycle summary, and GX's own site."""
    items = "".join(f'<li><a href="cycles/{escape(c, quote=True)}.html">Cycle {escape(c)}</a></li>\n' for c in cycles)
    body = (
        "<h1>Data quality checks</h1>\n"
        "<p>One page per PDSA cycle: which whole-table checks held on the cycle's validated "
        "tables, and which did not. See <code>docs/data-quality.md</code> for what each failure "
        "means and what to do.</p>\n"
        f"<h2>Cycles</h2>\n<ul>\n{items}</ul>\n"
        "<h2>Full details</h2>\n"
        f'<p><a href="{GX_SITE_FOLDER}/index.html">Great Expectations Data Docs</a>: every '
        "expectation and validation run in GX's own layout, without styling as they are kept "
        "offline. GX's index lists runs only with a network (it builds the list with scripts); "
        "each cycle page above links its runs directly. These pages can show failing values; "
        "keep them internal.</p>\n"
    )
    return _page("Data quality checks", body)


def render_summary(report: QualityReport) -> str:
    """One cycle's quality summary as a self-contained, accessible HTML page."""
    checks = [check for suite in report.suites for check in suite.checks]
    failed = report.failures
    cycle = escape(report.cycle_id)
    parts = [
        f"<h1>Data quality: cycle {cycle}</h1>\n",
        f"<p><strong>{len(checks) - len(failed)} of {len(checks)} checks held; "
        f"{len(failed)} failed.</strong> "
        '<a href="../index.html">All cycles</a> · '
        f'<a href="../{GX_SITE_FOLDER}/index.html">Great Expectations Data Docs</a></p>\n',
    ]
    if failed:
        parts.append("<h2>Checks that failed</h2>\n")
        parts.append(_table(f"Failed checks of cycle {report.cycle_id}", failed, with_table=True))
    for suite in report.suites:
        parts.append(f"<h2>{escape(_suite_title(suite))}</h2>\n")
        details = ""
        if suite.gx_page is not None:
            target = Path(os.path.relpath(suite.gx_page, report.summary_page.parent)).as_posix()
            details = f' <a href="{escape(target, quote=True)}">Details in Great Expectations</a>.'
        parts.append(f"<p>{suite.rows} row(s) checked; suite <code>{escape(suite.suite)}</code>.{details}</p>\n")
        parts.append(_table(f"Checks on {_suite_title(suite)}", suite.checks, with_table=False))
    return _page(f"Data quality: cycle {report.cycle_id}", "".join(parts))


def _suite_title(suite: SuiteOutcome) -> str:
    if suite.suite.startswith(f"{suite.table}.answers."):
        return f"{suite.table}: answered share per item, {suite.suite.rsplit('.', 1)[1]}"
    return suite.table


def _table(caption: str, checks: tuple[CheckOutcome, ...], *, with_table: bool) -> str:
    heads = ["Table"] if with_table else []
    heads += ["Check", "Column", "Rows", "Result", "Observed", "Unexpected rows", "Unexpected share"]
    head = "".join(f'<th scope="col">{h}</th>' for h in heads)
    rows = []
    for check in checks:
        status = "passed" if check.success else "failed"
        word = "Passed" if check.success else ("Failed" if check.evaluated else "Failed (not evaluated)")
        cells = [f"<td>{escape(check.table)}</td>"] if with_table else []
        cells += [
            f'<th scope="row">{escape(check.explains)}</th>',
            f"<td>{escape(check.column or '')}</td>",
            f"<td>{escape(check.condition or 'all')}</td>",
            f'<td class="{status}">{word}</td>',
            f'<td class="number">{_figure(check.observed)}</td>',
            f'<td class="number">{"" if check.unexpected_count is None else check.unexpected_count}</td>',
            f'<td class="number">{_percent(check.unexpected_percent)}</td>',
        ]
        rows.append(f"<tr>{''.join(cells)}</tr>\n")
    return (
        f"<table>\n<caption>{escape(caption)}</caption>\n<thead><tr>{head}</tr></thead>\n"
        f"<tbody>\n{''.join(rows)}</tbody>\n</table>\n"
    )


def _figure(value: float | None) -> str:
    if value is None:
        return ""
    return f"{value:g}" if value != int(value) else str(int(value))


def _percent(value: float | None) -> str:
    return "" if value is None else f"{value:.1f}%"
