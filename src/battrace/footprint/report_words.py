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
    "fp_file.per_unit": "kgCO2e per unit",
    "fp_file.float_path": "values from the float path, rounded to 5 decimals",
    "fp_file.generated": "generated {when}",
    "fp_file.total_unknown": (
        "The total is {word}: {count} unknown values below. Known so far: {known} {unit} "
        "(not a total)."
    ),
    "fp_file.unknown_word": "unknown",
    "fp_file.provisional": "Provisional: the method is a draft.",
    "fp_file.incomplete": "Incomplete: no total can be declared while values are missing.",
    "fp_file.not_entered": "Not entered: {stages}.",
    "fp_file.parts_without": "Parts without a value: {parts}.",
    "fp_file.years": "{count} years",
    "fp_file.not_given": "not given",
    "fp_file.none_unknown": "None: every value is known.",
    "fp_file.contributions_count": "{count} contributions, largest first",
    "fp_file.largest_listed": "the {count} largest listed",
    "fp_file.rest": "{count} smaller contributions (every row is in the CSV export)",
    "fp_file.cf_implausible": (
        "The carbon footprint is {total} {unit} per functional unit, above {ceiling}: per kWh "
        "delivered over the service life an EV battery is usually 0.1-0.3. Check that the "
        "value is not per kWh of capacity."
    ),
}


# The texts above beside a count, for a count of 1 (Japanese has no plural form).
ENGLISH_SINGULARS: dict[str, str] = {
    "fp_file.total_unknown": (
        "The total is {word}: {count} unknown value below. Known so far: {known} {unit} "
        "(not a total)."
    ),
    "fp_file.years": "{count} year",
    "fp_file.contributions_count": "{count} contribution",
    "fp_file.rest": "{count} smaller contribution (every row is in the CSV export)",
}


def english(key: str, **values: object) -> str:
    text = ENGLISH_WORDS[key]
    if values.get("count") == 1:
        text = ENGLISH_SINGULARS.get(key, text)
    return text.format(**values) if values else text
