"""Operator and plant bodies (#2 #4) checked by the contract's rules, message for message;
the API (`PUT /api/v1/authInfo`) and the web forms read them the same way."""

from __future__ import annotations

from typing import Any

from battrace.identity import operators, plants
from battrace.inputs import wire

OPERATOR = wire.struct(
    "traceability.PutOperatorInput",
    operatorId=wire.STRING,
    operatorName=wire.STRING,
    operatorAddress=wire.STRING,
    openOperatorId=wire.STRING,
    operatorAttribute=wire.struct(
        "traceability.OperatorAttributeInput", globalOperatorId=wire.STRING
    ),
)
PLANT = wire.struct(
    "traceability.PutPlantInput",
    plantId=wire.STRING,
    operatorId=wire.STRING,
    plantName=wire.STRING,
    plantAddress=wire.STRING,
    openPlantId=wire.STRING,
    plantAttribute=wire.struct("traceability.PlantAttributeInput", globalPlantId=wire.STRING),
)


def _check_attribute(body: dict[str, Any], name: str, key: str, fields: wire.Errors) -> None:
    """Raise the field errors first, then `<name>: (<key>: …)`, as the reference's AUTH
    JoinErrors words them; nothing if there are none."""
    attribute = body.get(name)
    messages = [fields.render()] if fields else []
    problems = fields.problems()
    if isinstance(attribute, dict):
        nested = wire.Errors()
        wire.collect(nested, key, attribute.get(key), wire.rune_length(0, 256))
        if nested:
            messages.append(f"{name}: ({nested.render()})")
            problems.extend(nested.problems(f"{name}."))
    if not messages:
        return
    if len(messages) == 1 and fields:
        raise wire.fail(messages[0], problems)
    raise wire.fail(wire.join_errors(messages, always_period=True), problems)


def read_operator_update(body: dict[str, Any]) -> operators.OperatorUpdate:
    errors = wire.Errors()
    wire.collect(
        errors,
        "openOperatorId",
        body.get("openOperatorId"),
        wire.required,
        wire.rune_length(1, 20),
    )
    wire.collect(
        errors,
        "operatorAddress",
        body.get("operatorAddress"),
        wire.required,
        wire.rune_length(1, 256),
    )
    wire.collect(errors, "operatorAttribute", body.get("operatorAttribute"), _present)
    wire.collect(errors, "operatorId", body.get("operatorId"), wire.uuid_required)
    wire.collect(
        errors, "operatorName", body.get("operatorName"), wire.required, wire.rune_length(1, 256)
    )
    _check_attribute(body, "operatorAttribute", "globalOperatorId", errors)
    operator_id = wire.as_uuid(body["operatorId"])
    assert operator_id is not None  # noqa: S101 (validated above)
    return operators.OperatorUpdate(
        operator_id=operator_id,
        name=body["operatorName"],
        address=body["operatorAddress"],
        open_operator_id=body["openOperatorId"],
        global_operator_id=(body.get("operatorAttribute") or {}).get("globalOperatorId"),
    )


def _present(value: object) -> str | None:
    """An attribute object must be sent ({} is fine)."""
    return "cannot be blank" if value is None else None


def _open_plant_id(value: object) -> str | None:
    """openPlantId: at most 26 characters, present, and its last 6 bytes an integer (the
    reference uses Go's strconv.Atoi, so a sign is accepted)."""
    if value is not None and isinstance(value, str) and len(value) > 26:
        return "the length must be no more than 26"
    if value is None:
        return "is required"
    tail = str(value).encode()[-6:]
    digits = tail[1:] if tail[:1] in (b"+", b"-") else tail
    if len(str(value).encode()) < 6 or not digits or not digits.isdigit():
        return "the last 6 digits must always be numeric "
    return None


def read_plant(body: dict[str, Any]) -> plants.PlantWrite:
    """A plant body (#4) checked by the contract's rules; the web forms use it too."""
    errors = wire.Errors()
    wire.collect(errors, "openPlantId", body.get("openPlantId"), _open_plant_id)
    wire.collect(errors, "operatorId", body.get("operatorId"), wire.uuid_required)
    wire.collect(
        errors, "plantAddress", body.get("plantAddress"), wire.required, wire.rune_length(1, 256)
    )
    wire.collect(errors, "plantAttribute", body.get("plantAttribute"), _present)
    wire.collect(errors, "plantId", body.get("plantId"), wire.nil_or_uuid)
    wire.collect(
        errors, "plantName", body.get("plantName"), wire.required, wire.rune_length(1, 256)
    )
    _check_attribute(body, "plantAttribute", "globalPlantId", errors)
    operator_id = wire.as_uuid(body["operatorId"])
    assert operator_id is not None  # noqa: S101
    plant_id = wire.as_uuid(body.get("plantId"))
    return plants.PlantWrite(
        plant_id=None if plant_id is None or plant_id.int == 0 else plant_id,
        operator_id=operator_id,
        name=body["plantName"],
        address=body["plantAddress"],
        open_plant_id=body["openPlantId"],
        global_plant_id=(body.get("plantAttribute") or {}).get("globalPlantId"),
    )
