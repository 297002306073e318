"""The quarantine: a refused file is kept, untouched, beside a report saying what to fix.

``quarantine/<sha256>/`` holds the original bytes under their original name, ``REFUSED.md``
(plain language, for the evaluator) and ``failures.csv`` (one line per failing place).
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path

from instruments.atomic import write_bytes_atomic, write_text_atomic
from instruments.errors import InputRefused

FAILURE_COLUMNS = ("file", "row", "column", "cell", "rule", "problem")


@dataclass(frozen=True)
class QuarantinedFile:
    folder: Path
    report: Path
    failures: Path


def refusal_report(name: str, sha256: str, error: InputRefused) -> str:
    """The ``REFUSED.md`` text for a refused file."""
    lines = [
        f"# Refused: {name}",
        "",
        f"- **Where:** {error.where}",
        f"- **What is wrong:** {error.problem}",
        f"- **Rule:** `{error.rule}`",
        f"- **What to do:** {error.action}",
        "",
        f"The file is kept unchanged in this folder (SHA-256 `{sha256}`); nothing from it was stored or published.",
        f"`failures.csv` lists {len(error.failures)} failing place(s), one per line.",
        "",
    ]
    return "\n".join(lines)


def failures_csv(name: str, error: InputRefused) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=FAILURE_COLUMNS, lineterminator="\n")
    writer.writeheader()
    for failure in error.failures:
        writer.writerow(failure.as_row(name))
    return buffer.getvalue()


def quarantine(data: bytes, name: str, sha256: str, error: InputRefused, quarantine_dir: Path) -> QuarantinedFile:
    """Keep the refused file and its report in ``quarantine_dir/<sha256>/`` (idempotent)."""
    folder = quarantine_dir / sha256
    original = folder / Path(name).name
    if not original.exists():
        write_bytes_atomic(original, data)
    report = folder / "REFUSED.md"
    failures = folder / "failures.csv"
    write_text_atomic(report, refusal_report(name, sha256, error))
    write_text_atomic(failures, failures_csv(name, error))
    return QuarantinedFile(folder, report, failures)
