"""The benchmarks still run: each on a small input, once, checking the figures it prints."""

from __future__ import annotations

import re

import pytest

from bench import bench_ingest


def test_the_ingest_bench_times_all_three_sides_and_prints_both_ratios(capsys: pytest.CaptureFixture[str]) -> None:
    bench_ingest.main(rows=300, repeats=1)
    out = capsys.readouterr().out
    for label in ("pyarrow raw CSV parse (baseline)", "evalcycle land+read+screen+store", "required steps alone"):
        assert re.search(rf"^{re.escape(label)}.*\d", out, re.MULTILINE), label
    stored = int(re.search(r"long rows stored: ([\d,]+)", out).group(1).replace(",", ""))  # type: ignore[union-attr]
    # 300 responses, 8 ratings and one choice each; comments only where the phrase is not blank.
    assert 300 * 9 <= stored <= 300 * 10
    assert "baseline rows parsed: 300" in out
    assert re.search(r"required steps: land [\d.]+ s, Arrow parse [\d.]+ s, a token per response [\d.]+ s, store", out)
    assert re.search(r"^ratio ours/baseline: \d+\.\d{3} \(floor 0\.333: (met|NOT met)\)$", out, re.MULTILINE)
    assert re.search(r"^ratio of the required steps alone/baseline: \d+\.\d{3} ", out, re.MULTILINE)
