from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis import themes as themes_module
from analysis.themes import (
    QUOTE_CHARS,
    ROLE_PATTERNS,
    ThemeSection,
    deidentify,
    interview_coverage,
    marked,
    shorten,
    summarise_cycle_themes,
    summarise_themes,
)
from instruments.errors import InsufficientData
from instruments.evaluation import Code, Codebook, Cycle, Evaluation, Instrument, Role, Theme
from instruments.load import load_evaluation
from validation import privacy

K = 5

#: The pilot's roles: 3 PSWs, 3 counsellors and 2 managers pool to 8, at least k.
PILOT_ROLES = (
    Role(id="participant", label="Group participant"),
    Role(id="psw", label="Peer Support Worker", size=3),
    Role(id="counsellor", label="Counsellor", size=3),
    Role(id="manager", label="Program manager", size=2),
    Role(id="facilitator", label="Evaluation facilitator", size=1),
    Role(id="group", label="Consensus-building group"),
)
STAFF = frozenset({"psw", "counsellor", "manager"})

CODEBOOK = Codebook(
    themes=(
        Theme(id="role", label="A distinct role"),
        Theme(id="team", label="A cohesive team"),
        Theme(id="risk", label="Risks to manage"),
    ),
    codes=(
        Code(id="role-distinct", label="Distinct role", theme="role", definition="d"),
        Code(id="role-clarity", label="Role clarity", theme="role", definition="d"),
        Code(id="debrief", label="Debriefs", theme="team", definition="d"),
        Code(id="boundaries", label="Boundaries", theme="risk", definition="d"),
    ),
)

LONG = "The group felt different once we planned every session together before it started."


def _segments(rows: list[tuple[str, str, str, str]]) -> pd.DataFrame:
    """(source letter, source kind, speaker role, text) -> a Segments frame, one turn per row."""
    records = []
    for number, (source, kind, role, text) in enumerate(rows, start=1):
        source_id = source * 12
        records.append(
            {
                "segment_id": f"{source_id}-{number:04d}-01",
                "source_id": source_id,
                "instrument_id": "interview" if kind == "interview" else "consensus-session",
                "cycle_id": "cycle-1",
                "source_kind": kind,
                "turn": number,
                "position": 1,
                "speaker_role": role,
                "unit": "sentence",
                "text": text,
                "context": "",
            }
        )
    columns = ["segment_id", "source_id", "instrument_id", "cycle_id", "source_kind", "turn", "position"]
    columns += ["speaker_role", "unit", "text", "context"]
    return pd.DataFrame(records, columns=columns)


def _codings(pairs: Sequence[tuple[str, str, bool | None]]) -> pd.DataFrame:
    frame = pd.DataFrame(
        {
            "segment_id": [p[0] for p in pairs],
            "code_id": [p[1] for p in pairs],
            "reviewer_id": ["reconciled"] * len(pairs),
            "value": pd.array([p[2] for p in pairs], dtype="boolean"),
        }
    )
    return frame


def _summarise(codings: pd.DataFrame, segments: pd.DataFrame, **kwargs: object) -> ThemeSection:
    options: dict[str, object] = {"quotable_roles": STAFF, **kwargs}
    return summarise_themes(codings, segments, CODEBOOK, PILOT_ROLES, K, **options)  # type: ignore[arg-type]


def _seg(segments: pd.DataFrame, row: int) -> str:
    return str(segments["segment_id"].iloc[row])


# --- ordering, coverage and codes ------------------------------------------------------------


def test_themes_are_ordered_by_sources_then_codebook_order_with_counts_computed_independently() -> None:
    segments = _segments(
        [
            ("a", "interview", "psw", LONG),
            ("b", "interview", "counsellor", LONG),
            ("c", "interview", "manager", LONG),
            ("d", "consensus", "group", LONG),
            ("a", "interview", "psw", LONG),
        ]
    )
    codings = _codings(
        [
            (_seg(segments, 0), "debrief", True),
            (_seg(segments, 1), "debrief", True),
            (_seg(segments, 3), "debrief", True),
            (_seg(segments, 4), "debrief", False),
            (_seg(segments, 2), "role-clarity", True),
            (_seg(segments, 4), "role-distinct", True),
            (_seg(segments, 0), "role-distinct", None),
            (_seg(segments, 1), "boundaries", False),
        ]
    )
    section = _summarise(codings, segments)

    # Independently: which sources hold a present code of each theme.
    present = codings[codings["value"].fillna(False).astype(bool)]
    theme_of = {c.id: c.theme for c in CODEBOOK.codes}
    source_of = dict(zip(segments["segment_id"], segments["source_id"], strict=True))
    kind_of = dict(zip(segments["source_id"], segments["source_kind"], strict=True))
    expected: dict[str, set[str]] = {}
    for segment_id, code_id in zip(present["segment_id"], present["code_id"], strict=True):
        expected.setdefault(theme_of[code_id], set()).add(source_of[segment_id])
    order = [t.id for t in CODEBOOK.themes]
    expected_order = sorted(expected, key=lambda t: (-len(expected[t]), order.index(t)))

    assert [t.theme_id for t in section.themes] == expected_order == ["team", "role"]
    for theme in section.themes:
        assert theme.sources == len(expected[theme.theme_id])
        consensus = sum(kind_of[s] == "consensus" for s in expected[theme.theme_id])
        assert theme.consensus.text == f"{consensus} of 1 consensus-building session"
    assert section.interviews == 3
    assert section.consensus_sessions == 1
    role = section.themes[1]
    assert [(c.code_id, c.segments) for c in role.codes] == [("role-distinct", 1), ("role-clarity", 1)]
    assert section.not_raised == ("Risks to manage",)
    assert [c.code_id for c in section.unused_codes] == ["boundaries"]
    assert section.unused_codes[0].theme_label == "Risks to manage"


def test_coverage_line_reads_in_plain_language() -> None:
    segments = _segments([("a", "interview", "psw", LONG), ("d", "consensus", "group", LONG)])
    codings = _codings([(_seg(segments, 0), "debrief", True), (_seg(segments, 1), "debrief", True)])
    theme = _summarise(codings, segments).themes[0]
    assert theme.coverage_text == "Raised in at least one of the 1 interview and 1 of 1 consensus-building session."


@pytest.mark.parametrize(
    ("raised", "total", "text"),
    [
        (0, 3, "none of the 3 interviews"),
        (3, 3, "at least one of the 3 interviews"),
        (1, 3, "at least one of the 3 interviews"),
        (2, 9, "fewer than 5 of the 9 interviews"),
        (7, 9, "at least 5 of the 9 interviews"),
        (9, 9, "9 of 9 interviews"),
        (5, 10, "5 of 10 interviews"),
        (0, 1, "none of the 1 interview"),
    ],
)
def test_interview_counts_from_fewer_than_k_people_are_not_given_exactly(raised: int, total: int, text: str) -> None:
    assert interview_coverage(raised, total, K).text == text


def test_empty_codings_list_every_theme_as_not_raised() -> None:
    segments = _segments([("a", "interview", "psw", LONG)])
    section = _summarise(_codings([]), segments)
    assert section.themes == ()
    assert section.not_raised == tuple(t.label for t in CODEBOOK.themes)
    assert [c.code_id for c in section.unused_codes] == [c.id for c in CODEBOOK.codes]


def test_codings_of_unknown_segments_or_codes_are_refused_without_quoting_text() -> None:
    segments = _segments([("a", "interview", "psw", LONG)])
    with pytest.raises(InsufficientData) as unknown_segment:
        _summarise(_codings([("ffffffffffff-0001-01", "debrief", True)]), segments)
    assert str(unknown_segment.value) == (
        "final codings, column 'segment_id': 1 coded segment(s) are not among this cycle's segments, "
        "so the codings and the segments come from different runs.\n"
        "What to do: Run prepare-coding and import-coding again for this cycle, then publish it."
    )
    with pytest.raises(InsufficientData) as unknown_code:
        _summarise(_codings([(_seg(segments, 0), "not-a-code", True)]), segments)
    assert str(unknown_code.value) == (
        "final codings, column 'code_id': code(s) not-a-code are not in the evaluation's codebook, "
        "so their themes are unknown.\n"
        "What to do: Add the codes to the codebook in the evaluation file, or run import-coding again "
        "with the current codebook."
    )
    assert LONG not in str(unknown_segment.value) + str(unknown_code.value)


# --- quotes: choice and attribution ----------------------------------------------------------


def test_pilot_quotes_are_attributed_to_the_pooled_team_never_to_a_counsellor() -> None:
    segments = _segments(
        [
            ("a", "interview", "counsellor", "Having a second person in the room means I can watch the group closely."),
            ("b", "interview", "psw", "Having debriefs after each session kept me steady through the hardest weeks."),
            ("c", "interview", "facilitator", "What has it been like to bring your own story into the group room?"),
        ]
    )
    codings = _codings([(_seg(segments, n), "debrief", True) for n in range(3)])
    section = _summarise(codings, segments, max_quotes=3)
    quotes = section.themes[0].quotes
    assert {q.attribution for q in quotes} == {"a member of the pilot team"}
    assert len(quotes) == 2  # the facilitator asks the questions and is never quoted
    assert section.pooled_roles == ("Peer Support Worker", "Counsellor", "Program manager")
    assert "counsellor" not in " ".join(q.attribution for q in quotes).lower()


def test_a_role_group_of_at_least_k_is_named_and_a_large_unsized_group_too() -> None:
    roles = (Role(id="psw", label="Peer Support Worker", size=6), Role(id="participant", label="Group participant"))
    segments = _segments(
        [
            ("a", "interview", "psw", "Having debriefs after each session kept me steady through the hardest weeks."),
            ("b", "interview", "participant", "Hearing someone who had been there gave me hope that it gets easier."),
        ]
    )
    codings = _codings([(_seg(segments, 0), "debrief", True), (_seg(segments, 1), "debrief", True)])
    section = summarise_themes(codings, segments, CODEBOOK, roles, K, quotable_roles={"psw"})
    assert sorted(q.attribution for q in section.themes[0].quotes) == ["a group participant", "a peer support worker"]


def test_quotes_are_dropped_when_even_the_pooled_group_is_smaller_than_k() -> None:
    roles = (Role(id="counsellor", label="Counsellor", size=3), Role(id="manager", label="Program manager", size=1))
    segments = _segments(
        [("a", "interview", "counsellor", LONG), ("b", "interview", "manager", LONG), ("c", "consensus", "group", LONG)]
    )
    codings = _codings([(_seg(segments, n), "debrief", True) for n in range(3)])
    section = summarise_themes(codings, segments, CODEBOOK, roles, K, quotable_roles={"counsellor", "manager"})
    assert section.themes[0].quotes == ()  # "group" is not a role of this evaluation: not quoted either
    assert section.withheld_segments == 2
    assert section.pooled_roles == ()
    assert section.themes[0].sources == 3  # coverage still counts them


def test_quote_choice_prefers_self_contained_sentences_one_per_source_and_new_sources() -> None:
    good = "Debriefs after every session gave us a place to put what the group stirred up."
    segments = _segments(
        [
            ("a", "interview", "psw", "And that too."),
            ("a", "interview", "psw", good),
            ("a", "interview", "psw", "Every debrief helped me settle before going home, and I slept better for it."),
            ("b", "interview", "counsellor", "but it also meant the planning happened in the hallway most weeks"),
            ("c", "interview", "manager", "We now set aside twenty minutes after each group session for the team."),
        ]
    )
    codings = _codings(
        [(_seg(segments, n), "debrief", True) for n in range(5)] + [(_seg(segments, 1), "boundaries", True)]
    )
    section = _summarise(codings, segments)
    by_id = {t.theme_id: t for t in section.themes}
    assert [q.text for q in by_id["team"].quotes] == [good, segments["text"].iloc[4]]
    # The boundaries theme has only source a, already quoted, and the same segment is never reused.
    assert by_id["risk"].quotes == ()


def test_a_quote_the_evaluator_withheld_gives_way_to_the_next_best_and_is_counted() -> None:
    good = "Debriefs after every session gave us a place to put what the group stirred up."
    next_best = "Every debrief helped me settle before going home, and I slept better for it."
    segments = _segments(
        [("a", "interview", "psw", good), ("a", "interview", "psw", next_best), ("c", "interview", "manager", LONG)]
    )
    codings = _codings([(_seg(segments, n), "debrief", True) for n in range(3)])
    before = {t.theme_id: t for t in _summarise(codings, segments).themes}["team"]
    assert [q.text for q in before.quotes] == [good, LONG]
    assert [q.segment_id for q in before.quotes] == [_seg(segments, 0), _seg(segments, 2)]
    section = _summarise(codings, segments, withheld_quotes=[_seg(segments, 0), "not-a-segment-of-this-cycle"])
    after = {t.theme_id: t for t in section.themes}["team"]
    assert [q.text for q in after.quotes] == [next_best, LONG]
    assert section.withheld_by_evaluator == 1  # ids of other cycles are not counted
    assert "withheld 1 coded sentence; the next best was quoted instead" in section.method_note
    assert "The evaluator" not in _summarise(codings, segments).method_note


def test_quote_choice_is_deterministic_whatever_the_row_order() -> None:
    rows = [
        ("a", "interview", "psw", LONG),
        ("b", "interview", "counsellor", "Planning together before each session is what made the difference for us."),
        ("c", "consensus", "group", "The team agreed to protect twenty minutes after each group for a debrief."),
        ("d", "interview", "manager", "Debriefs are now part of the schedule rather than something we squeeze in."),
    ]
    segments = _segments(rows)
    codings = _codings([(_seg(segments, n), "debrief", True) for n in range(4)])
    first = _summarise(codings, segments)
    shuffled = _summarise(codings.sample(frac=1, random_state=3), segments.sample(frac=1, random_state=7))
    assert first == shuffled
    assert len(first.themes[0].quotes) == 2


# --- de-identification -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "text", "expected"),
    [
        ("self-statement", "I'm the counsellor, so I hold the plan.", "I'm [my role], so I hold the plan."),
        ("self-statement", "I work as a peer support worker here.", "I work as [my role] here."),
        ("self-statement", "I have been a PSW for two years.", "I have been [my role] for two years."),
        ("role-as", "In my role as program manager I see both sides.", "In my role as [my role] I see both sides."),
        ("role-as", "For me as a peer worker it was new.", "For me as [my role] it was new."),
        ("as-role-I", "As a peer support worker, I share my story.", "As [my role], I share my story."),
        ("as-role-I", "as the counsellor I step back", "as [my role] I step back"),
        ("own-group", "We counsellors worry about that.", "We [colleagues in my role] worry about that."),
        ("own-group", "My fellow PSWs agreed.", "My fellow [colleagues in my role] agreed."),
        ("others-like-me", "Other PSWs like me need time.", "[colleagues in my role] like me need time."),
        ("my-experience", "I use my lived experience in group.", "I use [personal experience] in group."),
        ("my-experience", "I drew on my own recovery journey.", "I drew on [personal experience]."),
        ("my-profession", "It sits badly with my clinical licence.", "It sits badly with [professional detail]."),
        ("my-profession", "My caseload did not change.", "[professional detail] did not change."),
        ("my-staff", "I told my staff about it.", "I told [management detail] about it."),
        (
            "my-family",
            "When I say I lost my dad, people sit up.",
            "When I say I lost [someone close to me], people sit up.",
        ),
        ("my-family", "My late husband would have liked it.", "[someone close to me] would have liked it."),
        ("my-family", "It was my grandmother's birthday.", "It was [someone close to me]'s birthday."),
    ],
)
def test_each_role_revealing_pattern_is_bracketed(name: str, text: str, expected: str) -> None:
    pattern = next(p for n, p, _ in ROLE_PATTERNS if n == name)
    assert pattern.search(text), name
    assert deidentify(text) == expected


def test_every_role_pattern_has_a_test_case() -> None:
    source = Path(__file__).read_text(encoding="utf-8")
    for name, _pattern, _replacement in ROLE_PATTERNS:
        assert f'("{name}",' in source, name


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "The counsellor leads, I bring the lived-experience examples.",
            "The counsellor leads, I bring the [personal experience] examples.",
        ),
        ("My part is the lived experience side.", "My part is the [personal experience] side."),
    ],
)
def test_lived_experience_in_a_first_person_quote_is_bracketed(text: str, expected: str) -> None:
    assert deidentify(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "The PSW helped the group open up.",
        "The counsellor leads the content and the peer worker adds examples.",
        "Their lived experience made the model make sense.",
        "Having the manager at the debrief changed the tone.",
        "A participant told us her dad had died in the spring.",
        "It felt like my brotherhood of colleagues.",
    ],
)
def test_third_person_mentions_of_a_role_are_kept(text: str) -> None:
    assert deidentify(text) == text


def test_the_evaluation_role_labels_are_recognised_too() -> None:
    assert deidentify("I am a Recovery Coach on this team.", role_labels=["Recovery coach"]) == (
        "I am [my role] on this team."
    )


def test_planted_identifiers_never_reach_a_quote() -> None:
    planted = "Riley Moreno said to write to riley.moreno@example.org or call 403-555-0199 via www.example.org/x today."
    segments = _segments([("a", "interview", "psw", planted)])
    codings = _codings([(_seg(segments, 0), "debrief", True)])
    section = _summarise(codings, segments, names=["Riley Moreno"])
    text = section.themes[0].quotes[0].text
    for identifier in ("Riley", "Moreno", "riley.moreno@example.org", "403-555-0199", "www.example.org"):
        assert identifier.lower() not in text.lower()
    assert re.findall(r"\[(\w+)\]", text) == ["name", "email", "phone", "link"]


def test_redaction_patterns_are_the_same_as_the_privacy_screen() -> None:
    for name in ("EMAIL", "LINK", "PHONE"):
        assert getattr(themes_module, name).pattern == getattr(privacy, name).pattern
        assert getattr(themes_module, name).flags == getattr(privacy, name).flags


def test_redaction_placeholders_stay_bracketed() -> None:
    assert deidentify("Ask [name] to send it to [email] later.") == "Ask [name] to send it to [email] later."


# --- from the evaluation ---------------------------------------------------------------------


def test_cycle_themes_take_roles_k_names_and_respondents_from_the_evaluation() -> None:
    evaluation = Evaluation(
        id="e",
        title="E",
        roles=PILOT_ROLES,
        instruments=(
            Instrument(id="interview", title="I", kind="interview", respondents=("psw", "counsellor", "manager")),
            Instrument(
                id="consensus-session", title="C", kind="consensus", respondents=("psw", "counsellor", "manager")
            ),
        ),
        codebook=CODEBOOK,
        cycles=(Cycle(id="cycle-1", title="C1"),),
        speakers={"Noor Haddad": "counsellor"},
    )
    segments = _segments(
        [("a", "interview", "counsellor", "Noor Haddad thinks the debriefs after each group should stay.")]
    )
    codings = _codings([(_seg(segments, 0), "debrief", True)])
    section = summarise_cycle_themes(evaluation, codings, segments)
    assert section.themes[0].quotes[0].text == "[name] thinks the debriefs after each group should stay."
    assert section.themes[0].quotes[0].attribution == "a member of the pilot team"
    assert section.k == 5


def test_consensus_notes_without_a_speaker_are_the_groups_notes() -> None:
    segments = _segments([("d", "consensus", "group", "The team agreed to protect twenty minutes after each group.")])
    codings = _codings([(_seg(segments, 0), "debrief", True)])
    quote = _summarise(codings, segments).themes[0].quotes[0]
    assert (quote.attribution, quote.source_text) == ("the group's notes", "in a consensus-building session")


def test_the_pilot_evaluation_never_names_a_small_role_group_in_an_attribution() -> None:
    evaluation = load_evaluation(Path(__file__).parents[2] / "examples" / "psw-pilot-3" / "evaluation.yaml")
    roles = [r.id for r in evaluation.roles if r.id != "group"]
    segments = _segments([(chr(ord("a") + n), "interview", role, LONG) for n, role in enumerate(roles)])
    code = evaluation.codebook.codes[0].id
    codings = _codings([(_seg(segments, n), code, True) for n in range(len(roles))])
    section = summarise_cycle_themes(evaluation, codings, segments, max_quotes=len(roles))
    attributions = sorted(q.attribution for q in section.themes[0].quotes)
    # psw, counsellor and manager pooled (3 + 3 + 2 = 8); participants unsized; the facilitator never quoted.
    assert attributions == ["a group participant", *["a member of the pilot team"] * 3]


def test_typographic_apostrophes_do_not_hide_a_self_statement() -> None:
    assert deidentify("I\u2019m the PSW in that group.") == "I\u2019m [my role] in that group."


# --- long quotes and properties ----------------------------------------------------------------


def test_a_long_quote_is_cut_after_whole_sentences_and_marked() -> None:
    first = "We agreed that debriefs come first, whatever else the week throws at the team."
    text = " ".join([first] * 3) + " " + "x" * 100
    assert shorten(text, 200) == f"{first} {first} [\u2026]"
    assert shorten("word " * 100, 20) == "word word word word [\u2026]"
    assert shorten("Short and sweet.\nOn two lines.") == "Short and sweet. On two lines."


def test_an_uncut_quote_is_preferred_to_a_cut_one() -> None:
    long = "Debriefs matter to all of us on the team and we keep them. " * 6
    short = "We kept every debrief this cycle, even in the busiest weeks of the spring."
    segments = _segments([("a", "interview", "psw", long), ("b", "interview", "counsellor", short)])
    codings = _codings([(_seg(segments, 0), "debrief", True), (_seg(segments, 1), "debrief", True)])
    quotes = _summarise(codings, segments).themes[0].quotes
    assert quotes[0].text == short
    assert quotes[1].text.endswith("[\u2026]")
    assert len(quotes[1].text) <= QUOTE_CHARS[1] + len(" [\u2026]")


_words = st.text(alphabet=st.characters(codec="ascii", categories=["L", "N", "Zs", "P"]), max_size=80)


@settings(max_examples=60, deadline=None)
@given(before=_words, after=_words)
def test_planted_identifiers_are_removed_whatever_surrounds_them(before: str, after: str) -> None:
    text = f"{before} Tamsin Achebe t.achebe@example.org (403) 555-0142 https://example.org/p {after}"
    out = deidentify(text, names=["Tamsin Achebe"])
    for identifier in ("Tamsin", "Achebe", "t.achebe@example.org", "555-0142", "example.org/p"):
        assert identifier not in out


_ROLES = ["psw", "counsellor", "manager", "facilitator", "group", "participant", "unknown"]


@settings(max_examples=40, deadline=None)
@given(
    rows=st.lists(
        st.tuples(st.sampled_from("abcdef"), st.sampled_from(_ROLES), st.sampled_from([c.id for c in CODEBOOK.codes])),
        max_size=25,
    ),
    seed=st.integers(0, 1000),
)
def test_attributions_are_only_pooled_or_large_groups_and_row_order_does_not_matter(
    rows: list[tuple[str, str, str]], seed: int
) -> None:
    segments = _segments(
        [(source, "consensus" if source == "f" else "interview", role, LONG) for source, role, _code in rows]
    )
    codings = _codings([(_seg(segments, n), code, True) for n, (_s, _r, code) in enumerate(rows)])
    section = _summarise(codings, segments, max_quotes=3)
    attributions = {q.attribution for t in section.themes for q in t.quotes}
    assert attributions <= {"a member of the pilot team", "the group's notes", "a group participant"}
    assert all(len(theme.quotes) <= 3 for theme in section.themes)
    shuffled = _summarise(
        codings.sample(frac=1, random_state=seed), segments.sample(frac=1, random_state=seed + 1), max_quotes=3
    )
    assert shuffled == section


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("We kept every debrief.", "We kept every debrief."),
        ("and I did not know what to", "[\u2026] and I did not know what to [\u2026]"),
        ("The counsellor leads and I bring the", "The counsellor leads and I bring the [\u2026]"),
        ("so it helped.", "[\u2026] so it helped."),
        ("[Name] said it helped.", "[Name] said it helped."),
        ("\u201cIt helped,\u201d she said.", "\u201cIt helped,\u201d she said."),
        ("Long enough. [\u2026]", "Long enough. [\u2026]"),
    ],
)
def test_a_quote_that_begins_or_ends_inside_a_sentence_is_marked(text: str, expected: str) -> None:
    assert marked(text) == expected


def test_a_whole_sentence_is_quoted_before_a_fragment_of_a_better_length() -> None:
    fragment = "and after the session I did not know what to do with all of what the group had said to"
    whole = "Debriefs helped me settle."
    segments = _segments([("a", "interview", "psw", fragment), ("a", "interview", "psw", whole)])
    codings = _codings([(_seg(segments, 0), "debrief", True), (_seg(segments, 1), "debrief", True)])
    assert [q.text for q in _summarise(codings, segments).themes[0].quotes] == [whole]


def test_a_sentence_split_across_caption_cues_is_quoted_whole_from_the_same_speaker() -> None:
    segments = _segments(
        [
            ("a", "interview", "psw", "And we had no time built in to talk after sessions, so small things"),
            ("a", "interview", "psw", "grew over the weeks."),
            ("a", "interview", "psw", "Later we fixed it."),
            ("b", "interview", "counsellor", "One participant handed me a note and I did not know what to"),
            ("b", "interview", "facilitator", "do you mean the phone number?"),
        ]
    )
    codings = _codings([(_seg(segments, 0), "debrief", True), (_seg(segments, 3), "debrief", True)])
    quotes = {q.segment_id: q.text for q in _summarise(codings, segments).themes[0].quotes}
    # Joined with the rest of its sentence (the next cue, lower case, same speaker).
    assert quotes[_seg(segments, 0)] == (
        "And we had no time built in to talk after sessions, so small things grew over the weeks."
    )
    # The next cue is someone else's: the fragment stays a fragment, and is marked as one.
    assert quotes[_seg(segments, 3)] == "One participant handed me a note and I did not know what to [\u2026]"
