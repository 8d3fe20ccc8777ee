"""The words of the footprint HTML report in English, by the message keys a surface's
catalogue words them in: a surface passes its own `words(key, **values)` to render the file
in its reader's language (the web does, from its ja/en catalogue)."""

from __future__ import annotations

from collections.abc import Callable

Words = Callable[..., str]

ENGLISH_WORDS: dict[str, str] = {
    "fp_file.lang": "en",
    "fp_file.title": "Carbon footprint report: {name}",
    "fp_file.heading": "Carbon footprint report",
    "fp_file.summary": "Summary",
    "fp_file.stage": "Stage",
    "fp_file.total": "Total",
    "fp_file.own": "Own",
    "fp_file.components": "Components",
    "fp_file.known": "Known",
    "fp_file.primary_share": "Primary share",
    "fp_file.unknown_parts": "Unknown parts",
    "fp_file.declaration": "EU battery carbon-footprint declaration",
    "fp_file.life_cycle_stage": "Life-cycle stage (Annex II)",
    "fp_file.per_battery": "kgCO2e per battery",
    "fp_file.share": "Share",
    "fp_file.per_functional_unit": "Carbon footprint per functional unit",
    "fp_file.vehicle_category": "Vehicle category",
    "fp_file.usable_energy": "Usable energy at beginning of life",
    "fp_file.cycles": "Full equivalent cycles per year",
    "fp_file.cycles_justification": "Justification of the cycles",
    "fp_file.service_life": "Service life (warranty)",
    "fp_file.total_energy": "Total energy over the service life (functional units)",
    "fp_file.study": "Public carbon-footprint study",
    "fp_file.charts": "Where the footprint comes from",
    "fp_file.unknown": "Unknown values",
    "fp_file.part": "Part",
    "fp_file.supplier": "Supplier",
    "fp_file.reason": "Reason",
    "fp_file.quantity": "Quantity",
    "fp_file.unit": "Unit",
    "fp_file.share_of_inputs": "Share of inputs",
    "fp_file.contributions": "Contributions",
    "fp_file.origin": "Origin",
    "fp_file.provenance": "Provenance",
    "fp_file.value": "Value",
    "fp_file.emission": "Emission",
}


def english(key: str, **values: object) -> str:
    text = ENGLISH_WORDS[key]
    return text.format(**values) if values else text
