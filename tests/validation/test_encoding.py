"""The UTF-8 bytes handed to the CSV parser are always those of the decoded text."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from validation.encoding import decode_text, utf8_of


@given(
    st.text(alphabet=st.characters(exclude_categories=["Cs"]), max_size=60),
    st.sampled_from([b"", b"\xef\xbb\xbf"]),
    st.sampled_from(["\n", "\r\n", "\r"]),
)
def test_the_bytes_given_for_a_decoded_text_are_its_utf8(body: str, mark: bytes, line_end: str) -> None:
    data = mark + body.replace("\n", line_end).encode("utf-8")
    text = decode_text(data, "x.csv")
    assert utf8_of(data, text) == text.encode("utf-8")


def test_an_unchanged_file_is_its_own_encoding_and_is_not_copied() -> None:
    data = "Q1,Q2\nAgree,Stärk\n".encode()
    assert utf8_of(data, decode_text(data, "x.csv")) is data
