"""The upstream schemas in `../shared/reference/passport/` (beside the repository), as validators.

They are third-party data kept outside the package, read only by the tests. When the folder is
missing the exchange tests are skipped, except in CI (CI=true), where they fail: like
PostgreSQL, the reference is required there.
"""

from __future__ import annotations

import codecs
import json
import os
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from jsonschema import FormatChecker
from jsonschema.protocols import Validator
from jsonschema.validators import validator_for

REPOSITORY = Path(__file__).resolve().parents[2]
REFERENCE = REPOSITORY.parent / "shared" / "reference" / "passport"
BATTERY_PASS_FILES = {
    "GeneralProductInformation": "GeneralProductInformation-schema.json",
    "Labeling": "Labeling-schema.json",
    "CarbonFootprintForBatteries": "CarbonFootprintForBatteries-schema.json",
    "SupplyChainDueDiligence": "SupplyChainDueDiligence-schema.json",
    "MaterialComposition": "MaterialComposition-schema.json",
    "Circularity": "Circularity-schema.json",
    "PerformanceAndDurability": "PerformanceAndDurability-1.2.1-schema.json",
}
CATENA_X_FILE = "catenax-battery_pass-6.1.0/BatteryPass-schema.json"


def require_reference() -> Path:
    """The reference folder; skip (or fail in CI) when it is not there."""
    if not (REFERENCE / CATENA_X_FILE).is_file():
        message = f"the upstream passport schemas are not at {REFERENCE}"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    return REFERENCE


def _load(path: Path) -> dict[str, Any]:
    raw = path.read_bytes()
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        text = raw.decode("utf-16")
    else:
        text = raw.decode("utf-8-sig")
    schema: dict[str, Any] = json.loads(text)
    return schema


@cache
def _validator(relative: str) -> Validator:
    schema = _load(require_reference() / relative)
    kind = validator_for(schema)
    kind.check_schema(schema)
    validator: Validator = kind(schema, format_checker=FormatChecker())
    return validator


def battery_pass_errors(aspect: str, instance: object) -> list[str]:
    validator = _validator(f"batterypass-1.2/{BATTERY_PASS_FILES[aspect]}")
    return [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(instance)]


def catena_x_errors(instance: object) -> list[str]:
    validator = _validator(CATENA_X_FILE)
    return [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(instance)]
