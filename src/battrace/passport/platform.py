"""What a passport takes from the rest of battrace, each value with where and when it came
from: the operator and plant (identity), the CFP engine's declaration (marked provisional:
the EU method is not adopted) and the due-diligence report of the model's product.
"""

from __future__ import annotations

import hashlib
import json
import re
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session

from battrace.diligence import report as dd_report
from battrace.diligence import rollup as dd_rollup
from battrace.footprint import declaration, view
from battrace.ids import OperatorId
from battrace.passport.document import timestamp, to_json_value
from battrace.passport.models import BatteryModel
from battrace.store import version

# "street, postal code city, CC" (or "street, city postal code, CC")
_ADDRESS = re.compile(
    r"\s*(?P<street>[^,]+),\s*(?:(?P<postal>[0-9][0-9A-Z\- ]{2,9})\s+(?P<city>[^,]+)"
    r"|(?P<city2>[^,]+?)\s+(?P<postal2>[0-9][0-9A-Z\- ]{2,9})),\s*(?P<country>[A-Z]{2})\s*"
)
_STAGES = {
    declaration.LifecycleStage.RAW_MATERIAL: "rawMaterialExtraction",
    declaration.LifecycleStage.MAIN_PRODUCTION: "mainProduction",
    declaration.LifecycleStage.DISTRIBUTION: "distribution",
    declaration.LifecycleStage.END_OF_LIFE: "recycling",
}


def structured_address(text: str) -> dict[str, str] | None:
    """An address the passport document can hold, if the free text reads as one."""
    found = _ADDRESS.fullmatch(text)
    if found is None:
        return None
    return {
        "street": found["street"].strip(),
        "postalCode": (found["postal"] or found["postal2"]).strip(),
        "city": (found["city"] or found["city2"]).strip(),
        "country": found["country"],
    }


def provenance(
    origin: str, now: datetime, *, reference: str | None = None, version_text: str | None = None
) -> dict[str, Any]:
    """A `provenance` value: where a value came from and when it was taken."""
    taken: dict[str, Any] = {"origin": origin, "takenAt": timestamp(now)}
    if reference:
        taken["reference"] = reference
    if version_text:
        taken["version"] = version_text
    return taken


def _fingerprint(document: object) -> str:
    canonical = json.dumps(document, sort_keys=True, default=str).encode()
    return hashlib.sha256(canonical).hexdigest()[:16]


def _positive(value: Decimal | None) -> Any:  # noqa: ANN401 (a JSON number or None)
    return to_json_value(value) if value is not None and value > 0 else None


def carbon_footprint(
    session: Session,
    model: BatteryModel,
    battery: declaration.BatteryData,
    now: datetime,
    disclose_by_default: bool,
) -> tuple[dict[str, Any], dict[str, Any]]:
    """The `carbonFootprint` section from the declaration of the model's product."""
    assert model.trace_id is not None  # noqa: S101 (the caller checked)
    product = view.product_footprint(
        session,
        viewer=OperatorId(model.operator_id),
        trace_id=model.trace_id,
        disclose_by_default=disclose_by_default,
    )
    declared = declaration.declare(product.footprint, battery)
    stages = [
        {"stage": _STAGES[each.stage], "value": to_json_value(each.kg_co2e_per_kwh)}
        for each in declared.stages
        if each.kg_co2e_per_kwh is not None and each.kg_co2e_per_kwh >= 0
    ]
    source = provenance(
        "battrace CFP declaration (provisional method)",
        now,
        reference=f"traceId {model.trace_id}",
        version_text=(
            f"data version {version.current(session, model.operator_id)}, {_fingerprint(stages)}"
        ),
    )
    values: dict[str, Any] = {
        "carbonFootprint": _positive(declared.kg_co2e_per_kwh),
        "absoluteCarbonFootprint": _positive(declared.kg_co2e_per_battery),
        "stages": stages or None,
        "study": declared.study_link,
        "provisional": True,
        "source": source,
    }
    return {key: value for key, value in values.items() if value is not None}, source


def due_diligence(
    session: Session, model: BatteryModel, day: date, now: datetime
) -> tuple[dict[str, Any], dict[str, Any]]:
    """The `dueDiligence` section: a summary of the product's DD report on `day`."""
    assert model.trace_id is not None  # noqa: S101 (the caller checked)
    picture = dd_rollup.product_dd(
        session, viewer=OperatorId(model.operator_id), trace_id=model.trace_id, day=day
    )
    document = dd_report.to_dict(picture)
    materials = ", ".join(document["materials"]) or "none listed"
    summary = (
        f"Due-diligence report of {document['partsName']} as of {document['asOf']}: "
        f"materials {materials}; {len(document['suppliers'])} suppliers, "
        f"{len(document['redFlags'])} red flags, "
        f"{len(document['missingAnswers'])} answers missing, "
        f"{len(document['attestations'])} attestations."
    )
    versions = ", ".join(
        f"{supplier['tradeId']}: v{supplier['responseVersion']}"
        for supplier in document["suppliers"]
        if supplier["responseVersion"] is not None
    )
    source = provenance(
        "battrace DD report",
        now,
        reference=f"traceId {model.trace_id}, as of {document['asOf']}",
        version_text=versions or _fingerprint(document),
    )
    return {"summary": summary, "source": source}, source


__all__ = ["carbon_footprint", "due_diligence", "provenance", "structured_address"]
