"""Bad input of any kind: an import either gives a valid document or refuses with problems by
path (`ValidationFailed`); it never fails any other way."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from battrace.errors import ValidationFailed
from battrace.passport.catalogue import Category
from battrace.passport.examples import example_document
from battrace.passport.exchange.batterypass import export_aspects
from battrace.passport.exchange.batterypass_import import import_aspects
from battrace.passport.exchange.catenax import CatenaXMetadata, export_passport
from battrace.passport.exchange.catenax_import import import_passport
from battrace.passport.problems import problems_of
from battrace.passport.validation import problems

EV = example_document(Category.EV)
ASPECTS = export_aspects(EV).aspects
CATENA_X = export_passport(
    EV, CatenaXMetadata("1", date(2026, 3, 1), date(2038, 3, 1), "https://backup.example/p")
).document

JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3)
    ),
    max_leaves=6,
)


def _paths(node: Any, prefix: tuple[str | int, ...] = ()) -> list[tuple[str | int, ...]]:
    found = [prefix] if prefix else []
    if isinstance(node, dict):
        for key, value in node.items():
            found.extend(_paths(value, (*prefix, key)))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            found.extend(_paths(value, (*prefix, index)))
    return found


ASPECT_PATHS = _paths(ASPECTS)
CATENA_X_PATHS = _paths(CATENA_X)


def _mutated(data: Any, path: tuple[str | int, ...], value: object, delete: bool) -> Any:
    copy = json.loads(json.dumps(data))
    target = copy
    for key in path[:-1]:
        target = target[key]
    if delete and isinstance(target, dict):
        del target[path[-1]]
    else:
        target[path[-1]] = value
    return copy


def _imports_or_refuses(run: Any, data: Any) -> None:
    try:
        imported = run(data)
    except ValidationFailed as error:
        assert problems_of(error), error.message
        return
    assert problems(imported.document) == []


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(ASPECT_PATHS), JSON_VALUES, st.booleans())
def test_a_battery_pass_import_never_fails_otherwise(
    path: tuple[str | int, ...], value: object, delete: bool
) -> None:
    _imports_or_refuses(import_aspects, _mutated(ASPECTS, path, value, delete))


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(CATENA_X_PATHS), JSON_VALUES, st.booleans())
def test_a_catena_x_import_never_fails_otherwise(
    path: tuple[str | int, ...], value: object, delete: bool
) -> None:
    _imports_or_refuses(import_passport, _mutated(CATENA_X, path, value, delete))


@settings(max_examples=60, deadline=None)
@given(JSON_VALUES)
def test_any_json_at_all(data: object) -> None:
    _imports_or_refuses(import_aspects, data)
    _imports_or_refuses(import_passport, data)
