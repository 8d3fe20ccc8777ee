"""`store.collector.paused`: the cyclic collector stops for bulk reads and comes back when
the last pause of the process ends, in whatever order threads finish."""

from __future__ import annotations

import gc
import threading

from battrace.store import collector


def test_a_pause_disables_the_collector_and_restores_it() -> None:
    assert gc.isenabled()
    with collector.paused():
        assert not gc.isenabled()
        with collector.paused():
            assert not gc.isenabled()
        assert not gc.isenabled()  # the outer pause still runs
    assert gc.isenabled()


def test_a_collector_the_process_disabled_stays_disabled() -> None:
    gc.disable()
    try:
        with collector.paused():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_pauses_from_threads_end_in_any_order() -> None:
    entered, release_first, first_done = threading.Event(), threading.Event(), threading.Event()

    def first() -> None:
        with collector.paused():
            entered.set()
            release_first.wait(5)
        first_done.set()

    thread = threading.Thread(target=first)
    thread.start()
    entered.wait(5)
    with collector.paused():
        release_first.set()
        first_done.wait(5)
        assert not gc.isenabled()  # the first thread ended its pause; this one has not
    thread.join(5)
    assert gc.isenabled()


def test_an_error_inside_a_pause_still_restores_the_collector() -> None:
    try:
        with collector.paused():
            raise RuntimeError("boom")
    except RuntimeError:
        pass
    assert gc.isenabled()
