"""Round-trip helpers: a document as an exchange format can carry it.

`carried()` applies a format's losses to a document (attributes it has no field for, keys it
drops inside a value, values it replaces), so a round trip is tested as
`import(export(d)) == carried(d)` and the lists below are the tested statement of what each
format cannot carry.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import Any

from battrace.passport.document import PassportDocument

READING_EXTRAS = ("source", "method")


def carried(
    document: PassportDocument,
    *,
    drop: tuple[str, ...],
    drop_keys: Mapping[str, tuple[str, ...]],
    replace: Mapping[str, Callable[[Any], Any]] | None = None,
) -> PassportDocument:
    values: dict[str, object] = dict.fromkeys(drop)
    for item, value in document.values():
        if item.path in drop:
            continue
        keys = drop_keys.get(item.path, ())
        if item.value_type == "reading":
            keys = (*keys, *READING_EXTRAS)
        if keys:
            values[item.path] = _without(value, keys)
        if replace and item.path in replace:
            values[item.path] = replace[item.path](values.get(item.path, value))
    return document.with_values(values)


def _without(value: Any, keys: tuple[str, ...]) -> Any:
    if isinstance(value, list):
        return [_without(row, keys) for row in value]
    if isinstance(value, dict):
        return {k: v for k, v in value.items() if k not in keys}
    return value


def differences(left: PassportDocument, right: PassportDocument) -> dict[str, tuple[Any, Any]]:
    """Attribute path → (left, right) wherever the two documents differ."""
    paths = left.present() | right.present()
    return {p: (left.get(p), right.get(p)) for p in sorted(paths) if left.get(p) != right.get(p)}


def changed(data: Any, changes: Mapping[tuple[str | int, ...], object]) -> Any:
    """A deep copy of JSON `data` with each path set to its value (`KeyError`: removed)."""
    copy = json.loads(json.dumps(data))
    for path, value in changes.items():
        target = copy
        for key in path[:-1]:
            target = target[key]
        if value is KeyError:
            del target[path[-1]]
        else:
            target[path[-1]] = value
    return copy
