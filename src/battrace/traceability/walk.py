"""Folding a value up the supply chain: each part's value from those of the parts it is made
of, depth first without recursion (chains are deeper than Python's stack), memoised.

A cycle in the data (parts that are, through structures and answered trades, made of
themselves) has no value that a definition "from the parts it is made of" could give: every
part of the cycle (of its strongly connected component) gets the `on_cycle` value ("unknown"),
and the parts that use them compute theirs from that. The strongly connected components are
found as the walk goes (Tarjan's lowlinks), so the result is the same whichever part a walk
starts from: a stored total and a fresh walk from elsewhere always agree.
CFP totals (`supply`) and the trade tree progress (`tree_progress`) both fold this way.
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
    on_cycle: Callable[[K], V],
) -> V:
    """`memo[key]`, computing it and every value it needs first; only `known` keys are
    visited (`compute` sees the others as missing from `memo`). The members of a cycle get
    `on_cycle(member)`; `compute(part)` runs only once every part above it has its value."""
    if key in memo:
        return memo[key]
    index: dict[K, int] = {key: 0}
    low: dict[K, int] = {key: 0}
    open_parts: list[K] = [key]  # visited, component not yet closed (Tarjan's stack)
    is_open: set[K] = {key}
    looped: set[K] = set()  # parts made (directly) of themselves
    stack = [(key, iter(upstream(key)))]
    while stack:
        current, pending = stack[-1]
        for above in pending:
            if above in memo or above not in known:
                continue
            if above not in index:
                index[above] = low[above] = len(index)
                open_parts.append(above)
                is_open.add(above)
                stack.append((above, iter(upstream(above))))
                break
            if above in is_open:
                low[current] = min(low[current], index[above])
                if above == current:
                    looped.add(current)
        else:
            stack.pop()
            if stack:
                below = stack[-1][0]
                low[below] = min(low[below], low[current])
            if low[current] != index[current]:
                continue  # part of a component closed further down the stack
            members = []
            while True:
                member = open_parts.pop()
                is_open.discard(member)
                members.append(member)
                if member == current:
                    break
            if len(members) > 1 or current in looped:
                for member in members:
                    memo[member] = on_cycle(member)
            else:
                memo[current] = compute(current)
    return memo[key]
