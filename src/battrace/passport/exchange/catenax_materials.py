"""The `materials` block of the Catena-X battery pass: active materials (Ni, Li, Co, Pb with
their recycled shares), hazardous substances (Cd, Hg, Pb and the others) and the detailed
composition. Locations of the active metals are "active materials" (Annex XIII 1(e) counts
recycled content there); lead, cadmium and mercury are given for the whole battery."""

from __future__ import annotations

from typing import Any

from battrace.passport.exchange.common import JSON, Needs

PERCENT = "unit:percent"
ACTIVE_LOCATION = "active materials"
WHOLE_BATTERY = "battery"
TEXT = "text/plain"


def text_doc(content: str, header: str) -> JSON:
    return {"content": content, "contentType": TEXT, "header": header[:100]}


def _recycled(needs: Needs, material: str) -> float | None:
    for index, row in enumerate(needs.get("circularity.recycledContent") or []):
        if row["material"] != material:
            continue
        if "share" in row:
            return float(row["share"])
        if "preConsumerShare" in row and "postConsumerShare" in row:
            return float(row["preConsumerShare"]) + float(row["postConsumerShare"])
        needs.require(f"circularity.recycledContent[{index}].share", f"materials.active.{material}")
        return None
    needs.require("circularity.recycledContent", f"materials.active.{material}.recycled")
    return None


def _substance_id(needs: Needs, path: str, row: dict[str, Any], field: str) -> list[JSON]:
    if "casNumber" not in row:
        needs.require(f"{path}.casNumber", field)
        return []
    return [{"id": row["casNumber"], "type": "CAS", "name": row["name"]}]


def materials(needs: Needs, critical: set[str]) -> JSON:
    restricted = needs.need("materials.restrictedSubstances", "materials.hazardous") or {}
    lead: JSON = {
        "impactOfSubstances": [],
        "critical": "lead" in critical,
        "documentation": [],
        "recycled": _recycled(needs, "lead"),
        "location": WHOLE_BATTERY,
        "concentration": restricted.get("lead"),
        "materialUnit": PERCENT,
    }
    active: JSON = {
        metal: {
            "location": ACTIVE_LOCATION,
            "recycled": _recycled(needs, metal),
            "documentation": [],
            "critical": metal in critical,
        }
        for metal in ("nickel", "lithium", "cobalt")
    }
    active["lead"] = lead
    hazardous: JSON = {
        metal: {
            "impactOfSubstances": [],
            "concentration": restricted.get(metal),
            "location": WHOLE_BATTERY,
            "materialUnit": PERCENT,
            "critical": False,
            "documentation": [],
        }
        for metal in ("cadmium", "mercury")
    }
    hazardous["lead"] = lead
    hazardous["other"] = _other_hazardous(needs, critical)
    return {"active": active, "hazardous": hazardous, "composition": _composition(needs)}


def _other_hazardous(needs: Needs, critical: set[str]) -> list[JSON]:
    rows = []
    for index, row in enumerate(needs.get("materials.hazardousSubstances") or []):
        path = f"materials.hazardousSubstances[{index}]"
        for key in ("concentration", "location"):
            if key not in row:
                needs.require(f"{path}.{key}", f"materials.hazardous.other.{key}")
        rows.append(
            {
                "impactOfSubstances": [
                    text_doc(impact, "impact") for impact in row.get("impacts", [])
                ],
                "materialUnit": PERCENT,
                "concentration": row.get("concentration"),
                "materialIdentification": _substance_id(needs, path, row, "materialIdentification"),
                "documentation": (
                    [text_doc(row["hazardClass"], "hazard class")] if "hazardClass" in row else []
                ),
                "critical": row["name"].lower() in critical,
                "location": (row.get("location") or {}).get("componentName"),
            }
        )
    return rows


def _composition(needs: Needs) -> list[JSON]:
    rows = []
    for index, row in enumerate(needs.need("materials.composition", "materials.composition") or []):
        path = f"materials.composition[{index}]"
        for key in ("share", "critical", "recycledShare", "renewableShare"):
            if key not in row:
                needs.require(f"{path}.{key}", f"materials.composition.{key}")
        location = row["component"]
        if "componentId" in row:
            location = f"{location}/{row['componentId']}"
        rows.append(
            {
                "id": _substance_id(needs, path, row, "composition.id"),
                "concentration": row.get("share"),
                "unit": PERCENT,
                "critical": row.get("critical"),
                "documentation": [],
                "recycled": row.get("recycledShare"),
                "location": location,
                "renewable": row.get("renewableShare"),
            }
        )
    return rows
