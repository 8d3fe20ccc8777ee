"""Python's cyclic garbage collector, paused while bulk reads build many objects.

Loading a supply graph creates millions of small tuples, none of them in a reference cycle.
Each time enough of them survive, the collector walks every tracked object of the process;
at 1,000,000 parts that doubles the load's time (benchmarks/README.md). `paused` stops the
collector for the duration of a bulk read; reference counting still frees everything as
usual, and the collector resumes when the last pause in the process ends (pauses from
several threads nest; a collector the process had disabled stays disabled).
"""

from __future__ import annotations

import functools
import gc
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import ParamSpec, TypeVar

_lock = threading.Lock()
_depth = 0
_resume = False

P = ParamSpec("P")
T = TypeVar("T")


@contextmanager
def paused() -> Iterator[None]:
    global _depth, _resume  # noqa: PLW0603 (one collector per process)
    with _lock:
        if _depth == 0:
            _resume = gc.isenabled()
            gc.disable()
        _depth += 1
    try:
        yield
    finally:
        with _lock:
            _depth -= 1
            if _depth == 0 and _resume:
                gc.enable()


def pausing(function: Callable[P, T]) -> Callable[P, T]:
    """`function` with the collector paused while it runs."""

    @functools.wraps(function)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> T:
        with paused():
            return function(*args, **kwargs)

    return wrapper
