"""The privacy screen: anonymous sources stay anonymous (research §4, pdsa_de §5.3).

These are explicit function calls that always run; they never depend on pandera's
``PANDERA_VALIDATION_ENABLED`` switch, which can turn contract checks off process-wide.

* Identifying columns (e-mail, name, IP address, ...) refuse an anonymous survey when they hold
  any value; they are never stored, whatever the survey.
* Respondent ids become tokens: an HMAC of the id under the evaluation's secret salt, so the
  same person gets the same token across re-imports but the token cannot be joined to anything.
* Free text and transcripts are redacted of e-mail addresses, phone numbers, links and known
  names, with the same bracketed placeholder each time.
"""

from __future__ import annotations

import binascii
import hashlib
import hmac
import importlib
import re
import secrets
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

import numpy as np
import pyarrow as pa  # type: ignore[import-untyped]

from instruments.atomic import write_text_atomic
from instruments.errors import Failure, PrivacyViolation
from validation.grid import per_value_list
from validation.survey_export import SurveyExport

EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}")
LINK = re.compile(r"\b(?:https?://|www\.)[^\s\"'<>()\[\]]+", re.IGNORECASE)
PHONE = re.compile(r"(?<!\w)(?:\+?1[\s.-]?)?(?:\(\d{3}\)|\d{3})[\s.-]?\d{3}[\s.-]?\d{4}(?!\w)")


def respondent_token(respondent_id: str, salt: str) -> str:
    """A stable token for a platform respondent id that cannot be turned back into it."""
    digest = hmac.new(salt.encode("utf-8"), respondent_id.encode("utf-8"), hashlib.sha256)
    return "r-" + digest.hexdigest()[:16]


_BLOCK = hashlib.sha256().block_size
_TOKEN_LENGTH = len("r-") + 16
_INNER_PAD = bytes(x ^ 0x36 for x in range(256))
_OUTER_PAD = bytes(x ^ 0x5C for x in range(256))


def _builtin_sha256() -> Callable[[bytes], Any]:
    """CPython's own SHA-256 if the interpreter has it, else OpenSSL's (the same digests).

    Copying the built-in one's state is a plain memory copy; OpenSSL's copy, through its
    provider layer, costs more than hashing a short id.
    """
    try:
        return cast(Callable[[bytes], Any], importlib.import_module("_sha256").sha256)
    except ImportError:  # pragma: no cover - an interpreter built without it
        return hashlib.sha256


_SHA256 = _builtin_sha256()


def token_numbers(respondent_ids: Iterable[str], salt: str) -> np.ndarray:
    """The number each id's token spells: the first 8 bytes of its HMAC-SHA256 under ``salt``.

    An unsigned 64-bit integer per id; :func:`token_texts` writes it as the token
    (``"r-"`` and 16 hex digits). The HMAC (RFC 2104) is spelled out so that the salt's two
    padded hash states are computed once and copied for each id.
    """
    key = salt.encode("utf-8")
    if len(key) > _BLOCK:
        key = hashlib.sha256(key).digest()
    key = key.ljust(_BLOCK, b"\0")
    copy_inner, copy_outer = _SHA256(key.translate(_INNER_PAD)).copy, _SHA256(key.translate(_OUTER_PAD)).copy
    digests: list[bytes] = []
    append = digests.append
    for data in map(str.encode, respondent_ids):
        step = copy_inner()
        step.update(data)
        final = copy_outer()
        final.update(step.digest())
        append(final.digest())
    # Each 32-byte digest is four big-endian 64-bit words; the token keeps the first.
    return np.frombuffer(b"".join(digests), dtype=">u8")[::4].astype(np.uint64)


def token_texts(numbers: np.ndarray) -> np.ndarray:
    """The token each :func:`token_numbers` number spells (``"r-"`` and its 16 hex digits), as Python strings."""
    digits = np.frombuffer(binascii.hexlify(np.asarray(numbers, dtype=">u8").tobytes()), dtype=np.uint8)
    spelled = np.empty((len(numbers), _TOKEN_LENGTH), dtype=np.uint8)
    spelled[:, :2] = np.frombuffer(b"r-", dtype=np.uint8)
    spelled[:, 2:] = digits.reshape(len(numbers), 16)
    offsets = np.arange(0, _TOKEN_LENGTH * (len(numbers) + 1), _TOKEN_LENGTH, dtype=np.int64)
    texts = pa.LargeStringArray.from_buffers(len(numbers), pa.py_buffer(offsets), pa.py_buffer(spelled))
    return cast(np.ndarray, texts.to_numpy(zero_copy_only=False))


def respondent_tokens(respondent_ids: Sequence[str], salt: str) -> list[str]:
    """:func:`respondent_token` of each id, at a fraction of the cost for a whole export."""
    return cast(list[str], token_texts(token_numbers(respondent_ids, salt)).tolist())


#: Values platforms write into identifying columns of anonymous responses (MS Forms, Qualtrics
#: legacy in German): they identify nobody.
ANONYMOUS_PLACEHOLDERS = frozenset({"anonymous", "anonym", "anonyme", "anonimo", "anónimo", "n/a"})


def _identifies(value: object) -> bool:
    text = str(value).strip()
    return bool(text) and text.casefold() not in ANONYMOUS_PLACEHOLDERS


def refuse_identifying_columns(export: SurveyExport, file: str, *, anonymous: bool) -> None:
    """Refuse an anonymous survey whose identifying columns hold any value."""
    if not anonymous:
        return
    failures = []
    for column in export.identifying.columns:
        holds = per_value_list(export.identifying[column], _identifies)  # once per distinct value
        filled = [export.file_rows[position] for position in np.flatnonzero(holds.astype(bool))]
        if filled:
            rows = ", ".join(str(row) for row in filled[:10]) + (" ..." if len(filled) > 10 else "")
            failures.append(
                Failure(
                    rule="privacy.identifying-column",
                    problem=f"column {column!r} holds a value in {len(filled)} response(s) (rows {rows})",
                    column=column,
                    row=filled[0],
                )
            )
    if failures:
        columns = ", ".join(repr(f.column) for f in failures)
        raise PrivacyViolation(
            f"{file}, column {columns}" if len(failures) == 1 else f"{file}, columns {columns}",
            "this survey is anonymous, but the export holds data that could identify a respondent.",
            "Export the survey again without these columns (turn on the platform's anonymous "
            "responses, or leave the contact and network fields out of the export) and put the new "
            "file in the inbox. The refused file stays in quarantine and is not used.",
            rule="privacy.identifying-column",
            failures=tuple(failures),
        )


@dataclass
class Redactor:
    """Replaces identifying text with placeholders, counting what it replaced (for the log)."""

    names: Iterable[str] = ()
    counts: Counter[str] = field(default_factory=Counter)

    def __post_init__(self) -> None:
        parts = set()
        for name in self.names:
            parts.add(name.strip())
            parts.update(p for p in re.split(r"[\s'-]+", name) if len(p) >= 3)
        alternatives = sorted((re.escape(p) for p in parts if p), key=len, reverse=True)
        self._name_pattern = (
            re.compile(r"\b(?:" + "|".join(alternatives) + r")\b", re.IGNORECASE) if alternatives else None
        )

    def redact(self, text: str) -> str:
        text, found = self.scrub(text)
        for kind, count in found:
            self.counts[kind] += count
        return text

    def scrub(self, text: str) -> tuple[str, tuple[tuple[str, int], ...]]:
        """``text`` redacted, and how many of each kind were replaced; nothing is counted yet.

        A caller that redacts each distinct text once adds the counts times its occurrences.
        """
        found = []
        for kind, pattern in (("email", EMAIL), ("link", LINK), ("phone", PHONE)):
            text, count = pattern.subn(f"[{kind}]", text)
            found.append((kind, count))
        if self._name_pattern is not None:
            text, count = self._name_pattern.subn("[name]", text)
            found.append(("name", count))
        return text, tuple(found)


def load_or_create_salt(private_dir: Path) -> str:
    """The workspace's secret salt for respondent tokens, created once and then kept.

    It lives under ``private/``, never under ``published/``; losing it only means that
    re-imported responses get new tokens.
    """
    path = private_dir / "token_salt"
    if path.exists():
        return path.read_text("utf-8").strip()
    salt = secrets.token_hex(32)
    write_text_atomic(path, salt + "\n")
    return salt
