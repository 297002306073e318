"""The "What people told us" section of a cycle report, as an HTML fragment."""

from __future__ import annotations

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
