"""Folding a value up the supply chain: each part's value from those of the parts it is made
of, depth first without recursion (chains are deeper than Python's stack), memoised.

A part met again while its own value is being computed (a cycle in the data) is left out of
the memo at that point, so `compute` finds it missing and uses its "unknown" there; the parts
on that path keep the values computed so, exactly as a recursive definition would have them.
CFP totals (`supply`) and the trade tree progress (`trades`) both fold this way.
"""

from __future__ import annotations

from collections.abc import Callable, Container, Hashable, Iterable
from typing import TypeVar

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


def fold_upstream(
    key: K,
    memo: dict[K, V],
    upstream: Callable[[K], Iterable[K]],
    compute: Callable[[K], V],
    *,
    known: Container[K],
) -> V:
    """`memo[key]`, computing it and every value it needs first; only `known` keys are
    visited (`compute` sees the others as missing from `memo`)."""
    if key in memo:
        return memo[key]
    visiting = {key}
    stack = [(key, iter(upstream(key)))]
    while stack:
        current, pending = stack[-1]
        for above in pending:
            if above not in memo and above not in visiting and above in known:
                visiting.add(above)
                stack.append((above, iter(upstream(above))))
                break
        else:
            stack.pop()
            memo[current] = compute(current)
            visiting.discard(current)
    return memo[key]
