"""battrace's own bulk save of parts structures, outside the Ouranos contract.

`POST /api/v1/parts/structures` takes a JSON array of structures, each in the contract's
`PUT partsStructure` shape (`parentPartsModel` + `childrenPartsModel`), and saves them all in
one transaction with the set-based save (`traceability.structures.save_structures`): a few
statements for the whole batch instead of about twenty per structure. Every structure is read
with the contract's own readers (`validators.read_structure`'s rules and wording), each
error's field path led by the structure's index (``[2].childrenPartsModel[0]: (…)``). One
refused structure refuses the batch and nothing is written. The answer lists the saved
structures in order, each as `PUT partsStructure` answers it.

Same authentication (`apiKey` + Bearer) and the same ``{code, message, detail}`` error shape as
the contract API (source `dataspace`). Bounds, refused before anything is read or stored:
the body at most `upload_max_bytes` (413), at most `MAX_STRUCTURES` structures and
`MAX_PARTS` parts (parents and children) in all (400).
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from starlette.responses import Response

from battrace.connector.errors import json_response
from battrace.connector.routing import ApiCaller, Batch, ContractRoute, State
from battrace.connector.shapes import part_json
from battrace.errors import BattraceError, Problem, ValidationFailed
from battrace.inputs import validators, wire
from battrace.traceability import parts

router = APIRouter(tags=["parts (battrace)"], route_class=ContractRoute)

MAX_STRUCTURES = 1_000
MAX_PARTS = 10_000  # parents and children of all the structures (the rows of a CSV import)

_PART = {"type": "object", "additionalProperties": True}
_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {
                "schema": {
                    "type": "array",
                    "maxItems": MAX_STRUCTURES,
                    "items": {
                        "type": "object",
                        "properties": {
                            "parentPartsModel": _PART,
                            "childrenPartsModel": {"type": "array", "items": _PART},
                        },
                    },
                }
            }
        },
    }
}


def _batch_size(items: list[object]) -> None:
    """Refuse a batch past the bounds before any structure is read."""
    if len(items) > MAX_STRUCTURES:
        raise wire.fail(
            f"body: at most {MAX_STRUCTURES} structures a request ({len(items)} sent).",
            [Problem("", f"at most {MAX_STRUCTURES} structures a request")],
        )
    count = 0
    for item in items:
        children = item.get("childrenPartsModel") if isinstance(item, dict) else None
        count += 1 + (len(children) if isinstance(children, list) else 0)
    if count > MAX_PARTS:
        raise wire.fail(
            f"body: at most {MAX_PARTS} parts (parents and children) a request ({count} sent).",
            [Problem("", f"at most {MAX_PARTS} parts a request")],
        )


def _at(index: int, exc: BattraceError) -> BattraceError:
    """The error of the batch's `index`-th structure, its field path led by the index."""
    if isinstance(exc, ValidationFailed):
        return ValidationFailed(
            f"[{index}].{exc.message}",
            problems=[
                Problem(f"[{index}].{p.path}" if p.path else f"[{index}]", p.message)
                for p in exc.problems
            ],
        )
    exc.message = f"[{index}]: {exc.message}"
    exc.args = (exc.message,)
    return exc


@router.post("/api/v1/parts/structures", openapi_extra=_BODY)
def post_structures(caller: ApiCaller, state: State, raw: Batch) -> Response:
    """Create or update many parts structures at once, all or nothing (201: the saved
    structures, each in `PUT partsStructure`'s answer shape, in the order sent)."""
    items = wire.parse_json(raw)
    if not isinstance(items, list):
        raise wire.fail("body: must be a JSON array of parts structures.")
    _batch_size(items)
    structures = validators.read_structures(items)
    passed = 0

    def checked(done: int) -> None:
        nonlocal passed
        passed = done

    try:
        with state.writing() as session:
            saved = parts.save_structures(
                session, caller=caller.operator_id, structures=structures, checked=checked
            )
    except BattraceError as exc:
        raise _at(passed, exc) from exc
    return json_response(
        [
            {
                "parentPartsModel": part_json(structure.parent),
                "childrenPartsModel": [
                    part_json(c.part, c.amount_required) for c in structure.children
                ],
            }
            for structure in saved
        ],
        201,
    )
