"""Validation of served documents against the official PACT OpenAPI schemas (3.1, so JSON
Schema 2020-12), with the format checker on: uuid and date-time are checked."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import yaml
from jsonschema import Draft202012Validator, FormatChecker
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

HERE = Path(__file__).parent / "pact_openapi"
FILES = {2: "openapi_v2_3.yaml", 3: "openapi_v3_0.yaml"}
ROOT = "urn:pact:openapi"


@cache
def validator(version: int, schema: str = "ProductFootprint") -> Draft202012Validator:
    document = yaml.safe_load((HERE / FILES[version]).read_text())
    registry: Registry[Any] = Registry().with_resource(
        ROOT, Resource.from_contents(document, default_specification=DRAFT202012)
    )
    return Draft202012Validator(
        {"$ref": f"{ROOT}#/components/schemas/{schema}"},
        registry=registry,
        format_checker=FormatChecker(),
    )


def assert_valid(version: int, document: Any, schema: str = "ProductFootprint") -> None:
    errors = sorted(validator(version, schema).iter_errors(document), key=lambda e: list(e.path))
    assert not errors, "\n".join(f"{list(e.path)}: {e.message}" for e in errors[:10])
