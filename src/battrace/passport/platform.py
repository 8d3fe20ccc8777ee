"""What a passport takes from the rest of battrace, each value with where and when it came
from: the CFP engine's declaration (marked provisional: the EU method is not adopted) and the
due-diligence report of the model's product.
"""

from __future__ import annotations

import hashlib
import json
from datetime import date, datetime
from typing import Any

from sqlalchemy.orm import Session

from battrace.diligence import report as dd_report
from battrace.diligence import rollup as dd_rollup
from battrace.footprint import declaration, view
from battrace.footprint import report as cfp_report
from battrace.passport.models import BatteryModel
from battrace.store import version


def _fingerprint(document: object) -> str:
    canonical = json.dumps(document, sort_keys=True, default=str).encode()
    return hashlib.sha256(canonical).hexdigest()[:16]


def carbon_footprint(
    session: Session, model: BatteryModel, battery: declaration.BatteryData, now: datetime
) -> tuple[dict[str, Any], dict[str, Any]]:
    """The `carbon_footprint` section from the declaration of the model's product."""
    assert model.trace_id is not None  # noqa: S101 (the caller checked)
    product = view.product_footprint(session, viewer=model.operator_id, trace_id=model.trace_id)
    declared = declaration.declare(product.footprint, battery)
    document = cfp_report.declaration_to_dict(declared, supplier_names=product.supplier_names)
    values = {
        "carbon_footprint_per_kwh": document["batteryCarbonFootprint"],
        "carbon_footprint_per_lifecycle_stage": document["carbonFootprintPerLifecycleStage"],
        "carbon_footprint_unit": document["unit"],
        "carbon_footprint_study": document["carbonFootprintStudy"],
        "complete": document["complete"],
        "provisional": True,
        "method_note": declared.method_note,
    }
    source = {
        "source": "battrace.footprint",
        "takenAt": now.isoformat(),
        "dataVersion": version.current(session),
        "fingerprint": _fingerprint(document),
        "provisional": True,
    }
    return values, source


def due_diligence(
    session: Session, model: BatteryModel, day: date, now: datetime
) -> tuple[dict[str, Any], dict[str, Any]]:
    """The `due_diligence` section: a summary of the product's DD report on `day`."""
    assert model.trace_id is not None  # noqa: S101 (the caller checked)
    picture = dd_rollup.product_dd(
        session, viewer=model.operator_id, trace_id=model.trace_id, day=day
    )
    document = dd_report.to_dict(picture)
    values = {
        "report_as_of": document["asOf"],
        "materials": document["materials"],
        "suppliers": len(document["suppliers"]),
        "red_flags": len(document["redFlags"]),
        "missing_answers": len(document["missingAnswers"]),
        "attestations": len(document["attestations"]),
    }
    versions = {
        supplier["tradeId"]: supplier["responseVersion"] for supplier in document["suppliers"]
    }
    source = {
        "source": "battrace.diligence",
        "takenAt": now.isoformat(),
        "asOf": document["asOf"],
        "responseVersions": versions,
        "fingerprint": _fingerprint(document),
    }
    return values, source


__all__ = ["carbon_footprint", "due_diligence"]
