"""The run summaries printed on the console (plain text, no respondent content)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from flows.import_coding import CodingImport
from flows.ingest_inbox import IngestRun
from flows.run_pilot import PilotRun
from flows.settings import Settings


def ingest_summary(run: IngestRun, settings: Settings) -> str:
    outcomes = run.files
    accepted = [o for o in outcomes if o.accepted]
    refused = [o for o in outcomes if not o.accepted]
    lines = [f"Files: {len(accepted)} accepted, {len(refused)} refused."]
    for o in accepted:
        rows = ", ".join(f"{n} {t}" for t, n in sorted(o.rows.items()))
        left_out = ", ".join(f"{n} {reason}" for reason, n in sorted(o.excluded.items()))
        extra = f"; left out: {left_out}" if left_out else ""
        lines.append(f"  accepted  {o.name} ({o.platform}, {o.instrument_id}, {o.cycle_id}): {rows}{extra}")
        lines.extend(f"            note: {note}" for note in o.notes)
    for o in refused:
        lines.append(f"  refused   {o.name}: {o.problem.splitlines()[0]} [{o.rule}]")
        lines.append(f"            report: {settings.quarantine / o.sha256 / 'REFUSED.md'}")
    for quality in run.quality:
        verdict = "all passed" if not quality.failed else f"{len(quality.failed)} failed ({', '.join(quality.failed)})"
        lines.append(f"Data quality, {quality.cycle_id}: {quality.checks} checks, {verdict}.")
        lines.append(f"  Data Docs: {quality.page}")
    return "\n".join(lines)


def pilot_summary(run: PilotRun, settings: Settings) -> str:
    lines = [ingest_summary(run.ingest, settings)]
    tables = sorted({t for o in run.files for t in o.rows})
    lines.append(f"Tables written: {', '.join(tables) if tables else 'none'} (in {settings.validated}).")
    for status in run.coding:
        figures = agreement_figures(status.agreement) if status.agreement and status.agreement.exists() else ""
        lines.append(f"Coding of {status.cycle_id}: reconciliation {status.reconciliation}.")
        if status.agreement:
            lines.append(f"  Agreement: {figures} ({status.agreement})")
    for refusal in run.coding_refusals:
        lines.append(f"  refused   {refusal.cycle_id} {refusal.file}: {refusal.problem}")
        lines.append(f"            report: {refusal.report}")
    for publication in run.publications:
        lines.append(f"Report for {publication.cycle_id}: {publication.report} (and report.pdf)")
    overview = next((p.overview for p in reversed(run.publications) if p.overview is not None), None)
    if overview is not None:
        lines.append(f"Series overview: {overview}")
    if run.manifest is not None:
        lines.append(f"Manifest of the published files: {run.manifest}")
    return "\n".join(lines)


def timing_line(
    run: PilotRun, total_seconds: float, import_seconds: float | None = None, server_seconds: float | None = None
) -> str:
    """Where the pilot's wall time went: our work, and Prefect's own overhead apart.

    Inside the flows, our work is what ``flows/stopwatch.py`` counted (task bodies, the worker's
    jobs waited for); the rest of the flows' time is Prefect's bookkeeping of the runs. Given
    ``import_seconds`` (the command's imports) and ``server_seconds`` (from then until the flow's
    body started: mostly Prefect's temporary server starting), the time outside the flows is
    split into those and the rest (Prefect's bookkeeping after the flow, stopping the server).
    """
    quality = sum(q.seconds for q in run.ingest.quality)
    outside = max(total_seconds - run.seconds_in_flow, 0.0)
    work = min(run.seconds_of_work, run.seconds_in_flow)
    bookkeeping = run.seconds_in_flow - work
    head = (
        f"Time: {total_seconds:.1f} s in all: {run.seconds_in_flow:.1f} s in the pilot's flows "
        f"({work:.1f} s our work, data-quality checks {quality:.1f} s of it; {bookkeeping:.1f} s Prefect's "
        "bookkeeping of the runs), "
    )
    if import_seconds is None or server_seconds is None:
        return head + f"{outside:.1f} s before them: imports and starting Prefect's temporary server."
    rest = max(outside - import_seconds - server_seconds, 0.0)
    prefect = bookkeeping + server_seconds + rest
    return head + (
        f"{outside:.1f} s outside them: {import_seconds:.1f} s importing Python packages (Prefect, pandas, "
        f"our code), {server_seconds:.1f} s starting Prefect's temporary server, {rest:.1f} s finishing the "
        f"run and stopping the server. Prefect's own overhead in all: {prefect:.1f} s "
        "(bookkeeping, server start, finishing; its import is counted with the packages)."
    )


def agreement_figures(path: Path) -> str:
    """Pooled kappa and alpha of a published agreement table, its sparsest code, codes one reviewer never used."""
    table = pd.read_csv(path)
    pooled = table.loc[table["scope"] == "pooled_de_vries", "kappa"]
    stacked = table.loc[table["scope"] == "stacked", "alpha"]
    codes = table[table["scope"] == "code"]
    parts = []
    if len(pooled) and pd.notna(pooled.iloc[0]):
        parts.append(f"pooled kappa {float(pooled.iloc[0]):.2f}")
    if len(stacked) and pd.notna(stacked.iloc[0]):
        parts.append(f"alpha {float(stacked.iloc[0]):.2f}")
    used = codes[(codes["prevalence_a"] > 0) | (codes["prevalence_b"] > 0)]
    if len(used):
        sparse = used.assign(both=used["prevalence_a"] + used["prevalence_b"]).sort_values("both", kind="stable")
        row = sparse.iloc[0]
        parts.append(f"sparsest code {row['code']} ({row['prevalence_a']:.0%} / {row['prevalence_b']:.0%} of segments)")
    one_sided = [row["code"] for row in used.to_dict("records") if row["prevalence_a"] == 0 or row["prevalence_b"] == 0]
    if one_sided:
        parts.append("used by one reviewer only: " + ", ".join(one_sided))
    return "; ".join(parts)


def coding_summary(status: CodingImport) -> str:
    lines = [f"Coding of {status.cycle_id}: returned by {', '.join(status.returned) or 'nobody yet'}."]
    if status.waiting_for:
        lines.append(
            f"  Waiting for: {', '.join(status.waiting_for)} (put the workbook in coding/{status.cycle_id}/in/)."
        )
    for who, problem in sorted(status.refused.items()):
        lines.append(f"  Refused ({who}): {problem} - see the quarantine report.")
    if status.agreement is not None:
        lines.append(f"  Agreement: {status.agreement}")
        lines.append(
            f"  Disagreements to reconcile: {status.disagreements} (coding/{status.cycle_id}/out/disagreements.xlsx)"
        )
    lines.append(
        f"  Reconciliation: {status.reconciliation}" + (f"; final codings: {status.final}" if status.final else "")
    )
    return "\n".join(lines)
