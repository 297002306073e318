from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import jinja2
import pandas as pd

from analysis.themes import CodeUse, Coverage, Quote, ThemeSection, ThemeSummary, UnusedCode, summarise_themes
from instruments.evaluation import Code, Codebook, Role, Theme

TEMPLATES = Path(__file__).parents[2] / "reports" / "templates"

#: How the integrator includes the partial in the cycle report.
INCLUDE = '{% with themes=section %}{% include "_themes.html.j2" %}{% endwith %}'


def _render(section: ThemeSection) -> str:
    environment = jinja2.Environment(
        loader=jinja2.ChoiceLoader([jinja2.DictLoader({"page.html.j2": INCLUDE}), jinja2.FileSystemLoader(TEMPLATES)]),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
    )
    return environment.get_template("page.html.j2").render(section=section)


class _Text(HTMLParser):
    """The visible text of each element we look for, and the ids used."""

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[str] = []
        self.found: dict[str, list[str]] = {}
        self.ids: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.stack.append(tag)
        self.found.setdefault(tag, []).append("")
        self.ids += [value or "" for name, value in attrs if name == "id"]

    def handle_endtag(self, tag: str) -> None:
        self.stack.pop()

    def handle_data(self, data: str) -> None:
        for tag in self.stack:
            self.found[tag][-1] += data


def _parse(html: str) -> _Text:
    parser = _Text()
    parser.feed(html)
    return parser


def _words(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def _section(quote_text: str = "Debriefs after every session gave us a place to put what we heard.") -> ThemeSection:
    return ThemeSection(
        themes=(
            ThemeSummary(
                theme_id="team",
                label="A cohesive team",
                sources=4,
                interviews=Coverage("interview", 3, "at least one of the 3 interviews", "at least 1 of 3"),
                consensus=Coverage("consensus", 1, "1 of 1 consensus-building session", "1 of 1"),
                codes=(CodeUse("debrief", "Debriefs", 4), CodeUse("team-communication", "Team communication", 1)),
                quotes=(Quote(quote_text, "a member of the pilot team", "interview"),),
            ),
            ThemeSummary(
                theme_id="risk",
                label="Risks to manage",
                sources=1,
                interviews=Coverage("interview", 3, "none of the 3 interviews", "0 of 3"),
                consensus=Coverage("consensus", 1, "1 of 1 consensus-building session", "1 of 1"),
                codes=(CodeUse("boundaries", "Boundaries", 1),),
                quotes=(),
            ),
        ),
        not_raised=("Barriers to implementation",),
        unused_codes=(UnusedCode("barrier-workload", "Competing workload", "Barriers to implementation"),),
        interviews=3,
        consensus_sessions=1,
        k=5,
        pooled_label="a member of the pilot team",
        withheld_segments=0,
        pooled_roles=("Peer Support Worker", "Counsellor", "Program manager"),
    )


def test_partial_renders_each_theme_with_coverage_codes_and_quotes() -> None:
    page = _parse(_render(_section()))
    assert page.found["h2"] == ["What people told us"]
    assert page.found["h3"][:2] == ["A cohesive team", "Risks to manage"]
    paragraphs = [_words(p) for p in page.found["p"]]
    assert "Raised in at least one of the 3 interviews and 1 of 1 consensus-building session." in paragraphs
    assert "Raised in none of the 3 interviews and 1 of 1 consensus-building session." in paragraphs
    assert [_words(li) for li in page.found["li"]][:3] == [
        "Debriefs (coded 4 times)",
        "Team communication (coded 1 time)",
        "Boundaries (coded 1 time)",
    ]
    assert [_words(q) for q in page.found["blockquote"]] == [
        "Debriefs after every session gave us a place to put what we heard."
    ]
    assert page.found["cite"] == ["a member of the pilot team"]
    assert _words(page.found["figcaption"][0]) == "— a member of the pilot team, in an interview"
    assert any(p.startswith("No quote is shown for this theme") for p in paragraphs)


def test_partial_has_a_captioned_coverage_table_and_lists_the_gaps() -> None:
    page = _parse(_render(_section()))
    assert page.found["caption"] == ["Where each theme was raised, by kind of source"]
    assert page.found["th"] == [
        "Theme",
        "Interviews",
        "Consensus-building sessions",
        "A cohesive team",
        "Risks to manage",
    ]
    assert page.found["td"] == ["at least 1 of 3", "1 of 1", "0 of 3", "1 of 1"]
    assert "Not raised in this cycle" in page.found["h3"]
    assert "Barriers to implementation" in [_words(li) for li in page.found["li"]]
    assert "Competing workload (theme: Barriers to implementation)" in [_words(li) for li in page.found["li"]]
    assert "How quotes were chosen" in page.found["h3"]
    assert len(page.ids) == len(set(page.ids))


def test_method_note_explains_pooling_and_brackets() -> None:
    page = _parse(_render(_section()))
    note = _words(page.found["p"][-1])
    assert "Fewer than 5 people hold each of these roles: Peer Support Worker, Counsellor and Program manager;" in note
    assert "\u201ca member of the pilot team\u201d" in note
    assert "[square brackets]" in note


def test_quote_text_is_escaped() -> None:
    html = _render(_section("She said <script>alert(1)</script> & left the group before the debrief ended."))
    assert "<script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; left" in html


def test_partial_says_so_when_nothing_was_coded() -> None:
    segments = pd.DataFrame(
        {
            "segment_id": ["aaaaaaaaaaaa-0001-01"],
            "source_id": ["aaaaaaaaaaaa"],
            "instrument_id": ["interview"],
            "cycle_id": ["cycle-1"],
            "source_kind": ["interview"],
            "turn": [1],
            "position": [1],
            "speaker_role": ["psw"],
            "unit": ["sentence"],
            "text": ["Anything at all."],
            "context": [""],
        }
    )
    codings = pd.DataFrame({"segment_id": [], "code_id": [], "reviewer_id": [], "value": pd.array([], dtype="boolean")})
    codebook = Codebook(
        themes=(Theme(id="team", label="A cohesive team"),),
        codes=(Code(id="debrief", label="Debriefs", theme="team", definition="d"),),
    )
    roles = (Role(id="psw", label="Peer Support Worker", size=3),)
    page = _parse(_render(summarise_themes(codings, segments, codebook, roles, 5, quotable_roles={"psw"})))
    paragraphs = [_words(p) for p in page.found["p"]]
    assert "These themes come from what two reviewers coded in 1 interview." in paragraphs[0]
    assert "No coded sentences have been reconciled for this cycle yet, so no theme can be reported." in paragraphs
    assert "caption" not in page.found
    assert [_words(li) for li in page.found["li"]] == ["A cohesive team", "Debriefs (theme: A cohesive team)"]


def test_while_coding_is_unfinished_the_section_says_what_to_run() -> None:
    from reports.themes_section import coding_pending_section

    html = str(coding_pending_section("cycle-2"))
    assert '<h2 id="themes">What people told us</h2>' in html
    assert "make import-coding CYCLE=cycle-2" in html
    assert "<blockquote" not in html
    # The cycle id is escaped like any other text.
    assert "&lt;b&gt;" in str(coding_pending_section("<b>"))


def test_the_quote_review_lists_each_quote_with_its_segment_id_and_any_stale_withheld_id() -> None:
    from dataclasses import replace

    from reports.themes_section import quote_review

    section = _section("We plan together on Monday.")
    theme = replace(
        section.themes[0], quotes=(replace(section.themes[0].quotes[0], segment_id="abc123abc123-0004-01"),)
    )
    section = replace(section, themes=(theme, *section.themes[1:]))
    review = quote_review(section, "cycle-2")
    assert review.startswith("# Quotes in the cycle-2 report")
    assert "## A cohesive team" in review
    assert (
        "- `abc123abc123-0004-01` (a member of the pilot team, in an interview): \u201cWe plan together on Monday.\u201d"
        in review
    )
    assert "Risks to manage" not in review  # a theme without a quote has nothing to review
    assert "match no segment" not in review
    stale = quote_review(section, "cycle-2", ["0123456789ab-0001-01"])
    assert "## Withheld ids that match no segment" in stale
    assert "- `0123456789ab-0001-01`" in stale
    assert stale.index("match no segment") < stale.index("## A cohesive team")
