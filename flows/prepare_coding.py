"""Flow ``prepare-coding``: cut a cycle's transcripts and notes into segments and send each reviewer a workbook."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from prefect import flow, task
from prefect.artifacts import create_markdown_artifact

from analysis.segments import segment_utterances
from flows.settings import Settings
from flows.stopwatch import timed
from instruments.evaluation import Evaluation
from instruments.load import load_evaluation
from reports.reviewer_workbook import write_reviewer_workbook
from validation.codings import Segments
from validation.contracts import Utterances, validate_table
from validation.tables import read_table, write_table


@dataclass(frozen=True)
class CodingPreparation:
    cycle_id: str
    segments: int
    workbooks: tuple[Path, ...]


def segments_path(settings: Settings, cycle_id: str) -> Path:
    return settings.validated / "segments" / cycle_id / "segments.parquet"


def coding_folder(settings: Settings, cycle_id: str) -> Path:
    return settings.workspace / "coding" / cycle_id


@task
@timed
def write_workbooks(evaluation: Evaluation, cycle_id: str, settings: Settings) -> CodingPreparation:
    utterances = read_table(settings.validated, "utterances", cycle_id, list(Utterances.to_schema().columns))
    segments = segment_utterances(utterances, evaluation.coding.unit, evaluation.coding.abbreviations)
    segments = validate_table(Segments, segments, f"segments of {cycle_id}")
    write_table(segments, segments_path(settings, cycle_id))
    paths = []
    for reviewer in evaluation.coding.reviewers:
        path = coding_folder(settings, cycle_id) / "out" / f"{reviewer}.xlsx"
        write_reviewer_workbook(path, segments, evaluation.codebook, cycle_id, reviewer)
        paths.append(path)
    (coding_folder(settings, cycle_id) / "in").mkdir(parents=True, exist_ok=True)
    create_markdown_artifact(
        key=f"coding-{cycle_id}",
        markdown=f"# Coding workbooks for {cycle_id}\n\n{len(segments)} segments "
        f"({evaluation.coding.unit}s). Send each reviewer their workbook:\n\n"
        + "\n".join(f"- `{p}`" for p in paths)
        + f"\n\nReturned workbooks go to `{coding_folder(settings, cycle_id) / 'in'}`.\n",
        description=f"Reviewer workbooks for {cycle_id}",
    )
    return CodingPreparation(cycle_id, len(segments), tuple(paths))


@flow(name="prepare-coding")
def prepare_coding(cycle_id: str, settings: Settings | None = None) -> CodingPreparation:
    """Write ``coding/<cycle>/out/<reviewer>.xlsx`` for each of the evaluation's two reviewers."""
    settings = settings or Settings.from_env()
    evaluation = load_evaluation(settings.evaluation)
    return write_workbooks(evaluation, cycle_id, settings)
