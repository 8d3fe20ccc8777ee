"""battrace's CFP as a PACT ProductFootprint, for Tech Specs v2.3 and v3.0 (pure functions).

The field-by-field rules, with the reasons, are in `docs/pact.md`. In short: a part's CFP is
declared per one of its amount units, so the footprint's declared unit is that unit and its
amount is 1; pCF is the sum of the pre-processing and main-production totals (the four rows,
own and component); battrace records neither biogenic uptake nor carbon content, so the pCF
including biogenic uptake equals the one excluding it and contents are 0; the three DQR
(TeR, GeR, TiR) are the technological, geographical and temporal ratings of v3's `dqi`.
"""

from __future__ import annotations

import uuid
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from battrace.store.base import tidy_decimal

SPEC_V2 = "2.3.0"
SPEC_V3 = "3.0.0"
BOUNDARY = (
    "Cradle to gate: raw material acquisition and pre-processing, and main product "
    "production, as registered in battrace (own processes plus suppliers' answers)."
)
# battrace amount units (`traceability.models.AmountUnit`) as each version's declared unit;
# v2 has no unit for pieces, so a part counted in units is served in v3 only.
V2_UNITS = {
    "liter": "liter",
    "kilogram": "kilogram",
    "cubic-meter": "cubic meter",
    "kilowatt-hour": "kilowatt hour",
    "megajoule": "megajoule",
    "ton-kilometer": "ton kilometer",
    "square-meter": "square meter",
}
V3_UNITS = {**V2_UNITS, "unit": "piece"}
# Extensions battrace adds (data model extensions, `x-` names are for query parameters).
STAGES_SCHEMA = "urn:battrace:pact-extension:stages:1.0.0"
SIGNATURE_SCHEMA = "urn:battrace:pact-extension:signature:1.0.0"


@dataclass(frozen=True)
class Figures:
    """What a footprint is made of, as stored with it (`PactFootprint.figures`); strings
    so that it survives JSON exactly."""

    trace_id: str
    product_name: str
    product_description: str
    company_name: str
    company_ids: list[str]
    unit: str
    pre_emission: str
    main_emission: str
    own_emission: str
    ter: str | None
    ger: str | None
    tir: str | None
    reference_period_start: str
    reference_period_end: str
    geography_country: str | None = None
    product_mass_kg: str | None = None
    cpc: str = "4642"  # UN CPC 2.1: electric accumulators and parts (v2 requires one)

    def as_json(self) -> dict[str, object]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Figures:
        return cls(**data)

    @property
    def total(self) -> Decimal:
        return Decimal(self.pre_emission) + Decimal(self.main_emission)

    @property
    def primary_data_share(self) -> Decimal:
        """The share of the total from the company's own processes (measured by it), in %."""
        total = self.total
        if total == 0:
            return Decimal(100)
        share = Decimal(self.own_emission) / total * 100
        return min(max(share, Decimal(0)), Decimal(100)).quantize(Decimal("0.01"))


@dataclass(frozen=True)
class Envelope:
    """The footprint's own identity and state, apart from its figures."""

    id: uuid.UUID
    version: int
    preceding_id: uuid.UUID | None
    status: str
    created: datetime
    updated: datetime


def served_in(version: int, figures: Figures) -> bool:
    """Whether a footprint can be expressed in spec version 2 or 3."""
    return figures.unit in (V2_UNITS if version == 2 else V3_UNITS)


def timestamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def number(value: Decimal) -> str:
    """A decimal as PACT's decimal string: no exponent, no trailing zeros."""
    return format(tidy_decimal(value), "f")


def product_urn(trace_id: str) -> str:
    return f"urn:uuid:{trace_id}"


def _stages(figures: Figures) -> dict[str, object]:
    return {
        "specVersion": "2.0.0",
        "dataSchema": STAGES_SCHEMA,
        "data": {
            "preProcessing": figures.pre_emission,
            "mainProduction": figures.main_emission,
            "declaredUnit": figures.unit,
        },
    }


def _common(envelope: Envelope, figures: Figures) -> dict[str, Any]:
    document: dict[str, Any] = {"id": str(envelope.id)}
    if envelope.preceding_id is not None:
        document["precedingPfIds"] = [str(envelope.preceding_id)]
    document["created"] = timestamp(envelope.created)
    document["status"] = envelope.status
    document["companyName"] = figures.company_name
    document["companyIds"] = list(figures.company_ids)
    document["productDescription"] = figures.product_description
    document["productIds"] = [product_urn(figures.trace_id)]
    document["productNameCompany"] = figures.product_name
    return document


def to_v2(envelope: Envelope, figures: Figures) -> dict[str, Any]:
    """The footprint as a v2.3 ProductFootprint."""
    total = number(figures.total)
    pcf: dict[str, Any] = {
        "declaredUnit": V2_UNITS[figures.unit],
        "unitaryProductAmount": "1",
        "pCfExcludingBiogenic": total,
        "pCfIncludingBiogenic": total,
        "fossilGhgEmissions": total,
        "fossilCarbonContent": "0",
        "biogenicCarbonContent": "0",
        "characterizationFactors": "AR6",
        "ipccCharacterizationFactorsSources": ["AR6"],
        "crossSectoralStandardsUsed": ["ISO Standard 14067"],
        "crossSectoralStandards": ["ISO14067"],
        "boundaryProcessesDescription": BOUNDARY,
        "referencePeriodStart": figures.reference_period_start,
        "referencePeriodEnd": figures.reference_period_end,
        "exemptedEmissionsPercent": 0,
        "exemptedEmissionsDescription": "",
        "packagingEmissionsIncluded": False,
        "primaryDataShare": float(figures.primary_data_share),
    }
    if figures.product_mass_kg is not None:
        pcf["productMassPerDeclaredUnit"] = figures.product_mass_kg
    if figures.geography_country:
        pcf["geographyCountry"] = figures.geography_country
    document = _common(envelope, figures)
    document["specVersion"] = SPEC_V2
    document["version"] = envelope.version
    if envelope.updated != envelope.created:
        document["updated"] = timestamp(envelope.updated)
    if envelope.status == "Deprecated":
        document["statusComment"] = "Superseded: the product's CFP changed."
    document["productCategoryCpc"] = figures.cpc
    document["comment"] = ""
    document["pcf"] = pcf
    document["extensions"] = [_stages(figures)]
    return _ordered(document)


def to_v3(envelope: Envelope, figures: Figures) -> dict[str, Any]:
    """The footprint as a v3.0 ProductFootprint."""
    total = number(figures.total)
    pcf: dict[str, Any] = {
        "declaredUnitOfMeasurement": V3_UNITS[figures.unit],
        "declaredUnitAmount": "1",
        "productMassPerDeclaredUnit": figures.product_mass_kg
        or ("1" if figures.unit == "kilogram" else "0"),
        "referencePeriodStart": figures.reference_period_start,
        "referencePeriodEnd": figures.reference_period_end,
        "pcfExcludingBiogenicUptake": total,
        "pcfIncludingBiogenicUptake": total,
        "fossilGhgEmissions": total,
        "fossilCarbonContent": "0",
        "ipccCharacterizationFactors": ["AR6"],
        "crossSectoralStandards": ["ISO14067"],
        "exemptedEmissionsPercent": "0",
        "packagingEmissionsIncluded": False,
        "primaryDataShare": number(figures.primary_data_share),
    }
    if figures.geography_country:
        pcf["geographyCountry"] = figures.geography_country
    ratings = [figures.ter, figures.ger, figures.tir]
    if all(r is not None and Decimal(1) <= Decimal(r) <= Decimal(5) for r in ratings):
        ter, ger, tir = (number(Decimal(str(r))) for r in ratings)
        pcf["dqi"] = {"technologicalDQR": ter, "geographicalDQR": ger, "temporalDQR": tir}
    document = _common(envelope, figures)
    document["specVersion"] = SPEC_V3
    document["comment"] = ""
    document["pcf"] = pcf
    document["extensions"] = [_stages(figures)]
    return _ordered(document)


_ORDER = [
    "id",
    "specVersion",
    "precedingPfIds",
    "version",
    "created",
    "updated",
    "status",
    "statusComment",
    "validityPeriodStart",
    "validityPeriodEnd",
    "companyName",
    "companyIds",
    "productDescription",
    "productIds",
    "productClassifications",
    "productCategoryCpc",
    "productNameCompany",
    "comment",
    "pcf",
    "extensions",
]


def _ordered(document: dict[str, Any]) -> dict[str, Any]:
    """The specification's field order (readers of raw JSON find fields where they expect)."""
    return {name: document[name] for name in _ORDER if name in document}


def with_signature(document: dict[str, Any], *, jws: str, signer: str, jwks_url: str) -> None:
    """Attach a detached signature (made over the document without it) as an extension."""
    document.setdefault("extensions", []).append(
        {
            "specVersion": "2.0.0",
            "dataSchema": SIGNATURE_SCHEMA,
            "data": {"jws": jws, "signer": signer, "jwks": jwks_url},
        }
    )


def split_signature(document: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any] | None]:
    """The document as it was signed (without the signature extension), and the signature."""
    extensions = document.get("extensions")
    if not isinstance(extensions, list):
        return document, None
    signature = None
    rest = []
    for extension in extensions:
        if isinstance(extension, dict) and extension.get("dataSchema") == SIGNATURE_SCHEMA:
            data = extension.get("data")
            signature = data if isinstance(data, dict) else {}
        else:
            rest.append(extension)
    unsigned = dict(document)
    if rest:
        unsigned["extensions"] = rest
    else:
        unsigned.pop("extensions", None)
    return unsigned, signature


def stages_of(document: dict[str, Any]) -> tuple[Decimal, Decimal] | None:
    """battrace's stage split, when the footprint came from a battrace host."""
    for extension in document.get("extensions") or []:
        if isinstance(extension, dict) and extension.get("dataSchema") == STAGES_SCHEMA:
            data = extension.get("data") or {}
            try:
                return Decimal(str(data["preProcessing"])), Decimal(str(data["mainProduction"]))
            except (KeyError, ArithmeticError, ValueError):
                return None
    return None
