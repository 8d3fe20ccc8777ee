"""The API-key grant cache: known keys are remembered for a while, unknown ones never."""

from __future__ import annotations

import time
import uuid

from battrace.identity.api_keys import ApiKeyGrant
from battrace.identity.models import ApplicationAttribute
from battrace.state import GrantCache

GRANT = ApiKeyGrant(uuid.uuid4(), ApplicationAttribute.APPLICATION, (), frozenset())


def test_known_keys_are_remembered_until_they_expire() -> None:
    cache = GrantCache(0.2)
    loads: list[str] = []

    def load() -> ApiKeyGrant:
        loads.append("x")
        return GRANT

    assert cache.get("k", load) is GRANT
    assert cache.get("k", load) is GRANT
    assert len(loads) == 1
    time.sleep(0.25)
    cache.get("k", load)
    assert len(loads) == 2


def test_unknown_keys_are_looked_up_every_time() -> None:
    cache = GrantCache(60)
    loads: list[str] = []

    def load() -> None:
        loads.append("x")

    cache.get("guess", load)
    cache.get("guess", load)
    assert len(loads) == 2


def test_zero_turns_the_cache_off_and_size_is_bounded() -> None:
    off = GrantCache(0)
    calls: list[int] = []
    off.get("k", lambda: calls.append(1) or GRANT)  # type: ignore[func-returns-value]
    off.get("k", lambda: calls.append(1) or GRANT)  # type: ignore[func-returns-value]
    assert len(calls) == 2
    small = GrantCache(60, max_entries=3)
    for index in range(10):
        small.get(f"k{index}", lambda: GRANT)
    assert len(small._entries) <= 3
