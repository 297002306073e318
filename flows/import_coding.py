"""Flow ``import-coding``: read the reviewers' returned workbooks, publish agreement, reconcile."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
from prefect import flow, task
from prefect.artifacts import create_markdown_artifact, create_table_artifact

from analysis.agreement import agreement_table
from analysis.codings import coding_matrix
from flows.prepare_coding import coding_folder, segments_path
from flows.settings import Settings
from flows.stopwatch import timed
from instruments.atomic import write_bytes_atomic, write_text_atomic
from instruments.errors import CycleStateError, InputRefused
from instruments.evaluation import Evaluation
from instruments.load import load_evaluation
from reports.agreement_workbook import agreement_summary_rows, write_agreement_workbook
from reports.disagreement_workbook import read_disagreement_workbook, write_disagreement_workbook
from reports.refi_codebook import write_codebook_qdc
from reports.refi_project import write_project_qdpx
from reports.reviewer_workbook import read_reviewer_workbook
from validation.codings import Codings
from validation.contracts import validate_table
from validation.landing import sha256_of
from validation.quarantine import quarantine, refusal_report
from validation.tables import write_table

DISAGREEMENTS = "disagreements.xlsx"


@dataclass(frozen=True)
class CodingImport:
    """Where a cycle's coding stands after an import."""

    cycle_id: str
    returned: tuple[str, ...] = ()
    waiting_for: tuple[str, ...] = ()
    refused: dict[str, str] = field(default_factory=dict)
    agreement: Path | None = None
    disagreements: int | None = None
    final: Path | None = None
    reconciliation: str = "not started"


def _refuse(path: Path, error: InputRefused, settings: Settings) -> str:
    data = path.read_bytes()
    digest = sha256_of(data)
    quarantine(data, path.name, digest, error, settings.quarantine)
    create_markdown_artifact(
        key=f"refused-{digest[:12]}",
        markdown=refusal_report(path.name, digest, error),
        description=f"Refused: {path.name}",
    )
    return f"{error.problem.splitlines()[0]} [{error.rule}]"


def export_refi_qda(
    evaluation: Evaluation,
    cycle_id: str,
    segments: pd.DataFrame,
    codings: dict[str, pd.DataFrame],
    final: pd.DataFrame | None,
    settings: Settings,
) -> None:
    """The codebook and coded project in REFI-QDA form, for NVivo, ATLAS.ti or QualCoder.

    They hold the segment texts, so they stay with the reviewers in ``coding/<cycle>/out/``.
    """
    out = coding_folder(settings, cycle_id) / "out"
    write_codebook_qdc(out / f"{evaluation.id}-codebook.qdc", evaluation.codebook, evaluation_id=evaluation.id)
    write_project_qdpx(
        out / f"{evaluation.id}-{cycle_id}.qdpx",
        evaluation=evaluation,
        segments=segments,
        codings_by_reviewer=codings,
        final_codings=final,
        cycle_id=cycle_id,
    )


@task
@timed
def import_workbooks(evaluation: Evaluation, cycle_id: str, settings: Settings) -> CodingImport:
    path = segments_path(settings, cycle_id)
    if not path.exists():
        raise CycleStateError(
            f"cycle {cycle_id}",
            "no coding workbooks were prepared for this cycle, so there is nothing to import.",
            f"Run 'make prepare-coding CYCLE={cycle_id}' first and send the workbooks to the reviewers.",
        )
    segments = pd.read_parquet(path)
    folder = coding_folder(settings, cycle_id)
    reviewers = evaluation.coding.reviewers
    codings: dict[str, pd.DataFrame] = {}
    refused: dict[str, str] = {}
    for reviewer in reviewers:
        returned = folder / "in" / f"{reviewer}.xlsx"
        if not returned.exists():
            continue
        try:
            frame = read_reviewer_workbook(returned, segments, evaluation.codebook, cycle_id, reviewer)
            codings[reviewer] = validate_table(Codings, frame, returned.name)
        except InputRefused as error:
            refused[reviewer] = _refuse(returned, error, settings)
            continue
        write_table(codings[reviewer], settings.validated / "codings" / cycle_id / f"{reviewer}.parquet")
    waiting = tuple(r for r in reviewers if r not in codings and r not in refused)
    status = CodingImport(cycle_id, tuple(codings), waiting, refused)
    if len(codings) < 2:
        return status
    both = pd.concat([codings[r] for r in reviewers], ignore_index=True)
    code_ids = [code.id for code in evaluation.codebook.codes]
    table = agreement_table(
        coding_matrix(both, reviewers[0], code_ids), coding_matrix(both, reviewers[1], code_ids), code_ids
    )
    published = settings.published / cycle_id
    write_text_atomic(published / "agreement.csv", table.to_csv(index=False, lineterminator="\n"))
    write_bytes_atomic(published / "agreement.parquet", table.to_parquet(index=False))
    write_agreement_workbook(published / "agreement.xlsx", table, cycle_id, reviewers)
    create_table_artifact(
        key=f"agreement-{cycle_id}",
        table=agreement_summary_rows(table),
        description=f"Reviewer agreement for {cycle_id}",
    )
    count = write_disagreement_workbook(
        folder / "out" / DISAGREEMENTS, segments, both, evaluation.codebook, cycle_id, reviewers
    )
    export_refi_qda(evaluation, cycle_id, segments, codings, None, settings)
    status = CodingImport(cycle_id, tuple(codings), waiting, refused, published / "agreement.csv", count)
    reconciled = folder / "in" / DISAGREEMENTS
    if not reconciled.exists():
        return status
    try:
        final = read_disagreement_workbook(reconciled, segments, both, evaluation.codebook, cycle_id, reviewers)
    except InputRefused as error:
        return CodingImport(
            cycle_id,
            tuple(codings),
            waiting,
            {**refused, DISAGREEMENTS: _refuse(reconciled, error, settings)},
            published / "agreement.csv",
            count,
            None,
            "refused",
        )
    final = validate_table(Codings, final, reconciled.name)
    final_path = settings.validated / "codings" / cycle_id / "final.parquet"
    write_table(final, final_path)
    export_refi_qda(evaluation, cycle_id, segments, codings, final, settings)
    return CodingImport(
        cycle_id, tuple(codings), waiting, refused, published / "agreement.csv", count, final_path, "done"
    )


@flow(name="import-coding")
def import_coding(cycle_id: str, settings: Settings | None = None) -> CodingImport:
    """Import returned workbooks; publish agreement; write, then import, the disagreement workbook."""
    settings = settings or Settings.from_env()
    evaluation = load_evaluation(settings.evaluation)
    return import_workbooks(evaluation, cycle_id, settings)
