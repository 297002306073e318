"""The run summaries printed on the console (plain text, no respondent content)."""

from __future__ import annotations

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


def timing_line(run: PilotRun, total_seconds: float) -> str:
    """Where the pilot's wall time went: our flows (and the quality checks in them) vs Prefect's overhead."""
    quality = sum(q.seconds for q in run.ingest.quality)
    overhead = max(total_seconds - run.seconds_in_flow, 0.0)
    return (
        f"Time: {total_seconds:.1f} s in all: {run.seconds_in_flow:.1f} s in the pilot's flows "
        f"(data-quality checks {quality:.1f} s), {overhead:.1f} s before them: imports and starting "
        "Prefect's temporary server."
    )


def pilot_summary(run: PilotRun, settings: Settings) -> str:
    lines = [ingest_summary(run.ingest, settings)]
    tables = sorted({t for o in run.files for t in o.rows})
    lines.append(f"Tables written: {', '.join(tables) if tables else 'none'} (in {settings.validated}).")
    for publication in run.publications:
        lines.append(f"Report for {publication.cycle_id}: {publication.report}")
    return "\n".join(lines)


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
