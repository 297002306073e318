"""Run a cycle's whole-table quality suites with great-expectations and summarise the results.

:func:`run_quality_checks` validates each table's suite (``validation/quality_suites.py``) in a
great-expectations file context under ``gx_root``, builds GX's Data Docs into
``docs_dir/great-expectations/`` and writes our own offline summary page beside them
(``validation/data_docs.py``). It returns a :class:`QualityReport`: per table and check, whether
it held, the observed figure and how many rows broke it, never the values of those rows.

great-expectations takes seconds to import, so it is imported inside the function only; importing
this module stays cheap. Failed checks do not raise: the tables are already valid row by row, and
what a failed check means is for the evaluator to judge (``docs/data-quality.md``).
"""

from __future__ import annotations

import contextlib
import functools
import math
import operator
import os
import threading
import time
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlparse
from urllib.request import url2pathname

import numpy as np
import pandas as pd

from instruments.evaluation import Evaluation
from validation.data_docs import GX_SITE_FOLDER, offline_gx_site, write_summary_pages
from validation.quality_suites import TABLES, Check, QualitySuite, quality_suites

SITE_NAME = "evalcycle"


@dataclass(frozen=True)
class CheckOutcome:
    """How one check went. Holds counts and figures only, never a value from the table."""

    table: str
    suite: str
    key: str
    expectation: str
    column: str | None
    condition: str
    explains: str
    success: bool
    #: False when GX could not evaluate the check at all (e.g. the column is missing).
    evaluated: bool
    observed: float | None
    unexpected_count: int | None
    unexpected_percent: float | None


@dataclass(frozen=True)
class SuiteOutcome:
    """One suite run: the table it describes, how many rows GX saw, and each check's outcome."""

    suite: str
    table: str
    rows: int
    checks: tuple[CheckOutcome, ...]
    #: GX's page for this run of the suite, if GX wrote one.
    gx_page: Path | None = None

    @property
    def success(self) -> bool:
        return all(check.success for check in self.checks)


@dataclass(frozen=True)
class QualityReport:
    """The quality of one cycle's validated tables, for the run summary and a Prefect artifact."""

    cycle_id: str
    suites: tuple[SuiteOutcome, ...]
    summary_page: Path
    index_page: Path
    gx_index_page: Path

    @property
    def success(self) -> bool:
        return all(suite.success for suite in self.suites)

    @property
    def failures(self) -> tuple[CheckOutcome, ...]:
        return tuple(check for suite in self.suites for check in suite.checks if not check.success)

    def rows(self) -> list[dict[str, str | int | float | None]]:
        """One flat row per check, e.g. for ``prefect.artifacts.create_table_artifact``."""
        return [
            {
                "table": check.table,
                "suite": check.suite,
                "check": check.key,
                "expectation": check.expectation,
                "column": check.column,
                "rows": check.condition or "all",
                "result": "passed" if check.success else "FAILED",
                "observed": check.observed,
                "unexpected_count": check.unexpected_count,
                "unexpected_percent": check.unexpected_percent,
                "meaning": check.explains,
            }
            for suite in self.suites
            for check in suite.checks
        ]


def run_quality_checks(
    tables: Mapping[str, pd.DataFrame],
    evaluation: Evaluation,
    cycle_id: str,
    gx_root: Path,
    docs_dir: Path,
) -> QualityReport:
    """Check ``tables`` (name → validated frame) of one cycle as wholes, and publish Data Docs.

    ``gx_root`` holds GX's own project folder (``gx_root/gx/``); ``docs_dir`` receives
    ``index.html``, ``cycles/<cycle_id>.html`` and GX's site in ``great-expectations/``.
    Nothing is written anywhere else. Raises ``ValueError`` for a cycle the evaluation does not
    define or a table name without a suite.
    """
    return run_quality_checks_of_cycles({cycle_id: tables}, evaluation, gx_root, docs_dir)[0]


def run_quality_checks_of_cycles(
    tables_by_cycle: Mapping[str, Mapping[str, pd.DataFrame]],
    evaluation: Evaluation,
    gx_root: Path,
    docs_dir: Path,
) -> tuple[QualityReport, ...]:
    """:func:`run_quality_checks` for several cycles in one great-expectations run (in the given order).

    One GX context and one build of the Data Docs serve every cycle: GX's set-up and its page
    rendering cost seconds each time, far more than the checks themselves.
    """
    known = evaluation.cycle_ids()
    for cycle_id in tables_by_cycle:
        if cycle_id not in known:
            raise ValueError(f"cycle {cycle_id!r} is not a cycle of evaluation {evaluation.id!r} ({', '.join(known)})")
    suites = {cycle_id: quality_suites(tables, evaluation, cycle_id) for cycle_id, tables in tables_by_cycle.items()}
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
    docs_dir.mkdir(parents=True, exist_ok=True)
    runs = _validate(suites, gx_root, docs_dir / GX_SITE_FOLDER)
    offline_gx_site(docs_dir / GX_SITE_FOLDER)
    reports = []
    for cycle_id, cycle_suites in suites.items():
        outcomes = tuple(
            SuiteOutcome(suite.name, suite.table, len(suite.frame), _outcomes(suite, run.results), run.page)
            for suite, run in zip(cycle_suites, runs[cycle_id], strict=True)
        )
        report = QualityReport(
            cycle_id=cycle_id,
            suites=outcomes,
            summary_page=docs_dir / "cycles" / f"{cycle_id}.html",
            index_page=docs_dir / "index.html",
            gx_index_page=docs_dir / GX_SITE_FOLDER / "index.html",
        )
        write_summary_pages(report, docs_dir)
        reports.append(report)
    return tuple(reports)


def check_stored_cycles(
    validated_dir: Path, evaluation: Evaluation, cycle_ids: Sequence[str], gx_root: Path, docs_dir: Path
) -> tuple[tuple[QualityReport, ...], float]:
    """Read each cycle's validated tables and check them in one GX run; the reports and the seconds it took.

    Meant for a worker process (everything it takes and returns can be pickled), so the checks can
    run beside other work.
    """
    from validation.tables import read_table

    started = time.perf_counter()
    tables = {
        cycle_id: {
            name: read_table(validated_dir, name, cycle_id, list(model.to_schema().columns))
            for name, model in TABLES.items()
        }
        for cycle_id in cycle_ids
    }
    reports = run_quality_checks_of_cycles(tables, evaluation, gx_root, docs_dir)
    return reports, time.perf_counter() - started


@dataclass(frozen=True)
class _SuiteRun:
    results: list[Any]
    page: Path | None


_DEPRECATED_SRE = "module 'sre_(constants|parse)' is deprecated"


def preload() -> None:
    """Import great-expectations now (it takes seconds), e.g. in a thread while other work waits.

    Safe to call from a background thread: the warning GX's import raises is ignored by a
    filter added here (``warnings.catch_warnings`` is not thread-safe).
    """
    warnings.filterwarnings("ignore", message=_DEPRECATED_SRE, category=DeprecationWarning)
    import great_expectations  # noqa: F401
    from great_expectations.core.run_identifier import RunIdentifier  # noqa: F401


def _validate(
    suites_by_cycle: Mapping[str, tuple[QualitySuite, ...]], gx_root: Path, site_dir: Path
) -> dict[str, list[_SuiteRun]]:
    """Run every cycle's suites in one GX file context, then build the Data Docs once.

    Returns each suite's GX results and page, per cycle and in suite order.
    """
    with warnings.catch_warnings():
        # GX 1.24's file-path data connector imports the deprecated ``sre_constants``/``sre_parse``.
        warnings.filterwarnings("ignore", message=_DEPRECATED_SRE, category=DeprecationWarning)
        import great_expectations as gx
        from great_expectations.core.run_identifier import RunIdentifier
        from great_expectations.data_context.types.base import ProgressBarsConfig
        from great_expectations.data_context.types.resource_identifiers import (
            ExpectationSuiteIdentifier,
            ValidationResultIdentifier,
        )

    _thread_lock_for_progress_bars()
    gx_root.mkdir(parents=True, exist_ok=True)
    context = gx.get_context(mode="file", project_root_dir=gx_root)
    context.variables.progress_bars = ProgressBarsConfig(globally=False, metric_calculations=False)
    context.variables.save()
    # Only our site: the default one would write Data Docs under gx_root as well.
    for site in context.get_site_names():
        context.delete_data_docs_site(site)
    context.add_data_docs_site(
        SITE_NAME,
        {
            "class_name": "SiteBuilder",
            "store_backend": {"class_name": "TupleFilesystemStoreBackend", "base_directory": str(site_dir)},
            "site_index_builder": {"class_name": "DefaultSiteIndexBuilder"},
        },
    )
    source = context.data_sources.add_or_update_pandas("evalcycle")
    results: dict[str, list[tuple[list[Any], Any]]] = {}
    identifiers: list[Any] = []
    for cycle_id, suites in suites_by_cycle.items():
        run_id = RunIdentifier(run_name=cycle_id, run_time=datetime.now(tz=UTC))
        results[cycle_id] = []
        for suite in suites:
            try:
                asset = source.get_asset(suite.name)
            except LookupError:
                asset = source.add_dataframe_asset(suite.name)
            try:
                batch = asset.get_batch_definition("whole-table")
            except KeyError:
                batch = asset.add_batch_definition_whole_dataframe("whole-table")
            # Replaced, not updated: GX's add_or_update matches every new expectation against every
            # stored one (pairwise, through pydantic), seconds per run for a suite of 40 checks.
            _forget(context.validation_definitions, suite.name)
            _forget(context.suites, suite.name)
            expectation_suite = context.suites.add(
                gx.ExpectationSuite(name=suite.name, expectations=[_expectation(gx, c) for c in suite.checks])
            )
            definition = context.validation_definitions.add(
                gx.ValidationDefinition(name=suite.name, data=batch, suite=expectation_suite)
            )
            # Run the definition itself: a checkpoint would rebuild the Data Docs after every suite.
            result = definition.run(
                batch_parameters={"dataframe": suite.frame},
                # Counts and a sample of unexpected values: COMPLETE would also list every unexpected
                # value and row index, which costs GX seconds and which we never read.
                result_format={"result_format": "BASIC"},
                run_id=run_id,
            )
            suite_id = ExpectationSuiteIdentifier(name=suite.name)
            identifier = ValidationResultIdentifier(
                expectation_suite_identifier=suite_id, run_id=run_id, batch_identifier=result.batch_id
            )
            identifiers += [identifier, suite_id]
            results[cycle_id].append((list(result.results), identifier))
    context.build_data_docs(site_names=[SITE_NAME], resource_identifiers=identifiers, build_index=True)
    runs: dict[str, list[_SuiteRun]] = {}
    for cycle_id, cycle_results in results.items():
        runs[cycle_id] = []
        for checks, identifier in cycle_results:
            urls = context.get_docs_sites_urls(resource_identifier=identifier, site_name=SITE_NAME)
            url = urls[0].get("site_url") if urls else None
            page = Path(url2pathname(urlparse(url).path)) if url else None
            runs[cycle_id].append(_SuiteRun(checks, page))
    return runs


def _thread_lock_for_progress_bars() -> None:
    """Give tqdm (GX's progress bars, switched off) a thread lock before it makes its own.

    Its own is a multiprocessing lock: a semaphore that outlives a worker process ended with
    ``terminate()``, which Python then reports as leaked when the pilot exits.
    """
    from tqdm import tqdm  # type: ignore[import-untyped]

    if not hasattr(tqdm, "_lock"):
        tqdm.set_lock(threading.RLock())


def _forget(factory: Any, name: str) -> None:
    """Delete ``name`` from a GX suite or validation-definition factory, if it holds one."""
    from great_expectations.exceptions.exceptions import DataContextError

    with contextlib.suppress(DataContextError):
        factory.delete(name)


def _expectation(gx: Any, check: Check) -> Any:
    from great_expectations.expectations.row_conditions import Column

    arguments = dict(check.arguments)
    if check.where:
        conditions = [
            Column(name) == value if isinstance(value, str) else Column(name).is_in(list(value))
            for name, value in check.where
        ]
        arguments["row_condition"] = functools.reduce(operator.and_, conditions)
    return getattr(gx.expectations, check.expectation)(**arguments, meta={"evalcycle_check": check.key})


def _outcomes(suite: QualitySuite, results: list[Any]) -> tuple[CheckOutcome, ...]:
    """Our summary of GX's results, in the suite's order, keeping only counts and figures."""
    by_key = {r.expectation_config.meta["evalcycle_check"]: r for r in results}
    outcomes = []
    for check in suite.checks:
        result = by_key[check.key]
        figures = result.result or {}
        outcomes.append(
            CheckOutcome(
                table=suite.table,
                suite=suite.name,
                key=check.key,
                expectation=check.expectation,
                column=check.column,
                condition=check.condition,
                explains=check.explains,
                success=bool(result.success),
                evaluated=not _raised(result.exception_info),
                observed=_number(figures.get("observed_value")),
                unexpected_count=_count(figures.get("unexpected_count")),
                unexpected_percent=_number(figures.get("unexpected_percent")),
            )
        )
    return tuple(outcomes)


def _number(value: object) -> float | None:
    """A finite number as float; anything else (lists of values, text, None) is dropped."""
    if isinstance(value, bool | np.bool_) or not isinstance(value, int | float | np.integer | np.floating):
        return None
    number = float(value)
    return number if math.isfinite(number) else None


def _raised(info: object) -> bool:
    """Whether GX reports an exception, in either of its shapes (flat, or one dict per metric)."""
    if not isinstance(info, dict):
        return False
    if "raised_exception" in info:
        return bool(info["raised_exception"])
    return any(isinstance(v, dict) and bool(v.get("raised_exception")) for v in info.values())


def _count(value: object) -> int | None:
    number = _number(value)
    return None if number is None else int(number)
