"""Turning a file's bytes into text, strictly: never guess an encoding silently."""

from __future__ import annotations

from instruments.errors import UnreadableFile

_UTF8_BOM = b"\xef\xbb\xbf"
_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")


def decode_text(data: bytes, name: str) -> str:
    """Decode UTF-8 (with or without a byte-order mark); refuse anything else with a fix."""
    if data.startswith(_UTF16_BOMS):
        raise UnreadableFile(
            name,
            "the file is saved as UTF-16 ('Unicode text'), which evalcycle does not read.",
            "Export or save the file again as 'CSV UTF-8' (or UTF-8 text) and put it back in the inbox.",
            rule="encoding.utf16",
        )
    try:
        text = data.removeprefix(_UTF8_BOM).decode("utf-8", errors="strict")
    except UnicodeDecodeError as err:
        raise UnreadableFile(
            f"{name}, byte {err.start + 1}",
            "the file is not UTF-8 text (it was probably saved by Excel as 'CSV' in a Windows encoding).",
            "Export or save the file again as 'CSV UTF-8' and put it back in the inbox.",
            rule="encoding.not-utf8",
        ) from None
    if b"\r" not in data:
        return text  # most exports already end lines with \n alone: no need to scan the text twice
    return text.replace("\r\n", "\n").replace("\r", "\n")


def utf8_of(data: bytes, text: str) -> bytes:
    """The UTF-8 bytes of ``text`` as :func:`decode_text` made it from ``data``, re-encoding only if needed.

    When the file had no byte-order mark and no carriage return, the text is the file's bytes
    decoded unchanged, so those bytes are its encoding: a 25 MB export is not encoded again.
    """
    if b"\r" not in data and not data.startswith(_UTF8_BOM):
        return data
    return text.encode("utf-8")
