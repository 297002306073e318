"""The pieces of ``run-pilot`` that need no Prefect run: the manifest, the staging, the summary lines.

The pilot itself runs end to end, twice, in ``test_pilot_end_to_end.py``.
"""

from __future__ import annotations

import hashlib
import time
from pathlib import Path

import pandas as pd

from flows.ingest_inbox import IngestRun, QualitySummary
from flows.run_pilot import MANIFEST, PilotRun, copy_changed, manifest_lines
from flows.settings import Settings, _start_from_template, build_prefect_database_template, prefect_database_template
from flows.summary import agreement_figures, timing_line


def test_the_manifest_lists_every_file_but_itself_sorted_by_path_with_its_sha256(tmp_path: Path) -> None:
    (tmp_path / "cycle-2").mkdir()
    (tmp_path / "cycle-10").mkdir()
    (tmp_path / "cycle-2" / "report.html").write_text("two", encoding="utf-8")
    (tmp_path / "cycle-10" / "b.csv").write_text("ten", encoding="utf-8")
    (tmp_path / "a.txt").write_bytes(b"")
    (tmp_path / MANIFEST).write_text("old manifest\n", encoding="utf-8")
    sha = {text: hashlib.sha256(text.encode()).hexdigest() for text in ("", "two", "ten")}
    assert manifest_lines(tmp_path) == [
        f"{sha['']}  a.txt",
        f"{sha['ten']}  cycle-10/b.csv",
        f"{sha['two']}  cycle-2/report.html",
    ]


def test_staging_copies_a_file_only_when_its_bytes_differ(tmp_path: Path) -> None:
    source, target = tmp_path / "source.xlsx", tmp_path / "in" / "target.xlsx"
    source.write_bytes(b"first")
    assert copy_changed(source, target)
    assert not copy_changed(source, target)
    source.write_bytes(b"second")
    assert copy_changed(source, target)
    assert target.read_bytes() == b"second"


def test_the_timing_line_separates_our_work_from_prefects_overhead(tmp_path: Path) -> None:
    quality = QualitySummary("cycle-1", 54, (), tmp_path / "q.html", seconds=4.25)
    run = PilotRun(IngestRun((), (quality,)), (), seconds_in_flow=20.0, seconds_of_work=17.5)
    assert timing_line(run, 31.5) == (
        "Time: 31.5 s in all: 20.0 s in the pilot's flows (17.5 s our work, data-quality checks 4.2 s of it; "
        "2.5 s Prefect's bookkeeping of the runs), 11.5 s before them: imports and starting Prefect's "
        "temporary server."
    )
    assert timing_line(run, 31.5, 6.0, 4.0) == (
        "Time: 31.5 s in all: 20.0 s in the pilot's flows (17.5 s our work, data-quality checks 4.2 s of it; "
        "2.5 s Prefect's bookkeeping of the runs), 11.5 s outside them: 6.0 s importing Python packages "
        "(Prefect, pandas, our code), 4.0 s starting Prefect's temporary server, 1.5 s finishing the run and "
        "stopping the server. Prefect's own overhead in all: 8.0 s (bookkeeping, server start, finishing; its "
        "import is counted with the packages)."
    )


def test_the_stopwatch_counts_nested_work_once_and_only_while_it_runs() -> None:
    from flows.stopwatch import seconds_of_work, timed, timed_block

    @timed
    def inner() -> int:
        time.sleep(0.05)
        return 7

    before = seconds_of_work()
    started = time.perf_counter()
    with timed_block():
        assert inner() == 7
        time.sleep(0.05)
    block = time.perf_counter() - started
    time.sleep(0.1)  # outside any block: not counted
    counted = seconds_of_work() - before
    # Counted twice, the inner call would push the total past the block's own duration.
    assert 0.1 <= counted <= block
    assert inner.__name__ == "inner"


def test_the_agreement_figures_name_the_pooled_kappa_the_sparsest_code_and_one_sided_codes(tmp_path: Path) -> None:
    table = pd.DataFrame(
        {
            "scope": ["code", "code", "code", "code", "pooled_de_vries", "stacked"],
            "code": ["debrief", "rare", "only-a", "unused", "all codes", "all"],
            "prevalence_a": [0.2, 0.02, 0.1, 0.0, 0.1, 0.1],
            "prevalence_b": [0.25, 0.03, 0.0, 0.0, 0.1, 0.1],
            "kappa": [0.8, 0.5, None, None, 0.712, None],
            "alpha": [0.8, 0.5, None, None, None, 0.7049],
        }
    )
    path = tmp_path / "agreement.csv"
    table.to_csv(path, index=False)
    assert agreement_figures(path) == (
        "pooled kappa 0.71; alpha 0.70; sparsest code rare (2% / 3% of segments); used by one reviewer only: only-a"
    )


def test_a_new_workspace_starts_from_the_migrated_prefect_database_template(tmp_path: Path) -> None:
    env = {"XDG_CACHE_HOME": str(tmp_path / "cache"), "PREFECT_HOME": str(tmp_path / "home")}
    (tmp_path / "home").mkdir()
    template = prefect_database_template(env)
    assert template.parent == tmp_path / "cache" / "evalcycle"
    _start_from_template(env)
    assert not (tmp_path / "home" / "prefect.db").exists()
    template.parent.mkdir(parents=True)
    template.write_bytes(b"migrated")
    assert build_prefect_database_template(env) == template
    _start_from_template(env)
    assert (tmp_path / "home" / "prefect.db").read_bytes() == b"migrated"
    # An existing database, or one elsewhere, is never replaced.
    template.write_bytes(b"newer")
    _start_from_template(env)
    _start_from_template({**env, "PREFECT_HOME": str(tmp_path / "remote"), "PREFECT_API_URL": "http://x"})
    assert (tmp_path / "home" / "prefect.db").read_bytes() == b"migrated"
    assert not (tmp_path / "remote" / "prefect.db").exists()


def test_the_template_is_made_behind_the_pilots_own_temporary_server_but_not_a_users_server(tmp_path: Path) -> None:
    from flows.prefect_server import TEMPORARY_API_URL
    from flows.settings import _uses_default_database

    ours = "http://127.0.0.1:8123/api"
    assert _uses_default_database({})
    assert _uses_default_database({"PREFECT_API_URL": ours, TEMPORARY_API_URL: ours})
    assert not _uses_default_database({"PREFECT_API_URL": "http://prefect.example.org/api", TEMPORARY_API_URL: ours})
    assert not _uses_default_database({"PREFECT_API_URL": "http://prefect.example.org/api"})
    assert not _uses_default_database({"PREFECT_API_DATABASE_CONNECTION_URL": "postgresql+asyncpg://db/prefect"})
    env = {"XDG_CACHE_HOME": str(tmp_path / "cache"), "PREFECT_API_URL": "http://x/api"}
    assert build_prefect_database_template(env) is None  # a user's server: nothing of ours to prepare
    assert not prefect_database_template(env).parent.exists()


def test_no_temporary_server_is_started_when_the_user_set_an_api_url() -> None:
    from flows.prefect_server import start_temporary_server

    env = {"PREFECT_API_URL": "http://127.0.0.1:4200/api"}
    assert start_temporary_server(env) is None
    assert env == {"PREFECT_API_URL": "http://127.0.0.1:4200/api"}


def test_the_worker_is_ended_once_its_jobs_are_done_and_can_be_started_again() -> None:
    from flows import quality_worker

    worker = quality_worker.start_quality_worker()
    assert worker.submit(abs, -3).result(timeout=120) == 3
    processes = list(worker._processes.values())
    assert processes and all(p.is_alive() for p in processes)
    quality_worker.stop_quality_worker()
    assert all(p.exitcode is not None for p in processes)  # reaped, not merely signalled
    again = quality_worker.start_quality_worker()
    assert again is not worker
    quality_worker.stop_quality_worker()


def test_withheld_quote_ids_that_match_no_segment_of_any_cycle_are_found(tmp_path: Path) -> None:
    from flows.prepare_coding import segments_path
    from flows.publish_cycle import withheld_ids_not_found
    from instruments.load import load_evaluation
    from tests.conftest import REPOSITORY

    evaluation = load_evaluation(REPOSITORY / "examples" / "psw-pilot-3" / "evaluation.yaml")
    settings = Settings(workspace=tmp_path, evaluation=REPOSITORY / "examples" / "psw-pilot-3" / "evaluation.yaml")
    for cycle, ids in (("cycle-1", ["aaaaaaaaaaaa-0001-01"]), ("cycle-3", ["cccccccccccc-0002-01"])):
        path = segments_path(settings, cycle)
        path.parent.mkdir(parents=True)
        pd.DataFrame({"segment_id": ids, "text": ["x"] * len(ids)}).to_parquet(path)
    # Cycle 2's transcript is stored but not yet cut into segments: its ids may still match.
    stored = settings.validated / "utterances" / "cycle-2" / f"{'b' * 64}.parquet"
    stored.parent.mkdir(parents=True)
    stored.write_bytes(b"")
    privacy = evaluation.privacy.model_copy(
        update={
            "withheld_quotes": (
                "cccccccccccc-0002-01",
                "gone00000000-0009-01",
                "bbbbbbbbbbbb-0004-02",
                "aaaaaaaaaaaa-0001-01",
                "aaaaaaaaaaaa-0007-01",
            )
        }
    )
    assert withheld_ids_not_found(evaluation.model_copy(update={"privacy": privacy}), settings) == [
        "gone00000000-0009-01",
        "aaaaaaaaaaaa-0007-01",
    ]
    none = evaluation.privacy.model_copy(update={"withheld_quotes": ()})
    assert withheld_ids_not_found(evaluation.model_copy(update={"privacy": none}), settings) == []
