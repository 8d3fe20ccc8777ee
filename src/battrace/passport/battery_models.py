"""Battery models (types): model-level passport data shared by every battery of the model.

A model may be linked to one of the operator's products (a trace id). Then the carbon
footprint comes from the CFP engine's declaration and the responsible-sourcing information
from the due-diligence report (`fill_from_platform`), and the manufacturer and its address
from the operator and the product's plant; each taken value records where and when it came
from. Recycled content is set per element by the recycling work (`set_recycled_content`).
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from battrace.errors import InvalidRequest, NotFound
from battrace.footprint.declaration import BatteryData
from battrace.identity.models import Operator, Plant
from battrace.ids import OperatorId, TraceId, new_id
from battrace.passport import composing, history, platform
from battrace.passport.document import to_json_value
from battrace.passport.identifiers import normalise_gtin
from battrace.passport.models import BatteryCategory, BatteryModel
from battrace.passport.values import check_document, check_sections, merged
from battrace.store.base import utcnow
from battrace.traceability import parts

RECYCLED_ELEMENTS = ("cobalt", "lithium", "nickel", "lead")


def create_model(
    session: Session,
    *,
    caller: uuid.UUID,
    name: str,
    category: BatteryCategory,
    trace_id: uuid.UUID | None = None,
    gtin: str | None = None,
    data: Mapping[str, Any] | None = None,
    account: uuid.UUID | None = None,
) -> BatteryModel:
    """A new battery model of the caller's, optionally linked to one of its products."""
    name = name.strip()
    if not name or len(name) > 256:
        raise InvalidRequest("name: 1-256 characters.")
    if (
        trace_id is not None
        and parts.get_own_part(session, caller=OperatorId(caller), trace_id=TraceId(trace_id))
        is None
    ):
        raise NotFound(f"traceId: no part {trace_id} of yours.")
    sections = check_sections(data)
    now = utcnow()
    model = BatteryModel(
        id=new_id(),
        operator_id=caller,
        name=name,
        category=category,
        trace_id=trace_id,
        gtin=normalise_gtin(gtin) if gtin else None,
        data={},
        provenance={},
        version=0,
        head_hash="",
        created_at=now,
        updated_at=now,
    )
    session.add(model)
    _set_data(session, model, sections, actor=caller, account=account, action="create", at=now)
    return model


def get_own_model(session: Session, *, caller: uuid.UUID, model_id: uuid.UUID) -> BatteryModel:
    model = session.get(BatteryModel, model_id)
    if model is None or model.operator_id != caller:
        raise NotFound(f"modelId: no model {model_id} of yours.")
    return model


def list_models(session: Session, *, caller: uuid.UUID) -> Sequence[BatteryModel]:
    return session.scalars(
        select(BatteryModel).where(BatteryModel.operator_id == caller).order_by(BatteryModel.name)
    ).all()


def update_model(
    session: Session,
    *,
    caller: uuid.UUID,
    model_id: uuid.UUID,
    data: Mapping[str, Any],
    reason: str | None = None,
    account: uuid.UUID | None = None,
) -> BatteryModel:
    """Set (or, with a None value, remove) model-level attributes; a new version."""
    model = get_own_model(session, caller=caller, model_id=model_id)
    _set_data(
        session,
        model,
        check_sections(data),
        actor=caller,
        account=account,
        action="update",
        reason=reason,
        at=utcnow(),
    )
    return model


def _set_data(
    session: Session,
    model: BatteryModel,
    update: Mapping[str, Mapping[str, Any]],
    *,
    actor: uuid.UUID,
    account: uuid.UUID | None,
    action: str,
    at: datetime,
    reason: str | None = None,
    provenance: Mapping[str, Any] | None = None,
) -> None:
    after = merged(model.data, update)
    changes = history.diff_document(model.data, after)
    if not changes and action != "create":
        return
    check_document(composing.model_document(model, after), subject="model data")
    model.data = after
    if provenance:
        model.provenance = {**model.provenance, **provenance}
    model.updated_at = at
    history.record(
        session,
        model,
        actor=actor,
        account=account,
        action=action,
        reason=reason,
        changes=changes,
        at=at,
    )


def _manufacturer(session: Session, model: BatteryModel) -> dict[str, Any]:
    """`general.manufacturer` from the operator, and `general.manufacturingPlace` from the
    plant of the model's product when its address reads as "street, postal code city,
    country code" (a free-form address is left for the operator to enter)."""
    operator = session.get(Operator, model.operator_id)
    assert operator is not None  # noqa: S101 (a foreign key)
    manufacturer: dict[str, Any] = {"name": operator.name, "identifier": operator.open_operator_id}
    address = platform.structured_address(operator.address)
    if address:
        manufacturer["address"] = address
    values: dict[str, Any] = {"manufacturer": manufacturer}
    if model.trace_id is not None:
        part = parts.get_own_part(
            session, caller=OperatorId(model.operator_id), trace_id=model.trace_id
        )
        plant = session.get(Plant, (model.operator_id, part.plant_id)) if part else None
        place = platform.structured_address(plant.address) if plant else None
        if plant is not None and place is not None:
            values["manufacturingPlace"] = {
                "name": plant.name,
                "identifier": plant.open_plant_id,
                "address": place,
            }
    return values


def fill_from_platform(
    session: Session,
    *,
    caller: uuid.UUID,
    model_id: uuid.UUID,
    battery: BatteryData | None = None,
    day: date | None = None,
    account: uuid.UUID | None = None,
    disclose_by_default: bool,
) -> BatteryModel:
    """Take the manufacturer and plant from identity, and, for a model linked to a product,
    the CFP declaration (given the battery data it needs) and the DD report. Each filled
    section records its source, version and the time it was taken."""
    model = get_own_model(session, caller=caller, model_id=model_id)
    now = utcnow()
    update: dict[str, dict[str, Any]] = {"general": _manufacturer(session, model)}
    provenance: dict[str, Any] = {"general": platform.provenance("battrace identity", now)}
    if model.trace_id is not None:
        if battery is not None:
            values, source = platform.carbon_footprint(
                session, model, battery, now, disclose_by_default
            )
            update["carbonFootprint"] = values
            provenance["carbonFootprint"] = source
        values, source = platform.due_diligence(session, model, day or now.date(), now)
        update["dueDiligence"] = values
        provenance["dueDiligence"] = source
    _set_data(
        session,
        model,
        update,
        actor=caller,
        account=account,
        action="fill-from-platform",
        reason="taken from the platform",
        at=now,
        provenance=provenance,
    )
    return model


def set_recycled_content(
    session: Session,
    *,
    caller: uuid.UUID,
    model_id: uuid.UUID,
    shares: Mapping[str, Decimal],
    source: str,
    reason: str | None = None,
    account: uuid.UUID | None = None,
) -> BatteryModel:
    """Set the recycled-content share (percent, 0-100) per element on a model (Art. 8):
    `{"cobalt": Decimal("16"), ...}` for cobalt, lithium, nickel, lead. `source` names where
    the figure comes from (e.g. the recycling report)."""
    model = get_own_model(session, caller=caller, model_id=model_id)
    if not shares:
        raise InvalidRequest("shares: give at least one element.")
    rows = {
        row["material"]: dict(row)
        for row in model.data.get("circularity", {}).get("recycledContent", [])
        if isinstance(row, Mapping) and "material" in row
    }
    for element, share in shares.items():
        if element not in RECYCLED_ELEMENTS:
            raise InvalidRequest(f"shares.{element}: one of {', '.join(RECYCLED_ELEMENTS)}.")
        if not isinstance(share, Decimal) or not share.is_finite() or not 0 <= share <= 100:
            raise InvalidRequest(f"shares.{element}: a percentage from 0 to 100.")
        # a new total share replaces the old split into pre- and post-consumer shares
        rows[element] = {"material": element, "share": to_json_value(share)}
    values = {"recycledContent": [rows[name] for name in RECYCLED_ELEMENTS if name in rows]}
    now = utcnow()
    _set_data(
        session,
        model,
        {"circularity": values},
        actor=caller,
        account=account,
        action="recycled-content",
        reason=reason,
        at=now,
        provenance={"circularity": platform.provenance(source, now)},
    )
    return model


__all__ = [
    "RECYCLED_ELEMENTS",
    "create_model",
    "fill_from_platform",
    "get_own_model",
    "list_models",
    "set_recycled_content",
    "update_model",
]
