"""What people told us: themes from a cycle's final codings, with coverage and safe quotes.

A theme is *raised* in a source (an interview or the notes of a consensus session) when any of
its codes is present (``value`` true) on any segment of that source in the final codings. Themes
are listed by how many sources raised them, then in codebook order; themes nobody raised and
codes nobody used are listed too, so the team sees the gaps.

Privacy (research/pdsa_de.md §5.3-5.4), in the order it is applied:

* **Who can be quoted.** Only speakers whose role answers a qualitative instrument (the
  ``respondents`` of the interviews and consensus sessions) or whose role has no size (counted as
  a large group, e.g. participants and the consensus group's notes). The evaluation facilitator
  asks the questions and is never quoted; turns of an unknown speaker are never quoted.
* **Attribution.** By role only when the role group has at least ``k`` members. The quotable
  roles below ``k`` are pooled under one label ("a member of the pilot team"); if even the pooled
  group is below ``k``, their segments are **dropped** as quotes (not shown unattributed: with
  so few possible speakers the words themselves can point to a person). Never "a counsellor"
  when there are fewer than ``k`` counsellors.
* **Coverage counts.** An interview is one person, so "raised in x of n interviews" is a figure
  about people: it is given exactly only when ``x`` is 0 or when both ``x`` and ``n - x`` are 0 or
  at least ``k``; otherwise it is given as "at least one of n" (fewer than ``k`` interviews) or
  "fewer than k of n" / "at least k of n". A consensus session records a group's discussion, so
  sessions are counted exactly. Segment counts per code count sentences, not people.
* **Inside a quote.** Text is redacted again with the placeholders of ``validation.privacy``
  (e-mail, link, phone, known names), in case anything unredacted reached this far, and the
  role-revealing phrases in :data:`ROLE_PATTERNS` are replaced by bracketed descriptors. Third-
  person mentions of a role ("the PSW helped the group") are kept: they describe someone else,
  not the speaker. These patterns cannot catch every clue (e.g. "I hold the clinical risk"); an
  evaluator reads the quotes before the report is shared.

Consensus notes written without a speaker (role ``group``, given by ingest) are attributed to
"the group's notes".

Quote choice is deterministic: from the segments coded with the theme, at most one per source,
sources not yet quoted for an earlier theme first, then self-contained sentences, then those of
:data:`QUOTE_CHARS` length (longer ones are cut after whole sentences, marked "[…]", and come
after uncut ones), then fewer brackets, then segment id. A segment that a caption cue ended
mid-sentence runs on into the same speaker's next cues to the end of its sentence; a quote that
still begins or ends inside a sentence is marked "[…]" there.

The module is longer than most (about 590 lines) because choosing a quote and making it safe to
publish are one decision: splitting them would let a caller take one without the other.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from itertools import pairwise

import pandas as pd

from instruments.errors import InsufficientData
from instruments.evaluation import Codebook, Evaluation, Role

#: The same patterns as ``validation.privacy`` (a test keeps them in step; analysis may not
#: import validation). Applied again to every quote, replaced by the same placeholders.
EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}")
LINK = re.compile(r"\b(?:https?://|www\.)[^\s\"'<>()\[\]]+", re.IGNORECASE)
PHONE = re.compile(r"(?<!\w)(?:\+?1[\s.-]?)?(?:\(\d{3}\)|\d{3})[\s.-]?\d{3}[\s.-]?\d{4}(?!\w)")

#: Words that name a staff role, besides the evaluation's own role labels.
ROLE_WORDS: tuple[str, ...] = (
    "peer support workers?",
    "peer support staff",
    "peer workers?",
    "peer supporters?",
    "peer staff",
    "peers?",
    "PSWs?",
    "counsell?ors?",
    "therapists?",
    "clinicians?",
    "social workers?",
    "program(?:me)? managers?",
    "managers?",
    "supervisors?",
    "team leads?",
    "co-?facilitators?",
    "facilitators?",
)

#: Possessions that reveal the speaker's role: lived experience (peer worker), clinical licence
#: and caseload (counsellor), staff and budget (manager).
_PERSONAL = r"(?:own\s+)?(?:lived[- ]experiences?|recovery(?:\s+journey)?|own\s+(?:story|life|loss|grief|experience))"
_PROFESSIONAL = r"(?:own\s+)?(?:caseload|clients|clinical\s+\w+|licen[cs]e|registration|degree|credentials)"
_MANAGEMENT = r"(?:staff|direct\s+reports|budget|PSWs|counsell?ors|team\s+leads?)"
#: People whose loss or illness a speaker might name: in a grief or bereavement program, "my dad"
#: says whose bereavement it is, and the team or group knows whose that is.
_CLOSE = (
    r"(?:dad|father|mum|mom|mother|parents?|son|daughter|kids?|child(?:ren)?|baby|husband|wife|partner|"
    r"spouse|fianc[eé]e?|brother|sister|siblings?|twin|grand(?:mother|father|ma|pa|parents?|son|daughter|child)|"
    r"aunt|uncle|cousin|nephew|niece|best\s+friend|friend)"
)


def _role_alternatives(labels: Iterable[str]) -> str:
    words = [re.escape(label).replace(r"\ ", r"\s+") + "s?" for label in labels if label.strip()]
    return "(?:" + "|".join(sorted({*words, *ROLE_WORDS}, key=len, reverse=True)) + ")"


def role_patterns(labels: Iterable[str] = ()) -> tuple[tuple[str, re.Pattern[str], str], ...]:
    """The role-revealing phrases bracketed in quotes: (name, pattern, replacement).

    ``labels`` are the evaluation's role labels, matched like the built-in :data:`ROLE_WORDS`.
    Only the role part of a phrase is replaced, so the sentence still reads.
    """
    role = _role_alternatives(labels)
    article = r"(?:a|an|the|our|one\s+of\s+the)\s+"
    return (
        # "I'm the counsellor", "I work as a PSW", "I've been a peer worker for years"
        (
            "self-statement",
            re.compile(
                r"\b(I\s+am|I['\u2019]m|I\s+was|I['\u2019]ve\s+been|I\s+have\s+been|I\s+work\s+as|I\s+worked\s+as|"
                r"I\s+started\s+as|I\s+joined\s+as)\s+(?:" + article + r")?" + role + r"\b",
                re.IGNORECASE,
            ),
            r"\1 [my role]",
        ),
        # "my role as the PSW", "me as a counsellor", "myself as a manager"
        (
            "role-as",
            re.compile(
                r"\b(my\s+(?:role|job|work|position)\s+as|me\s+as|myself\s+as)\s+(?:" + article + r")?" + role + r"\b",
                re.IGNORECASE,
            ),
            r"\1 [my role]",
        ),
        # "As a peer support worker, I ...", "as the counsellor I ..."
        (
            "as-role-I",
            re.compile(r"\b(as)\s+" + article + role + r"(?=,?\s+(?:I|myself|my)\b)", re.IGNORECASE),
            r"\1 [my role]",
        ),
        # "we counsellors", "us PSWs", "my fellow peer workers"
        (
            "own-group",
            re.compile(r"\b(we|us|my\s+fellow|fellow)\s+" + role + r"\b", re.IGNORECASE),
            r"\1 [colleagues in my role]",
        ),
        # "other counsellors like me", "PSWs like me"
        (
            "others-like-me",
            re.compile(r"\b(?:other\s+)?" + role + r"\s+like\s+me\b", re.IGNORECASE),
            "[colleagues in my role] like me",
        ),
        # "my lived experience", "my own recovery", "my own story"
        ("my-experience", re.compile(r"\bmy\s+" + _PERSONAL + r"\b", re.IGNORECASE), "[personal experience]"),
        # "my caseload", "my clinical licence"
        ("my-profession", re.compile(r"\bmy\s+" + _PROFESSIONAL + r"\b", re.IGNORECASE), "[professional detail]"),
        # "my staff", "my direct reports", "my PSWs"
        ("my-staff", re.compile(r"\bmy\s+" + _MANAGEMENT + r"\b", re.IGNORECASE), "[management detail]"),
        # "I lost my dad", "my sister's suicide": in a small team or group, whose loss it was is known
        ("my-family", re.compile(r"\bmy\s+(?:late\s+)?" + _CLOSE + r"\b", re.IGNORECASE), "[someone close to me]"),
    )


#: "lived experience" in a first-person quote ("I bring the lived-experience examples") points
#: to a peer worker even without "my"; bracketed whenever the quote speaks in the first person.
LIVED_EXPERIENCE = re.compile(r"\blived[- ]experiences?\b", re.IGNORECASE)
FIRST_PERSON = re.compile(r"\b(?:I|[Mm]e|[Mm]y|[Mm]yself)\b")  # "I" also starts "I'm", "I've", "I'd"

#: The pilot's default patterns, for documentation and tests.
ROLE_PATTERNS = role_patterns()

#: The role ingest gives to consensus notes written without a speaker: the group's own words.
GROUP_ROLE = "group"

#: A quote of this many characters reads on its own without overwhelming the page.
QUOTE_CHARS = (60, 280)

#: First words that lean on what came before ("And ...", "That was ...", "They ...").
_LEANING = re.compile(
    r"^(?:and|but|so|or|because|also|then|that|this|these|those|it|they|them|he|she|which|yes|no|"
    r"yeah|well|same|right|exactly)\b",
    re.IGNORECASE,
)
_BRACKET = re.compile(r"\[[^\]]*\]")


@dataclass(frozen=True)
class CodeUse:
    code_id: str
    label: str
    segments: int


@dataclass(frozen=True)
class Coverage:
    """How many sources of one kind raised a theme, in words safe to publish."""

    kind: str  # "interview" | "consensus"
    total: int
    text: str  # e.g. "at least one of the 3 interviews", "1 of 1 consensus session"
    cell: str  # the same, short, for the table: "at least 1 of 3", "1 of 1"


@dataclass(frozen=True)
class Quote:
    text: str
    attribution: str  # e.g. "a member of the pilot team"
    source_kind: str  # "interview" | "consensus"
    #: For the evaluator's review list only (``private/``); never rendered in a report.
    segment_id: str = ""

    @property
    def source_text(self) -> str:
        return "in an interview" if self.source_kind == "interview" else "in a consensus-building session"


@dataclass(frozen=True)
class ThemeSummary:
    theme_id: str
    label: str
    sources: int  # exact number of sources that raised it: for ordering only, never printed
    interviews: Coverage
    consensus: Coverage
    codes: tuple[CodeUse, ...]
    quotes: tuple[Quote, ...]

    @property
    def coverage_text(self) -> str:
        """ "Raised in at least one of the 3 interviews and 1 of 1 consensus-building session." """
        parts = [c.text for c in (self.interviews, self.consensus) if c.total]
        return "Raised in " + " and ".join(parts) + "." if parts else ""


@dataclass(frozen=True)
class UnusedCode:
    code_id: str
    label: str
    theme_label: str


@dataclass(frozen=True)
class ThemeSection:
    themes: tuple[ThemeSummary, ...]  # raised, most sources first
    not_raised: tuple[str, ...]  # labels of themes no source raised
    unused_codes: tuple[UnusedCode, ...]
    interviews: int
    consensus_sessions: int
    k: int
    pooled_label: str
    withheld_segments: int  # coded segments never quoted because the speaker's role group is too small
    pooled_roles: tuple[str, ...]  # labels of the roles attributed under the pooled label
    withheld_by_evaluator: int = 0  # coded segments the evaluator withheld after reading them

    @property
    def sources_text(self) -> str:
        """What the themes rest on, e.g. "... in 3 interviews and the notes of 1 consensus-building session"."""
        parts = []
        if self.interviews:
            parts.append(f"{self.interviews} {_plural(self.interviews, 'interview', 'interviews')}")
        if self.consensus_sessions:
            noun = _plural(self.consensus_sessions, "consensus-building session", "consensus-building sessions")
            parts.append(f"the notes of {self.consensus_sessions} {noun}")
        if not parts:
            return "No interview or consensus-building session was coded in this cycle."
        return (
            f"These themes come from what two reviewers coded in {' and '.join(parts)}. "
            "The themes raised in the most interviews and sessions come first."
        )

    @property
    def method_note(self) -> str:
        """How quotes were chosen and de-identified, and how counts were protected."""
        roles = list(self.pooled_roles)
        named = ", ".join(roles[:-1]) + " and " + roles[-1] if len(roles) > 1 else "".join(roles)
        lines = [
            "Quotes come from the sentences the reviewers coded under each theme: at most one per interview "
            "or session, preferring sources not yet quoted and sentences that stand on their own. "
            "[\u2026] marks where a quote was shortened, or begins or ends inside a sentence.",
            f"A quote names a role only when at least {self.k} people hold it.",
        ]
        if roles:
            lines.append(
                f"Fewer than {self.k} people hold each of these roles: {named}; so their words are "
                f"attributed together to \u201c{self.pooled_label}\u201d."
            )
        if self.withheld_segments:
            lines.append(
                f"{self.withheld_segments} coded {_plural(self.withheld_segments, 'sentence was', 'sentences were')}"
                f" not quoted because fewer than {self.k} people could have said"
                f" {_plural(self.withheld_segments, 'it', 'them')}."
            )
        if self.withheld_by_evaluator:
            n = self.withheld_by_evaluator
            lines.append(
                f"The evaluator read the quotes before publishing and withheld {n} coded "
                f"{_plural(n, 'sentence', 'sentences')}; the next best {_plural(n, 'was', 'were')} quoted instead."
            )
        lines.append(
            "Words that could show who spoke (their own role, lived experience, caseload or staff, the people "
            "close to them) are replaced by a description in [square brackets], as are names, e-mail addresses, "
            "phone numbers and links."
        )
        lines.append(
            "Each interview is one person, so the number of interviews that raised a theme is given exactly "
            f"only when it, and the number that did not, are each 0 or at least {self.k}."
        )
        return " ".join(lines)


def _plural(count: int, one: str, many: str) -> str:
    return one if count == 1 else many


def interview_coverage(raised: int, total: int, k: int) -> Coverage:
    """ "x of n interviews", given exactly only when no count of 1 to k-1 people can be read from it."""
    noun = _plural(total, "interview", "interviews")
    if raised == 0:
        return Coverage("interview", total, f"none of the {total} {noun}", f"0 of {total}")
    rest = total - raised
    if raised >= k and (rest == 0 or rest >= k):
        return Coverage("interview", total, f"{raised} of {total} {noun}", f"{raised} of {total}")
    if total < k:
        return Coverage("interview", total, f"at least one of the {total} {noun}", f"at least 1 of {total}")
    if raised < k:
        return Coverage("interview", total, f"fewer than {k} of the {total} {noun}", f"fewer than {k} of {total}")
    return Coverage("interview", total, f"at least {k} of the {total} {noun}", f"at least {k} of {total}")


def consensus_coverage(raised: int, total: int) -> Coverage:
    noun = _plural(total, "consensus-building session", "consensus-building sessions")
    return Coverage("consensus", total, f"{raised} of {total} {noun}", f"{raised} of {total}")


def deidentify(text: str, names: Iterable[str] = (), role_labels: Iterable[str] = ()) -> str:
    """The quote as published: identifying text replaced by the redaction placeholders, then
    role-revealing phrases by bracketed descriptors (see :func:`role_patterns`)."""
    for kind, pattern in (("email", EMAIL), ("link", LINK), ("phone", PHONE)):
        text = pattern.sub(f"[{kind}]", text)
    parts = {name.strip() for name in names} | {p for name in names for p in re.split(r"[\s'-]+", name) if len(p) >= 3}
    parts.discard("")
    if parts:
        alternatives = "|".join(sorted((re.escape(p) for p in parts), key=len, reverse=True))
        text = re.sub(r"\b(?:" + alternatives + r")\b", "[name]", text, flags=re.IGNORECASE)
    for _name, pattern, replacement in role_patterns(role_labels):
        text = pattern.sub(replacement, text)
    if FIRST_PERSON.search(_BRACKET.sub("", text)):
        text = LIVED_EXPERIENCE.sub("[personal experience]", text)
    return text


def _attributions(
    roles: Sequence[Role], quotable: Collection[str], k: int, pooled_label: str
) -> tuple[dict[str, str], tuple[str, ...]]:
    """Role id → attribution for every role that may be quoted; small roles pooled or left out."""
    result: dict[str, str] = {}
    small = [r for r in roles if r.id in quotable and r.size is not None and r.size < k]
    for role in roles:
        if role.size is None or (role.id in quotable and role.size >= k):
            label = " ".join(w if w.isupper() and len(w) > 1 else w.lower() for w in role.label.split())
            result[role.id] = ("an " if label[:1] in "aeiou" else "a ") + label
    if GROUP_ROLE in result:
        result[GROUP_ROLE] = "the group's notes"
    pooled: tuple[str, ...] = ()
    if small and sum(r.size or 0 for r in small) >= k:
        pooled = tuple(r.label for r in small)
        result.update({r.id: pooled_label for r in small})
    return result, pooled


#: Marks where a long quote was cut.
CUT = " [\u2026]"


def shorten(text: str, limit: int = QUOTE_CHARS[1]) -> str:
    """A quote of at most ``limit`` characters (plus :data:`CUT`): its leading whole sentences
    when at least one fits, otherwise its leading words."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    kept = ""
    for sentence in re.split(r"(?<=[.!?])\s+", text):
        if len(kept) + len(sentence) + 1 > limit:
            break
        kept = f"{kept} {sentence}".strip()
    if not kept:
        kept = text[: limit + 1].rsplit(" ", 1)[0] if " " in text[:limit] else text[:limit]
    return kept + CUT


#: What a sentence that stands on its own ends with.
_SENTENCE_END = ".!?\"'\u201d"


def _quote_key(text: str, source_quoted: bool, segment_id: str) -> tuple[bool, bool, bool, bool, int, str]:
    """Quotes sort best first: from a source not yet quoted, a sentence that stands on its own,
    of a readable length, whole, with the fewest bracketed replacements."""
    low, high = QUOTE_CHARS
    cut = text.endswith(CUT)
    stripped = text.removesuffix(CUT).strip()
    standalone = (
        bool(stripped)
        and bool(re.match(r"^[A-Z\[]", stripped))
        and stripped[-1:] in _SENTENCE_END
        and not _LEANING.match(stripped)
    )
    return (
        source_quoted,
        not standalone,
        not low <= len(stripped) <= high,
        cut,
        len(_BRACKET.findall(stripped)),
        segment_id,
    )


def marked(text: str) -> str:
    """A quote as printed: "[…]" where it begins or ends inside a sentence.

    A transcript's caption cue can end in the middle of a sentence; a quote taken from it says
    so rather than pass a fragment off as all that was said.
    """
    body = text.removesuffix(CUT)
    if body and not re.match(r"^[A-Z0-9\[\"'\u201c]", body):
        text = f"{CUT.strip()} {text}"
    if body and not text.endswith(CUT) and body[-1] not in _SENTENCE_END:
        text += CUT
    return text


def summarise_themes(
    final_codings: pd.DataFrame,
    segments: pd.DataFrame,
    codebook: Codebook,
    roles: Sequence[Role],
    k: int,
    *,
    quotable_roles: Collection[str],
    names: Iterable[str] = (),
    max_quotes: int = 2,
    pooled_label: str = "a member of the pilot team",
    withheld_quotes: Collection[str] = (),
) -> ThemeSection:
    """The themes of one cycle, from its final codings (``Codings``) and segments (``Segments``).

    ``quotable_roles`` are the roles that answer the interviews and consensus sessions (roles
    without a size are always quotable); ``names`` are the names to redact again (the
    evaluation's :meth:`~instruments.evaluation.Evaluation.names_to_redact`);
    ``withheld_quotes`` are segment ids the evaluator will not see quoted.
    """
    code_theme = {c.id: c.theme for c in codebook.codes}
    present = final_codings[final_codings["value"].fillna(False).astype(bool)]
    unknown_codes = sorted(set(present["code_id"]) - set(code_theme))
    if unknown_codes:
        raise InsufficientData(
            "final codings, column 'code_id'",
            f"code(s) {', '.join(unknown_codes)} are not in the evaluation's codebook, so their themes are unknown.",
            "Add the codes to the codebook in the evaluation file, or run import-coding again with the "
            "current codebook.",
        )
    unknown_segments = set(present["segment_id"]) - set(segments["segment_id"])
    if unknown_segments:
        raise InsufficientData(
            "final codings, column 'segment_id'",
            f"{len(unknown_segments)} coded segment(s) are not among this cycle's segments, so the codings "
            "and the segments come from different runs.",
            "Run prepare-coding and import-coding again for this cycle, then publish it.",
        )
    by_segment = segments.set_index("segment_id")
    coded = present.assign(
        theme_id=present["code_id"].map(code_theme),
        source_id=present["segment_id"].map(by_segment["source_id"]),
    )
    kinds = segments.drop_duplicates("source_id").set_index("source_id")["source_kind"]
    interviews = int((kinds == "interview").sum())
    sessions = int((kinds == "consensus").sum())
    attribution, pooled = _attributions(roles, {*quotable_roles}, k, pooled_label)
    role_labels = [r.label for r in roles]
    names = tuple(names)

    summaries = []
    order = {t.id: n for n, t in enumerate(codebook.themes)}
    for theme in codebook.themes:
        rows = coded[coded["theme_id"] == theme.id]
        if rows.empty:
            continue
        raised = kinds[sorted(set(rows["source_id"]))]
        counts = rows.groupby("code_id")["segment_id"].nunique()
        codes = tuple(
            CodeUse(c.id, c.label, int(counts[c.id]))
            for c in codebook.codes
            if c.theme == theme.id and c.id in counts.index
        )
        summaries.append(
            (
                theme,
                len(raised),
                interview_coverage(int((raised == "interview").sum()), interviews, k),
                consensus_coverage(int((raised == "consensus").sum()), sessions),
                codes,
                sorted(set(rows["segment_id"])),
            )
        )
    summaries.sort(key=lambda s: (-s[1], order[s[0].id]))

    following = _following_segments(segments)

    def continued(segment_id: str) -> str:
        """The segment's text, run on into the speaker's next segments while its sentence goes on.

        A caption cue can end mid-sentence ("so small things" | "grew."): the quote then takes
        the rest of the sentence from the following cues of the same speaker, at most two.
        """
        text = str(by_segment.loc[segment_id, "text"]).strip()
        role = by_segment.loc[segment_id, "speaker_role"]
        current = segment_id
        for _ in range(2):
            if not text or text[-1] in _SENTENCE_END or len(text) > QUOTE_CHARS[1]:
                break
            current = following.get(current, "")
            if not current or by_segment.loc[current, "speaker_role"] != role:
                break
            nxt = str(by_segment.loc[current, "text"]).strip()
            if not nxt[:1].islower():
                break  # a new sentence, not the rest of this one
            text = f"{text} {nxt}"
        return text

    quoted_sources: set[str] = set()
    quoted_segments: set[str] = set()
    withheld: set[str] = set()
    by_evaluator = {*withheld_quotes} & set(coded["segment_id"])
    themes = []
    for theme, sources, interview_cov, consensus_cov, codes, segment_ids in summaries:
        candidates = []
        for segment_id in segment_ids:
            segment = by_segment.loc[segment_id]
            role = str(segment["speaker_role"])
            if role not in attribution:
                if role in quotable_roles:
                    withheld.add(segment_id)
                continue
            if segment_id in quoted_segments or segment_id in by_evaluator:
                continue
            text = shorten(deidentify(continued(segment_id), names, role_labels))
            source = str(segment["source_id"])
            candidates.append((_quote_key(text, source in quoted_sources, segment_id), source, segment_id, text, role))
        candidates.sort()
        best: dict[str, tuple[tuple[bool, bool, bool, bool, int, str], str, str, str, str]] = {}
        for candidate in candidates:
            best.setdefault(candidate[1], candidate)
        quotes = []
        for _key, source, segment_id, text, role in sorted(best.values())[:max_quotes]:
            quotes.append(Quote(marked(text), attribution[role], str(kinds[source]), segment_id))
            quoted_sources.add(source)
            quoted_segments.add(segment_id)
        themes.append(ThemeSummary(theme.id, theme.label, sources, interview_cov, consensus_cov, codes, tuple(quotes)))

    used = set(coded["code_id"])
    labels = {t.id: t.label for t in codebook.themes}
    return ThemeSection(
        themes=tuple(themes),
        not_raised=tuple(t.label for t in codebook.themes if t.id not in {s.theme_id for s in themes}),
        unused_codes=tuple(UnusedCode(c.id, c.label, labels[c.theme]) for c in codebook.codes if c.id not in used),
        interviews=interviews,
        consensus_sessions=sessions,
        k=k,
        pooled_label=pooled_label,
        withheld_segments=len(withheld),
        pooled_roles=pooled,
        withheld_by_evaluator=len(by_evaluator),
    )


def _following_segments(segments: pd.DataFrame) -> dict[str, str]:
    """Each segment id's next segment in the same source (by turn, then position)."""
    ordered = segments.sort_values(["source_id", "turn", "position"], kind="stable")
    following: dict[str, str] = {}
    for _, rows in ordered.groupby("source_id", sort=False):
        ids = rows["segment_id"].astype(str).tolist()
        following.update(pairwise(ids))
    return following


def summarise_cycle_themes(
    evaluation: Evaluation, final_codings: pd.DataFrame, segments: pd.DataFrame, *, max_quotes: int = 2
) -> ThemeSection:
    """:func:`summarise_themes` with everything it needs taken from the evaluation."""
    quotable = {role for i in evaluation.instruments if i.kind in ("interview", "consensus") for role in i.respondents}
    return summarise_themes(
        final_codings,
        segments,
        evaluation.codebook,
        evaluation.roles,
        evaluation.privacy.k,
        quotable_roles=quotable,
        names=evaluation.names_to_redact(),
        max_quotes=max_quotes,
        withheld_quotes=evaluation.privacy.withheld_quotes,
    )
