"""Agreement at scale: evalcycle's contingency-table statistics against krippendorff and scikit-learn.

Case B (research note §5): 2 reviewers x 100,000 segments x 40 present/absent codes, every
per-code coefficient and the pooled rows, no intervals; the baselines compute alpha
(``krippendorff.alpha``, nominal) and kappa (``sklearn.metrics.cohen_kappa_score``) one code at
a time in the same run. Case A: 2 reviewers x 200,000 units, one nominal variable with 30
categories; krippendorff builds a units x values x values array there, so it runs in a child
process with an address-space cap and its peak memory is read back from the child.
"""

from __future__ import annotations

import json
import resource
import statistics
import subprocess
import sys
import time
import tracemalloc
from collections.abc import Callable
from typing import TypeVar

import numpy as np
import numpy.typing as npt

from analysis import coefficients as co
from analysis.agreement import codes_agreement, pooled_agreement
from analysis.contingency import binary_counts, nominal_table

SEED = 20240601
RATIO_FLOOR = 20.0
DIFFERENCE_CEILING = 1e-9
CHILD_CAP_BYTES = 10 * 2**30
T = TypeVar("T")

_CHILD = """
import json, resource, sys, time
import numpy as np
import krippendorff
cap = int(sys.argv[1])
resource.setrlimit(resource.RLIMIT_AS, (cap, cap))
rng = np.random.default_rng(int(sys.argv[2]))
units, k = 200_000, 30
a = rng.integers(0, k, units)
b = np.where(rng.random(units) < 0.7, a, rng.integers(0, k, units))
data = np.vstack([a, b]).astype(float)
start = time.perf_counter()
try:
    value = krippendorff.alpha(data, level_of_measurement="nominal", value_domain=list(range(k)))
    outcome = {"alpha": float(value)}
except MemoryError:
    outcome = {"alpha": None}
outcome["seconds"] = time.perf_counter() - start
outcome["peak_rss_mib"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps(outcome))
"""


def _timed(function: Callable[[], T], repeats: int = 1) -> tuple[T, float]:
    times, result = [], None
    for _ in range(repeats):
        start = time.perf_counter()
        result = function()
        times.append(time.perf_counter() - start)
    assert result is not None
    return result, statistics.median(times)


def _peak_mib(function: Callable[[], object]) -> float:
    tracemalloc.start()
    function()
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak / 2**20


def _codings(units: int, codes: int) -> tuple[npt.NDArray[np.int8], npt.NDArray[np.int8]]:
    rng = np.random.default_rng(SEED)
    prevalence = rng.uniform(0.01, 0.30, codes)
    a = (rng.random((units, codes)) < prevalence).astype(np.int8)
    b = np.where(rng.random((units, codes)) < 0.05, 1 - a, a).astype(np.int8)
    return a, b


def _ours(a: npt.NDArray[np.int8], b: npt.NDArray[np.int8]) -> tuple[list[float], list[float]]:
    counts = binary_counts(a, b)
    results = codes_agreement(counts, [f"code {i}" for i in range(len(counts))], level=None)
    pooled_agreement(counts, level=None)
    alphas = [r["alpha"].value for r in results]
    kappas = [r["kappa"].value for r in results]
    assert all(v is not None for v in alphas + kappas)
    return [float(v or 0.0) for v in alphas], [float(v or 0.0) for v in kappas]


def _binary_case() -> bool:
    import krippendorff
    from sklearn.metrics import cohen_kappa_score

    units, codes = 100_000, 40
    a, b = _codings(units, codes)
    (alphas, kappas), ours = _timed(lambda: _ours(a, b), repeats=5)
    peak = _peak_mib(lambda: _ours(a, b))
    columns = [np.vstack([a[:, c], b[:, c]]).astype(float) for c in range(codes)]
    reference_alpha, kripp = _timed(
        lambda: [krippendorff.alpha(m, level_of_measurement="nominal", value_domain=[0, 1]) for m in columns]
    )
    reference_kappa, sk = _timed(lambda: [cohen_kappa_score(a[:, c], b[:, c]) for c in range(codes)])
    alpha_diff = float(np.max(np.abs(np.subtract(alphas, reference_alpha))))
    kappa_diff = float(np.max(np.abs(np.subtract(kappas, reference_kappa))))
    print(f"Case B: 2 reviewers x {units:,} segments x {codes} codes (all coefficients + pooled, no intervals)")
    print(f"  evalcycle (median of 5)        {ours * 1e3:9.1f} ms   peak traced memory {peak:6.1f} MiB")
    print(f"  krippendorff.alpha x{codes}          {kripp * 1e3:9.1f} ms   -> {kripp / ours:7.1f}x slower")
    print(f"  sklearn cohen_kappa_score x{codes}   {sk * 1e3:9.1f} ms   -> {sk / ours:7.1f}x slower")
    print(f"  max |alpha - krippendorff| {alpha_diff:.2e}   max |kappa - sklearn| {kappa_diff:.2e}")
    ok = kripp / ours >= RATIO_FLOOR and max(alpha_diff, kappa_diff) <= DIFFERENCE_CEILING
    print(
        f"  floor: >= {RATIO_FLOOR:.0f}x krippendorff and difference <= {DIFFERENCE_CEILING:g}: "
        f"{'met' if ok else 'MISSED'}"
    )
    return ok


def _nominal_case() -> bool:
    units, k = 200_000, 30
    rng = np.random.default_rng(SEED)
    a = rng.integers(0, k, units)
    b = np.where(rng.random(units) < 0.7, a, rng.integers(0, k, units))

    def ours() -> tuple[float, float]:
        table = nominal_table(a, b, k)
        return co.krippendorff_alpha(table), co.cohen_kappa(table)

    (alpha, kappa), seconds = _timed(ours, repeats=5)
    peak = _peak_mib(ours)
    tensor = units * k * k * 8 / 2**20
    print(f"Case A: 2 reviewers x {units:,} units, one nominal variable with {k} categories")
    print(f"  evalcycle alpha {alpha:.6f}, kappa {kappa:.6f}: {seconds * 1e3:.2f} ms, peak traced {peak:.1f} MiB")
    print(f"  krippendorff's units x values x values float64 array alone: {tensor:,.0f} MiB")
    child = subprocess.run(
        [sys.executable, "-c", _CHILD, str(CHILD_CAP_BYTES), str(SEED)],
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )
    if child.returncode != 0:
        print(f"  krippendorff child failed (cap {CHILD_CAP_BYTES / 2**30:.0f} GiB): {child.stderr.strip()[-300:]}")
        return False
    found = json.loads(child.stdout.strip().splitlines()[-1])
    if found["alpha"] is None:
        print(
            f"  krippendorff.alpha ran out of its {CHILD_CAP_BYTES / 2**30:.0f} GiB cap after {found['seconds']:.1f} s"
        )
        return True
    diff = abs(float(found["alpha"]) - alpha)
    print(
        f"  krippendorff.alpha (child, cap {CHILD_CAP_BYTES / 2**30:.0f} GiB): {found['seconds']:.2f} s, "
        f"peak RSS {found['peak_rss_mib']:,.0f} MiB, |difference| {diff:.2e}"
    )
    return diff <= DIFFERENCE_CEILING


def main() -> None:
    binary_ok = _binary_case()
    nominal_ok = _nominal_case()
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"  this process peak RSS (data + baselines included): {rss:,.0f} MiB")
    if not (binary_ok and nominal_ok):
        raise SystemExit("bench_agreement: a floor was missed (see above)")
