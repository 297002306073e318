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

import functools
import math
import operator
import os
import warnings
from collections.abc import Mapping
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
from validation.quality_suites import Check, QualitySuite, quality_suites

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
    if cycle_id not in evaluation.cycle_ids():
        raise ValueError(
            f"cycle {cycle_id!r} is not a cycle of evaluation {evaluation.id!r} ({', '.join(evaluation.cycle_ids())})"
        )
    suites = quality_suites(tables, evaluation, cycle_id)
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
    docs_dir.mkdir(parents=True, exist_ok=True)
    runs = _validate(suites, cycle_id, gx_root, docs_dir / GX_SITE_FOLDER)
    outcomes = tuple(
        SuiteOutcome(suite.name, suite.table, len(suite.frame), _outcomes(suite, run.results), run.page)
        for suite, run in zip(suites, runs, strict=True)
    )
    offline_gx_site(docs_dir / GX_SITE_FOLDER)
    report = QualityReport(
        cycle_id=cycle_id,
        suites=outcomes,
        summary_page=docs_dir / "cycles" / f"{cycle_id}.html",
        index_page=docs_dir / "index.html",
        gx_index_page=docs_dir / GX_SITE_FOLDER / "index.html",
    )
    write_summary_pages(report, docs_dir)
    return report


@dataclass(frozen=True)
class _SuiteRun:
    results: list[Any]
    page: Path | None


def _validate(suites: tuple[QualitySuite, ...], cycle_id: str, gx_root: Path, site_dir: Path) -> list[_SuiteRun]:
    """Run every suite in one GX file context: each one's GX results and page, in suite order."""
    with warnings.catch_warnings():
        # GX 1.24's file-path data connector imports the deprecated ``sre_constants``/``sre_parse``.
        warnings.filterwarnings(
            "ignore", message="module 'sre_(constants|parse)' is deprecated", category=DeprecationWarning
        )
        import great_expectations as gx
        from great_expectations.checkpoint.actions import UpdateDataDocsAction
        from great_expectations.core.run_identifier import RunIdentifier
        from great_expectations.data_context.types.base import ProgressBarsConfig

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
    run_id = RunIdentifier(run_name=cycle_id, run_time=datetime.now(tz=UTC))
    runs: list[_SuiteRun] = []
    for suite in suites:
        try:
            asset = source.get_asset(suite.name)
        except LookupError:
            asset = source.add_dataframe_asset(suite.name)
        try:
            batch = asset.get_batch_definition("whole-table")
        except KeyError:
            batch = asset.add_batch_definition_whole_dataframe("whole-table")
        expectation_suite = context.suites.add_or_update(
            gx.ExpectationSuite(name=suite.name, expectations=[_expectation(gx, c) for c in suite.checks])
        )
        definition = context.validation_definitions.add_or_update(
            gx.ValidationDefinition(name=suite.name, data=batch, suite=expectation_suite)
        )
        checkpoint = context.checkpoints.add_or_update(
            gx.Checkpoint(
                name=suite.name,
                validation_definitions=[definition],
                actions=[UpdateDataDocsAction(name="data-docs", site_names=[SITE_NAME])],
                result_format={"result_format": "COMPLETE"},
            )
        )
        run = checkpoint.run(batch_parameters={"dataframe": suite.frame}, run_id=run_id)
        (identifier, result) = next(iter(run.run_results.items()))
        urls = context.get_docs_sites_urls(resource_identifier=identifier, site_name=SITE_NAME)
        url = urls[0].get("site_url") if urls else None
        page = Path(url2pathname(urlparse(url).path)) if url else None
        runs.append(_SuiteRun(list(result.results), page))
    return runs


def _expectation(gx: Any, check: Check) -> Any:
    from great_expectations.expectations.row_conditions import Column

    arguments = dict(check.arguments)
    if check.where:
        conditions = [Column(name) == value for name, value in check.where]
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
