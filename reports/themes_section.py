"""The "What people told us" section of a cycle report, as an HTML fragment, and the evaluator's list of its quotes."""

from __future__ import annotations

from collections.abc import Sequence

from markupsafe import Markup

from reports.measures_section import environment


def render_themes_section(section: object) -> Markup:
    """The themes, their coverage and the de-identified quotes as one ``<section>``.

    ``section`` is an ``analysis.themes.ThemeSection`` (reports may not import analysis: the flow
    passes it through).
    """
    return Markup(environment().get_template("_themes.html.j2").render(themes=section))


def coding_pending_section(cycle_id: str) -> Markup:
    """What the report says while the reviewers' coding of the cycle is not reconciled yet."""
    return Markup(
        environment()
        .from_string(
            '<section aria-labelledby="themes">\n  <h2 id="themes">What people told us</h2>\n'
            "  <p>The two reviewers have not finished coding this cycle's interviews and notes yet "
            "(their reconciled codings are not in), so no themes or quotes are shown. Publish the "
            "cycle again after <code>make import-coding CYCLE={{ cycle }}</code> has stored the final "
            "codings.</p>\n</section>\n"
        )
        .render(cycle=cycle_id)
    )


def quote_review(section: object, cycle_id: str, stale: Sequence[str] = ()) -> str:
    """The evaluator's list of the quotes a report will publish, with the segment id of each (Markdown).

    Kept in ``private/quotes/``, never published: the segment ids link a quote to its transcript.
    ``section`` is an ``analysis.themes.ThemeSection``; ``stale`` are withheld ids that match no
    segment any more, listed first so the evaluator withholds those quotes again.
    """
    lines = [
        f"# Quotes in the {cycle_id} report: read them before the report is shared",
        "",
        "Each quote is published exactly as shown below. If one could still tell a reader who spoke",
        "(a task only one role does, a detail of their life), add its segment id to the evaluation file",
        "under `privacy:` → `withheld_quotes:` and publish the cycle again: the next best sentence is",
        "quoted instead, and the report's method note counts the quotes you withheld.",
        "",
    ]
    if stale:
        lines += [
            "## Withheld ids that match no segment",
            "",
            "These ids under `withheld_quotes` match no segment of any cycle, so they withhold nothing.",
            "Their transcript was probably exported again, which gives its segments new ids: find the",
            "quotes below and withhold them again under their new ids.",
            "",
            *[f"- `{segment_id}`" for segment_id in stale],
            "",
        ]
    themes = getattr(section, "themes", ())
    for theme in themes:
        quotes = getattr(theme, "quotes", ())
        if not quotes:
            continue
        lines += [f"## {theme.label}", ""]
        lines += [f"- `{q.segment_id}` ({q.attribution}, {q.source_text}): \u201c{q.text}\u201d" for q in quotes]
        lines.append("")
    if not any(getattr(theme, "quotes", ()) for theme in themes):
        lines += ["No quote is published for this cycle.", ""]
    return "\n".join(lines)
