"""A product's DD report: a JSON-ready dict and a self-contained HTML page (no scripts, no
external assets) with coverage by material and OECD step, a risk heat map by Annex X
category, the open red flags and the missing answers.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined

from battrace.diligence.questions import RiskCategory
from battrace.diligence.risk import (
    REASON_ANSWERED_UNKNOWN,
    REASON_ANSWERED_YES,
    REASON_NO_ANSWER,
    REASON_NO_FACILITIES,
    MaterialView,
    Origin,
)
from battrace.diligence.rollup import ProductDd

CATEGORY_LABELS = {
    "air": "Air",
    "water": "Water",
    "soil": "Soil",
    "biodiversity": "Biodiversity",
    "human_health": "Human health",
    "occupational_health_safety": "Occupational health & safety",
    "labour_rights": "Labour rights (incl. child labour)",
    "human_rights": "Human rights",
    "community_life": "Community life",
}
STEP_LABELS = {
    1: "1 Management system",
    2: "2 Identify & assess risk",
    3: "3 Respond to risk",
    4: "4 Independent audit",
    5: "5 Report",
}
BAND_COLOURS = {"low": "#2e7d32", "medium": "#f9a825", "high": "#c62828"}


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


def _material(picture: ProductDd, material: str, view: MaterialView) -> dict[str, Any]:
    visible = picture.visible_facilities.get(material, set())
    facilities = view.facilities.values()
    total = len(view.facilities)
    conformant = sum(f.conformant(picture.as_of) for f in facilities)
    return {
        "contained": view.contained,
        "completeness": _round(view.completeness),
        "oecdSteps": {str(step): _round(value) for step, value in view.steps.items()},
        "facilities": {
            "total": total,
            "conformant": conformant,
            "conformantShare": _round(conformant / total) if total else None,
            "notConformantOrUnknownShare": _round(1 - conformant / total) if total else None,
            "listed": [
                {
                    "facilityId": f.facility_id,
                    "name": f.name,
                    "country": f.country,
                    "status": f.status,
                    "conformant": f.conformant(picture.as_of),
                }
                for key, f in sorted(view.facilities.items())
                if key in visible
            ],
            "withheld": sum(1 for key in view.facilities if key not in visible),
        },
        "answers": view.answers,
        "risk": {
            category: {
                "inherent": _round(r.inherent),
                "controlEffectiveness": _round(r.effectiveness),
                "residual": _round(r.residual),
                "band": r.band,
                "redFlag": r.red_flag,
            }
            for category, r in view.risk.items()
        },
    }


def to_dict(picture: ProductDd) -> dict[str, Any]:
    """The report as JSON-ready data (camelCase keys, shares as fractions 0–1)."""
    return {
        "traceId": str(picture.trace_id),
        "partsName": picture.parts_name,
        "asOf": picture.as_of.isoformat(),
        "materials": picture.materials,
        "suppliers": [
            {
                "tradeId": str(s.trade_id),
                "traceId": str(s.part_trace_id),
                "partsName": s.parts_name,
                "supplierOperatorId": str(s.supplier_id),
                "supplierName": s.supplier_name,
                "requestId": str(s.request.id) if s.request else None,
                "requestStatus": s.request.status.value if s.request else "NOT_REQUESTED",
                "responseVersion": s.response.version if s.response else None,
                "submittedAt": s.response.submitted_at.isoformat()
                if s.response and s.response.submitted_at
                else None,
                "completeness": {m: _round(v.completeness) for m, v in s.materials.items()},
            }
            for s in picture.suppliers
        ],
        "byMaterial": {m: _material(picture, m, view) for m, view in picture.by_material.items()},
        "redFlags": [
            {
                "material": f.material,
                "riskCategories": list(f.categories) or [c.value for c in RiskCategory],
                "code": f.code,
                "reason": f.reason,
                "reasonKey": f.reason_key,
                "reasonParams": dict(f.reason_params),
                "origin": f.origin.english if f.origin else "",
                "originParts": _origin(f.origin),
            }
            for f in picture.red_flags
        ],
        "missingAnswers": [
            {"supplier": supplier, "material": material, "code": code}
            for supplier, material, code in picture.missing_answers
        ],
        "attestations": [
            {
                "evidenceId": str(a.evidence_id) if a.evidence_id else None,
                "documentType": a.document_type,
                "sha256": a.sha256,
                "thirdParty": a.third_party,
                "validTo": a.valid_to.isoformat() if a.valid_to else None,
                "confidentiality": a.confidentiality,
                "origin": a.origin.english,
                "originParts": _origin(a.origin),
            }
            for a in picture.attestations
        ],
    }


def _origin(origin: Origin | None) -> dict[str, Any] | None:
    """Who raised a finding in parts a surface words in its language."""
    if origin is None:
        return None
    return {"name": origin.name, "hidden": origin.hidden, "via": list(origin.via)}


# The file's words in English, by the message keys a surface's catalogue words them in (a
# surface passes its own `words` to render the file in its reader's language).
ENGLISH_WORDS: dict[str, str] = {
    "dd_file.lang": "en",
    "dd_file.title": "Due-diligence report: {name}",
    "dd_file.suppliers": "Suppliers",
    "dd_file.part": "Part",
    "dd_file.supplier": "Supplier",
    "dd_file.request": "Request",
    "dd_file.version": "Version",
    "dd_file.material_completeness": "{material} completeness",
    "dd_file.coverage": "Coverage by material and OECD step",
    "dd_file.material": "Material",
    "dd_file.completeness": "Completeness",
    "dd_file.facilities": "Facilities conformant",
    "dd_file.risk": "Residual risk by Annex X category",
    "dd_file.category": "Category",
    "dd_file.red_flags": "Open red flags ({count})",
    "dd_file.question": "Question",
    "dd_file.reason": "Reason",
    "dd_file.from": "From",
    "dd_file.missing": "Missing answers ({count})",
    "dd_file.attestations": "Attestations",
    "dd_file.document": "Document",
    "dd_file.third_party": "Third party",
    "dd_file.valid_to": "Valid to",
    REASON_ANSWERED_YES: "{code} answered yes",
    REASON_ANSWERED_UNKNOWN: "{code} answered unknown",
    REASON_NO_FACILITIES: "no smelter or refiner identified",
    REASON_NO_ANSWER: "no due-diligence answer",
    "dd_origin.upstream_of": "upstream of {name}",
    "dd_origin.via": "{origin} (via {name})",
    **{f"risk.{key}": label for key, label in CATEGORY_LABELS.items()},
    **{f"oecd.{step}": label for step, label in STEP_LABELS.items()},
}
Words = Callable[..., str]


def english(key: str, **values: object) -> str:
    """A word of the file in English; a material is named by its code."""
    text = ENGLISH_WORDS.get(key, key.partition(".")[2])
    return text.format(**values) if values else text


def render_html(picture: ProductDd, *, words: Words = english) -> str:
    """The report as one self-contained HTML file, its words from `words(key, **values)`."""
    env = Environment(
        loader=PackageLoader("battrace.diligence", "templates"),
        autoescape=True,
        undefined=StrictUndefined,
    )
    return env.get_template("dd_report.html.j2").render(
        report=to_dict(picture),
        categories=[c.value for c in RiskCategory],
        steps=[str(step) for step in STEP_LABELS],
        colours=BAND_COLOURS,
        w=words,
    )
