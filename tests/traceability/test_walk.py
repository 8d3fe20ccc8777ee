"""`walk.fold_upstream`: every part of a cycle gets the cycle's value, whichever part the walk
starts from, and every other part is computed from the values above it."""

from __future__ import annotations

import itertools

from battrace.traceability.walk import fold_upstream

# a is made of b; b of c and d; c of b (a cycle b <-> c); d of e; e of nothing; f of itself;
# g of f and e. The cycle members are b, c and f; a, d, e and g are not on a cycle.
MADE_OF = {
    "a": ["b"],
    "b": ["c", "d"],
    "c": ["b"],
    "d": ["e"],
    "e": [],
    "f": ["f"],
    "g": ["f", "e"],
}
UNKNOWN = "?"


def _fold(order: tuple[str, ...]) -> dict[str, str]:
    memo: dict[str, str] = {}

    def compute(part: str) -> str:
        above = [memo.get(p, UNKNOWN) for p in MADE_OF[part]]
        return part + "(" + ",".join(above) + ")"

    for start in order:
        fold_upstream(
            start,
            memo,
            MADE_OF.__getitem__,
            compute,
            known=MADE_OF,
            on_cycle=lambda _part: UNKNOWN,
        )
    return memo


def test_every_part_of_a_cycle_is_unknown_and_the_rest_is_computed_from_above() -> None:
    assert _fold(tuple(MADE_OF)) == {
        "a": "a(?)",
        "b": UNKNOWN,
        "c": UNKNOWN,
        "d": "d(e())",
        "e": "e()",
        "f": UNKNOWN,
        "g": "g(?,e())",
    }


def test_the_values_do_not_depend_on_where_the_walks_start() -> None:
    results = {tuple(sorted(_fold(order).items())) for order in itertools.permutations(MADE_OF)}
    assert len(results) == 1


def test_a_part_outside_known_is_missing_for_compute() -> None:
    memo: dict[str, str] = {}
    fold_upstream(
        "d",
        memo,
        MADE_OF.__getitem__,
        lambda part: part + str([memo.get(p, UNKNOWN) for p in MADE_OF[part]]),
        known={"d"},
        on_cycle=lambda _part: "cycle",
    )
    assert memo == {"d": "d['?']"}
