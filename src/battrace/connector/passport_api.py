"""battrace's battery passport endpoints (`/api/v1/passports…`).

Same authentication (`apiKey` + Bearer) and the same `{code, message, detail}` error shape as
the other battrace endpoints (source `dataspace`). Each route reads its input, makes one
service call of `battrace.passport` and shapes the answer; who may see or change what is the
domain's decision (a passport the caller may not see is "not found").

- models: `GET|POST /models`, `GET|PUT /models/{id}`, `POST /models/{id}/fill`,
  `PUT /models/{id}/recycledContent`, `GET /models/{id}/completeness`
- passports: `GET /` (own; `serial, modelId, status, publication, batchId, limit, offset`),
  `POST /` (one), `POST /batches`, `POST /publish`, `GET /{id}` (as the caller's role sees
  it), `PUT /{id}/data`, `GET /{id}/history`, `GET /{id}/completeness`, `GET /completeness`,
  `GET /{id}/qr?format=svg|png`, `GET /schema`
- exports: `GET /{id}/export?format=`, `GET /batches/{batchId}/export?format=` (NDJSON stream)
- dynamic data: `POST /readings` (JSON list or `text/csv`), `GET /{id}/readings?metric=`
- lifecycle: `POST /successors`, `POST /{id}/waste`, `POST /{id}/recycled`
- grants: `GET|POST /grants`, `POST /grants/{id}/revoke`
"""

from __future__ import annotations

import json
from collections.abc import Iterator

from fastapi import APIRouter
from sqlalchemy.orm import Session
from starlette.requests import Request
from starlette.responses import Response, StreamingResponse

from battrace import errors
from battrace.connector import passport_json as answers
from battrace.connector.errors import (
    RequestContext,
    Source,
    domain_error_response,
    json_response,
    json_text,
)
from battrace.connector.routing import ApiCaller, ContractRoute, Raw, State
from battrace.inputs import passport_bodies as bodies
from battrace.passport import (
    batch_export,
    battery_models,
    checks,
    issuing,
    lookup,
    transfer,
)
from battrace.passport.access import reader_for
from battrace.passport.models import BatteryCategory, BatteryStatus, Publication
from battrace.passport.schema import document_schema

router = APIRouter(
    prefix="/api/v1/passports", tags=["battery passport (battrace)"], route_class=ContractRoute
)

# --------------------------------------------------------------------------------- models


@router.get("/models")
def list_models(caller: ApiCaller, state: State) -> Response:
    found = state.read(lambda s: battery_models.list_models(s, caller=caller.operator_id))
    return json_response([answers.model_json(each) for each in found])


@router.post("/models")
def create_model(caller: ApiCaller, state: State, raw: Raw) -> Response:
    """`{name, category, traceId?, gtin?, data?}`"""
    values = bodies.body(raw)
    name = bodies.text(values.get("name"), "name", required=True) or ""
    category = bodies.member(BatteryCategory, values.get("category"), "category")
    assert category is not None  # noqa: S101 (required)
    trace_id = bodies.optional_uuid(values.get("traceId"), "traceId")
    gtin = bodies.text(values.get("gtin"), "gtin")
    made = state.write(
        lambda s: battery_models.create_model(
            s,
            caller=caller.operator_id,
            account=caller.account_id,
            name=name,
            category=category,
            trace_id=trace_id,
            gtin=gtin,
            data=values.get("data"),
        )
    )
    return json_response(answers.model_json(made), 201)


@router.get("/models/{model_id}")
def get_model(model_id: str, caller: ApiCaller, state: State) -> Response:
    wanted = bodies.uuid_of(model_id, "modelId")
    found = state.read(
        lambda s: battery_models.get_own_model(s, caller=caller.operator_id, model_id=wanted)
    )
    return json_response(answers.model_json(found))


@router.put("/models/{model_id}")
def update_model(model_id: str, caller: ApiCaller, state: State, raw: Raw) -> Response:
    """`{data: {section: {key: value|null}}, reason?}`"""
    wanted = bodies.uuid_of(model_id, "modelId")
    values = bodies.body(raw)
    data = bodies.data_of(values)
    reason = bodies.text(values.get("reason"), "reason")
    changed = state.write(
        lambda s: battery_models.update_model(
            s,
            caller=caller.operator_id,
            account=caller.account_id,
            model_id=wanted,
            data=data,
            reason=reason,
        )
    )
    return json_response(answers.model_json(changed))


@router.post("/models/{model_id}/fill")
def fill_model(model_id: str, caller: ApiCaller, state: State, raw: Raw) -> Response:
    """Take manufacturer, plant, CFP declaration and DD report from the platform. The CFP
    needs `{usableEnergyKwh, vehicleCategory, warrantyYears, distributionKgCO2e?,
    endOfLifeKgCO2e?}`; without `usableEnergyKwh` the CFP is left as it is."""
    wanted = bodies.uuid_of(model_id, "modelId")
    values = bodies.body(raw)
    battery = bodies.battery_data_of(values)
    filled = state.write(
        lambda s: battery_models.fill_from_platform(
            s,
            caller=caller.operator_id,
            account=caller.account_id,
            model_id=wanted,
            battery=battery,
            disclose_by_default=state.settings.disclose_by_default,
        )
    )
    return json_response(answers.model_json(filled))


@router.put("/models/{model_id}/recycledContent")
def put_recycled_content(model_id: str, caller: ApiCaller, state: State, raw: Raw) -> Response:
    """`{shares: {cobalt: 16, lithium: 6, ...}, source}`"""
    wanted = bodies.uuid_of(model_id, "modelId")
    values = bodies.body(raw)
    shares = bodies.shares_of(values)
    source = bodies.text(values.get("source"), "source", required=True) or ""
    changed = state.write(
        lambda s: battery_models.set_recycled_content(
            s,
            caller=caller.operator_id,
            account=caller.account_id,
            model_id=wanted,
            shares=shares,
            source=source,
            reason=bodies.text(values.get("reason"), "reason"),
        )
    )
    return json_response(answers.model_json(changed))


@router.get("/models/{model_id}/completeness")
def get_model_completeness(model_id: str, caller: ApiCaller, state: State) -> Response:
    wanted = bodies.uuid_of(model_id, "modelId")
    found = state.read(
        lambda s: checks.model_completeness(s, caller=caller.operator_id, model_id=wanted)
    )
    return json_response(found.to_json())


# ------------------------------------------------------------------------------ passports


@router.get("/schema")
def get_schema(caller: ApiCaller, state: State) -> Response:
    """battrace's JSON Schema of a passport document."""
    return json_response(document_schema())


@router.get("")
def search(request: Request, caller: ApiCaller, state: State) -> Response:
    query = request.query_params
    wanted = lookup.PassportSearch(
        serial=query.get("serial") or None,
        model_id=bodies.optional_uuid(query.get("modelId"), "modelId"),
        status=bodies.member(BatteryStatus, query.get("status"), "status", required=False),
        publication=bodies.member(
            Publication, query.get("publication"), "publication", required=False
        ),
        batch_id=bodies.optional_uuid(query.get("batchId"), "batchId"),
        limit=bodies.whole_number(query.get("limit"), "limit", 100),
        offset=bodies.whole_number(query.get("offset"), "offset", 0),
    )
    found = state.read(
        lambda s: lookup.search_passports(s, caller=caller.operator_id, search=wanted)
    )
    return json_response([answers.passport_summary(each) for each in found])


@router.post("")
def create_passport(caller: ApiCaller, state: State, raw: Raw) -> Response:
    """`{modelId, serial | batteryIdentifier, gtin?, data?, publish?}`"""
    values = bodies.body(raw)
    model_id = bodies.uuid_of(values.get("modelId"), "modelId")
    battery = bodies.battery_of(values, "battery")
    made = state.write(
        lambda s: issuing.create_passport(
            s,
            caller=caller.operator_id,
            account=caller.account_id,
            model_id=model_id,
            battery=battery,
            publish=bodies.flag(values.get("publish"), "publish"),
        )
    )
    return json_response(answers.passport_summary(made), 201)


@router.post("/batches")
def create_batch(caller: ApiCaller, state: State, raw: Raw) -> Response:
    """`{modelId, label?, publish?, batteries: [serial | {serial, gtin?, batteryIdentifier?,
    data?}]}`: one passport per battery, all or nothing."""
    values = bodies.body(raw)
    model_id = bodies.uuid_of(values.get("modelId"), "modelId")
    listed = values.get("batteries")
    if not isinstance(listed, list):
        raise errors.ValidationFailed("batteries: a list of serials or batteries.")
    batteries = [bodies.battery_of(each, f"batteries[{n}]") for n, each in enumerate(listed)]
    issued = state.write(
        lambda s: issuing.create_batch(
            s,
            caller=caller.operator_id,
            account=caller.account_id,
            model_id=model_id,
            batteries=batteries,
            label=bodies.text(values.get("label"), "label") or "",
            publish=bodies.flag(values.get("publish"), "publish"),
        )
    )
    return json_response(answers.batch_json(issued), 201)


@router.post("/publish")
def publish(caller: ApiCaller, state: State, raw: Raw) -> Response:
    """`{passportIds: [...]}` or `{batchId}`: drafts become public."""
    values = bodies.body(raw)
    batch_id = bodies.optional_uuid(values.get("batchId"), "batchId")
    if batch_id is not None:
        published = state.write(
            lambda s: issuing.publish_batch(
                s, caller=caller.operator_id, account=caller.account_id, batch_id=batch_id
            )
        )
        return json_response({"published": published})
    listed = bodies.uuid_list(values.get("passportIds"), "passportIds")
    published = state.write(
        lambda s: issuing.publish(
            s, caller=caller.operator_id, account=caller.account_id, passport_ids=listed
        )
    )
    return json_response({"published": published})


def _format(text: str | None) -> transfer.Format:
    try:
        return transfer.Format(text or "battrace")
    except ValueError:
        raise errors.InvalidParameters("format: battrace, batterypass or catenax.") from None


@router.post("/import")
def import_passport(request: Request, caller: ApiCaller, state: State, raw: Raw) -> Response:
    """A passport document another system produced (`format=battrace|batterypass|catenax`)
    as a new passport of the caller's (`modelId=` an existing model, `publish=true`): an
    original one issued, a re-used / repurposed / remanufactured one made from the passports
    here it names, a waste one marked waste. Every problem by path; nothing stored on refusal."""
    kind = _format(request.query_params.get("format"))
    document = transfer.read_document(bodies.body(raw), kind)
    model_id = bodies.optional_uuid(request.query_params.get("modelId"), "modelId")
    made = state.write(
        lambda s: transfer.import_document(
            s,
            caller=caller.operator_id,
            account=caller.account_id,
            document=document,
            model_id=model_id,
            publish=request.query_params.get("publish") == "true",
        )
    )
    return json_response(
        {**answers.passport_summary(made.passport), "readings": made.readings}, 201
    )


@router.get("/{passport_id}/export")
def export_passport(
    request: Request, passport_id: str, caller: ApiCaller, state: State
) -> Response:
    """The passport as `format` (battrace | batterypass | catenax), holding what the caller's
    role may see; `problems` lists what a format still needs."""
    kind = _format(request.query_params.get("format"))
    wanted = bodies.uuid_of(passport_id, "passportId")

    def read(session: Session) -> transfer.Exported:
        reader = reader_for(session, operator_id=caller.operator_id, account_id=caller.account_id)
        return transfer.export(
            session,
            reader=reader,
            passport_id=wanted,
            format=kind,
            policy=answers.policy_of(state),
        )

    return json_response(_exported_json(state.read(read)))


def _exported_json(made: transfer.Exported) -> dict[str, object]:
    return {
        "format": made.format.value,
        "content": made.content,
        "problems": [{"path": p.path, "message": p.message} for p in made.problems],
    }


@router.get("/batches/{batch_id}/export")
def export_batch(request: Request, batch_id: str, caller: ApiCaller, state: State) -> Response:
    """Every passport of one of the caller's production batches as `format` (battrace |
    batterypass | catenax), streamed as NDJSON (`application/x-ndjson`): one line per
    passport, `{"passportId", "format", "content", "problems"}`, the same answer as
    `GET /{id}/export` for that passport (a format that cannot be produced, e.g. Catena-X
    for a non-EV battery, has `content: null` and the `problems` naming why). A passport
    whose export is refused (e.g. an ended passport) becomes a line `{"passportId",
    "error": {code, message, detail}}` (the single export's error) and the stream goes on.
    An unknown batch, or another operator's, is 404; a bad `format` 400."""
    kind = _format(request.query_params.get("format"))
    wanted = bodies.uuid_of(batch_id, "batchId")
    state.read(lambda s: batch_export.own_batch(s, caller=caller.operator_id, batch_id=wanted))
    context = RequestContext(method=request.method, operator_id=str(caller.operator_id))

    def lines() -> Iterator[str]:
        with state.reading() as session:
            reader = reader_for(
                session, operator_id=caller.operator_id, account_id=caller.account_id
            )
            for each in batch_export.export_batch(
                session,
                caller=caller.operator_id,
                reader=reader,
                batch_id=wanted,
                format=kind,
                policy=answers.policy_of(state),
            ):
                line: dict[str, object] = {"passportId": str(each.passport_id)}
                if each.error is not None:
                    answer = domain_error_response(each.error, Source.DATASPACE, context)
                    line["error"] = json.loads(bytes(answer.body))
                elif each.exported is not None:
                    line.update(_exported_json(each.exported))
                yield json_text(line) + "\n"

    return StreamingResponse(lines(), media_type="application/x-ndjson")
