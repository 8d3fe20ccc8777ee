"""Checking a ProductFootprint received from a remote host before anything is stored: its
shape for the spec version it claims, and its owner's signature when it carries one."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from decimal import Decimal
from typing import Any
from urllib.parse import urlsplit

from battrace.identity.signing import verify_value
from battrace.pact.mapping import split_signature
from battrace.pact.transport import HostAccess, Json, PactTransport, TransportError

_DECIMAL = re.compile(r"^[+-]?\d+(\.\d+)?$")
_REQUIRED = {
    2: (
        "id",
        "specVersion",
        "version",
        "created",
        "status",
        "companyName",
        "companyIds",
        "productIds",
        "productNameCompany",
        "pcf",
    ),
    3: (
        "id",
        "specVersion",
        "created",
        "status",
        "companyName",
        "companyIds",
        "productIds",
        "productNameCompany",
        "pcf",
    ),
}
_PCF = {
    2: (
        "declaredUnit",
        "unitaryProductAmount",
        "pCfExcludingBiogenic",
        "referencePeriodStart",
        "referencePeriodEnd",
    ),
    3: (
        "declaredUnitOfMeasurement",
        "declaredUnitAmount",
        "pcfExcludingBiogenicUptake",
        "referencePeriodStart",
        "referencePeriodEnd",
    ),
}


def version_of(document: Json) -> int | None:
    spec = str(document.get("specVersion", ""))
    major = spec.split(".", 1)[0]
    return int(major) if major in ("2", "3") else None


def shape_error(document: Any) -> str | None:  # noqa: ANN401 (untrusted JSON)
    """Why a received footprint cannot be used, or None."""
    if not isinstance(document, dict):
        return "a footprint is not a JSON object"
    version = version_of(document)
    if version is None:
        spec = document.get("specVersion")
        return f"footprint {document.get('id')}: unsupported specVersion {spec!r}"
    missing = [name for name in _REQUIRED[version] if name not in document]
    pcf = document.get("pcf")
    if not isinstance(pcf, dict):
        return f"footprint {document.get('id')}: pcf is missing"
    missing += [f"pcf/{name}" for name in _PCF[version] if name not in pcf]
    if missing:
        return f"footprint {document.get('id')}: missing {', '.join(missing)}"
    try:
        uuid.UUID(str(document["id"]))
    except ValueError:
        return f"footprint id {document['id']!r} is not a UUID"
    amount_name, pcf_name = (
        ("unitaryProductAmount", "pCfExcludingBiogenic")
        if version == 2
        else ("declaredUnitAmount", "pcfExcludingBiogenicUptake")
    )
    for name in (amount_name, pcf_name):
        if not _DECIMAL.match(str(pcf[name])):
            return f"footprint {document['id']}: pcf/{name} {pcf[name]!r} is not a decimal"
    if Decimal(str(pcf[amount_name])) <= 0:
        return f"footprint {document['id']}: pcf/{amount_name} must be positive"
    if document.get("status") not in ("Active", "Deprecated"):
        return f"footprint {document['id']}: status {document.get('status')!r} is unknown"
    return None


@dataclass(frozen=True)
class SignatureCheck:
    state: str  # unsigned, verified, failed
    note: str | None


def _same_origin(url: str, base_url: str) -> bool:
    a, b = urlsplit(url), urlsplit(base_url)
    return (a.scheme, a.hostname, a.port) == (b.scheme, b.hostname, b.port)


class SignatureChecker:
    """Verifies signatures of one pull, fetching each JWKS (from the host itself) once."""

    def __init__(self, transport: PactTransport, host: HostAccess) -> None:
        self._transport = transport
        self._host = host
        self._key_sets: dict[str, Json | str] = {}

    def check(self, document: Json) -> SignatureCheck:
        unsigned, signature = split_signature(document)
        if signature is None:
            return SignatureCheck("unsigned", None)
        jws, url = signature.get("jws"), signature.get("jwks")
        signer = str(signature.get("signer") or document.get("companyName") or "?")
        if not isinstance(jws, str) or not isinstance(url, str):
            return SignatureCheck("failed", "the signature extension is incomplete")
        if not _same_origin(url, self._host.base_url):
            return SignatureCheck(
                "failed", f"the signing keys are not published by the host ({url})"
            )
        key_set = self._key_sets.get(url)
        if key_set is None:
            try:
                key_set = self._transport.fetch_json(self._host, url)
            except TransportError as exc:
                key_set = f"the signing keys could not be fetched: {exc.message}"
            self._key_sets[url] = key_set
        if isinstance(key_set, str):
            return SignatureCheck("failed", key_set)
        outcome = verify_value(unsigned, jws, key_set)
        if outcome.verified:
            return SignatureCheck("verified", f"signed by {signer}, verified (key {outcome.kid})")
        return SignatureCheck("failed", f"signed by {signer}, not verified: {outcome.reason}")
