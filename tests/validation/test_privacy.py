from __future__ import annotations

import hashlib
import random
import secrets
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.conftest import REPOSITORY
from validation import privacy
from validation.privacy import (
    Redactor,
    load_or_create_salt,
    respondent_token,
    respondent_tokens,
    token_numbers,
    token_texts,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("mail me: a.b+c@mail.example.ca", "mail me: [email]"),
        ("403-555-0199 or (587) 555 0123 or +1 403.555.0100", "[phone] or [phone] or [phone]"),
        ("see www.example.org/page and http://x.org", "see [link] and [link]"),
        ("Riley said hi to riley and MORENO", "[name] said hi to [name] and [name]"),
        ("the year 2026 and room 12", "the year 2026 and room 12"),
    ],
)
def test_redaction_replaces_identifiers_with_placeholders(text: str, expected: str) -> None:
    assert Redactor(names=["Riley Moreno"]).redact(text) == expected


def test_redaction_does_not_touch_parts_of_other_words() -> None:
    assert Redactor(names=["Al Kim"]).redact("Also kimchi for Al Kim") == "Also kimchi for [name]"


@given(st.text(max_size=200))
def test_redacted_text_never_contains_an_email_address(text: str) -> None:
    redacted = Redactor().redact(text + " someone@example.org")
    assert "someone@example.org" not in redacted


def test_tokens_are_stable_short_and_salted() -> None:
    assert respondent_token("R_abc", "s1") == respondent_token("R_abc", "s1")
    assert respondent_token("R_abc", "s1") != respondent_token("R_abc", "s2")
    assert respondent_token("R_abc", "s1").startswith("r-")
    assert len(respondent_token("R_abc", "s1")) == 18


@given(st.lists(st.text(max_size=30), max_size=8), st.text(max_size=100))
def test_the_tokens_of_a_whole_export_are_the_token_of_each_id(ids: list[str], salt: str) -> None:
    # Salts of more than 64 bytes are hashed first (RFC 2104); the strategy reaches them.
    assert respondent_tokens(ids, salt) == [respondent_token(i, salt) for i in ids]


@given(st.lists(st.text(max_size=40), max_size=12), st.text(max_size=100))
def test_token_numbers_spell_the_reference_hmac_tokens_with_either_sha256(ids: list[str], salt: str) -> None:
    reference = [respondent_token(i, salt) for i in ids]
    numbers = token_numbers(ids, salt)
    assert numbers.dtype == np.uint64
    assert token_texts(numbers).tolist() == reference
    assert [f"r-{int(n):016x}" for n in numbers] == reference
    builtin = privacy._SHA256
    try:
        privacy._SHA256 = hashlib.sha256  # OpenSSL's, as on an interpreter without the built-in one
        assert token_texts(token_numbers(ids, salt)).tolist() == reference
    finally:
        privacy._SHA256 = builtin


def test_a_whole_export_of_ids_gets_the_reference_tokens() -> None:
    rng = random.Random(11)
    ids = [f"R_{rng.getrandbits(60):015x}" for _ in range(3000)] + ["", "Ünïcode id", "R_" + "x" * 80]
    for salt in ("salt", secrets.token_hex(32), "s" * 65):
        assert respondent_tokens(ids, salt) == [respondent_token(i, salt) for i in ids]


def test_scrubbing_redacts_like_redact_and_leaves_the_counting_to_the_caller() -> None:
    redactor = Redactor(names=["Riley Moreno"])
    text = "Riley: mail a@b.org or a@b.org, call 403-555-0199"
    assert redactor.scrub(text) == (
        redactor.redact(text),
        (("email", 2), ("link", 0), ("phone", 1), ("name", 1)),
    )
    assert redactor.counts == {"email": 2, "link": 0, "phone": 1, "name": 1}


def test_the_workspace_salt_is_created_once_and_then_kept(tmp_path: Path) -> None:
    first = load_or_create_salt(tmp_path)
    assert len(first) == 64
    assert load_or_create_salt(tmp_path) == first


def test_the_privacy_screen_runs_even_with_pandera_validation_switched_off(tmp_path: Path) -> None:
    script = (
        "from instruments.load import load_evaluation\n"
        "from instruments.errors import PrivacyViolation\n"
        "from tests.exports import PARTICIPANT_QUESTIONS, qualtrics_csv\n"
        "from validation.intake import accept\n"
        "ev = load_evaluation(__import__('pathlib').Path('examples/psw-pilot/evaluation.yaml'))\n"
        "data = qualtrics_csv(PARTICIPANT_QUESTIONS, [{'Q1_1': 'Agree', 'IPAddress': '10.0.0.1'}])\n"
        "try:\n"
        "    accept(data, 'pf.csv', '0'*12, ev, 'cycle-1', 'salt')\n"
        "except PrivacyViolation as e:\n"
        "    print('refused', e.rule)\n"
    )
    env = {"PANDERA_VALIDATION_ENABLED": "False", "PATH": "/usr/bin:/bin"}
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=REPOSITORY, env=env, capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "refused privacy.identifying-column"
