"""The worker process that runs the data-quality checks (and prints the PDFs) beside the rest of the pilot.

It imports no prefect, so the pilot command can start it before importing Prefect: the worker
then imports great-expectations (seconds of CPU) on the second core while Prefect is imported and
its temporary server starts.
"""

from __future__ import annotations

import multiprocessing
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from validation.quality import preload

_worker: ProcessPoolExecutor | None = None


def start_quality_worker() -> ProcessPoolExecutor:
    """The one worker of this process, started (and importing great-expectations) on first call.

    The checks are pure Python and take seconds; in their own process they run on the second
    core while the pilot codes and publishes.
    """
    global _worker
    if _worker is None:
        context = multiprocessing.get_context("spawn")  # never fork a process that runs Prefect's threads
        _worker = ProcessPoolExecutor(max_workers=1, mp_context=context, initializer=preload)
        _worker.submit(int)  # start the process, and so the import, now
    return _worker


def print_pdf(html_path: Path) -> Path:
    """In the worker: print ``report.html`` to the ``report.pdf`` beside it.

    WeasyPrint is imported here, in the worker, so the pilot's own process never spends the
    seconds its import takes.
    """
    from reports.pdf import write_pdf_beside

    return write_pdf_beside(html_path)


def stop_quality_worker() -> None:
    """End the worker now that its jobs are done (its outputs are written atomically).

    A graceful exit of a process that holds great-expectations, pandas and WeasyPrint takes
    seconds of interpreter teardown; the idle worker is terminated instead.
    """
    global _worker
    if _worker is None:
        return
    # ProcessPoolExecutor has no public way to end its processes before Python 3.14's kill_workers().
    processes = list(getattr(_worker, "_processes", {}).values())
    for process in processes:
        process.terminate()
    # The executor's own thread notices the ended process and reaps it; waiting for that thread
    # (instead of also joining the processes here) keeps a single thread calling waitpid, so no
    # process is ever reported alive after this returns.
    _worker.shutdown(wait=True, cancel_futures=True)
    _worker = None
