"""How much of a flow's time was our own work, so the rest can be reported as Prefect's overhead.

A flow's wall time is our work (the bodies of its tasks, and the steps its body runs itself)
plus Prefect's bookkeeping around each task and flow run: creating the run, its state changes,
cache look-ups, result storage, events. :func:`timed` wraps a task's function (under ``@task``)
and :func:`timed_block` a step of a flow body; :func:`seconds_of_work` is their total. Nested
timed calls count once (the outer one), and a task answered from Prefect's cache runs no body,
so its time counts as bookkeeping, which it is.
"""

from __future__ import annotations

import functools
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import ParamSpec, TypeVar

P = ParamSpec("P")
R = TypeVar("R")

_lock = threading.Lock()
_seconds = 0.0
_depth = threading.local()


@contextmanager
def timed_block() -> Iterator[None]:
    """Count the time inside the ``with`` block as our work (once, however deeply nested)."""
    depth = getattr(_depth, "value", 0)
    _depth.value = depth + 1
    started = time.perf_counter()
    try:
        yield
    finally:
        _depth.value = depth
        if depth == 0:
            _add(time.perf_counter() - started)


def timed(function: Callable[P, R]) -> Callable[P, R]:
    """``function`` with its running time counted as our work; put it under ``@task``."""

    @functools.wraps(function)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        with timed_block():
            return function(*args, **kwargs)

    return wrapper


def _add(seconds: float) -> None:
    global _seconds
    with _lock:
        _seconds += seconds


def seconds_of_work() -> float:
    """Seconds counted by :func:`timed` and :func:`timed_block` in this process so far."""
    with _lock:
        return _seconds
