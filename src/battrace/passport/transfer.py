"""Passports leaving and entering battrace: one stored passport exported as battrace's own
document, as the Battery Pass 1.2 aspects or as one Catena-X battery pass 6.1.0 document (as
the reader's role may see it), and a document another system produced imported as a new
passport of the caller's (with its model), validated first, nothing stored on refusal: an
original one as issued, a re-used, repurposed or remanufactured one as the successor of the
passports here it names, a waste one issued and marked waste.
"""

from __future__ import annotations

import enum
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy.orm import Session

from battrace.errors import NotFound, invalid_field
from battrace.passport import battery_models, issuing, lifecycle, lookup, readings
from battrace.passport.access import DEFAULT_POLICY, AccessPolicy, Reader
from battrace.passport.catalogue import Level, find
from battrace.passport.document import PassportDocument
from battrace.passport.exchange import batterypass, batterypass_import, catenax, catenax_import
from battrace.passport.models import BatteryCategory, BatteryStatus, Passport
from battrace.passport.problems import Problem
from battrace.passport.values import OWN_PATHS
from battrace.store.base import utcnow


class Format(enum.StrEnum):
    BATTRACE = "battrace"
    BATTERY_PASS = "batterypass"
    CATENA_X = "catenax"


@dataclass(frozen=True)
class Exported:
    format: Format
    content: dict[str, Any] | None  # None when the format cannot be produced
    problems: tuple[Problem, ...]  # what is missing for (the rest of) the format


def export(
    session: Session,
    *,
    reader: Reader,
    passport_id: uuid.UUID,
    format: Format,
    policy: AccessPolicy = DEFAULT_POLICY,
) -> Exported:
    """One passport in `format`, holding what the reader's role may see."""
    view = lookup.view_passport(session, reader=reader, passport_id=passport_id, policy=policy)
    if view.document is None:
        raise NotFound(f"passportId: the passport {passport_id} has ended.")
    document = view.document
    if format == Format.BATTRACE:
        return Exported(format, document.to_json(), ())
    if format == Format.BATTERY_PASS:
        aspects = batterypass.export_aspects(document)
        return Exported(format, aspects.aspects or None, tuple(aspects.problems))
    issued = view.created_at.date()
    made = catenax.export_passport(
        document,
        catenax.CatenaXMetadata(
            version=str(view.version),
            issued=issued,
            expires=issued + timedelta(days=365 * 15),
            backup_reference=f"urn:uuid:{view.passport_id}",
            status="approved" if view.publication.value == "active" else "draft",
            last_modified=issued,
        ),
    )
    return Exported(format, made.document, tuple(made.problems))


def read_document(data: Mapping[str, Any], format: Format) -> PassportDocument:
    """A passport document from another system's JSON (`ValidationFailed`, by path)."""
    if format == Format.BATTRACE:
        return PassportDocument.from_json(dict(data))
    if format == Format.BATTERY_PASS:
        return batterypass_import.import_aspects(data).document
    return catenax_import.import_passport(data).document


@dataclass(frozen=True)
class ImportedPassport:
    passport: Passport
    model_id: uuid.UUID
    readings: int


def _identifier(document: PassportDocument) -> issuing.NewBattery:
    text = document.battery_identifier
    if text.startswith("(01)") and "(21)" in text:
        gtin, serial = text[4:].split("(21)", 1)
        return issuing.NewBattery(serial=serial, gtin=gtin)
    serial = document.get("general.serialNumber")
    gtin = document.get("general.gtin")
    if isinstance(serial, str) and isinstance(gtin, str):
        return issuing.NewBattery(serial=serial, gtin=gtin)
    return issuing.NewBattery(identifier=text)


def _dynamic_readings(passport_id: uuid.UUID, document: PassportDocument) -> list[readings.Reading]:
    found = []
    for metric in readings.READING_METRICS:
        value = document.get(f"performance.{metric}")
        if isinstance(value, Mapping) and "value" in value and "measuredAt" in value:
            for part in ("", "module", "cell"):
                if part and part not in value:
                    continue
                found.append(
                    readings.reading_from(
                        {
                            "passportId": str(passport_id),
                            "metric": f"{metric}.{part}" if part else metric,
                            "measuredAt": value["measuredAt"],
                            "value": value[part] if part else value["value"],
                            "source": value.get("source"),
                            "method": value.get("method"),
                        },
                        field=f"performance.{metric}",
                    )
                )
    return found


def import_refusal(status: BatteryStatus, *, predecessors: int) -> tuple[str, str] | None:
    """Why a document of this status naming this many predecessors cannot be imported
    (field path, message); None if it can (Art. 77(7)-(8))."""
    if status == BatteryStatus.ORIGINAL and predecessors:
        return (
            "general.predecessorPassports",
            "an original passport has no predecessors; a battery made from others is "
            "re-used, repurposed or remanufactured",
        )
    if status in lifecycle.SUCCESSOR_STATUSES and not predecessors:
        return (
            "general.predecessorPassports",
            f"a {status.value} battery's passport names the passports it was made from "
            "(Art. 77(7)); give at least one, each a passport in battrace that you are "
            "responsible for or hold a re-use, repurposing or remanufacturing grant on",
        )
    if status == BatteryStatus.WASTE and predecessors:
        return (
            "general.status",
            "a battery that becomes waste keeps its passport: import the passport it had "
            "before (as the successor of its predecessors), then mark it waste here",
        )
    return None


def _predecessor_ids(document: PassportDocument) -> list[uuid.UUID]:
    given = document.get("general.predecessorPassports") or []
    found: list[uuid.UUID] = []
    for index, text in enumerate(given if isinstance(given, list) else [given]):
        try:
            found.append(uuid.UUID(str(text).removeprefix("urn:uuid:")))
        except ValueError:
            raise invalid_field(
                f"general.predecessorPassports[{index}]", "a passport identifier (urn:uuid:…)"
            ) from None
    return found


def _check_predecessors(session: Session, caller: uuid.UUID, predecessors: list[uuid.UUID]) -> None:
    for index, each in enumerate(predecessors):
        try:
            lifecycle.predecessor_for_next_life(session, caller, each)
        except NotFound:
            raise invalid_field(
                f"general.predecessorPassports[{index}]",
                f"no passport urn:uuid:{each} in battrace that you may prepare for a new life "
                "(import or issue it first, or ask its responsible operator for a re-use, "
                "repurposing or remanufacturing grant)",
            ) from None


def import_document(
    session: Session,
    *,
    caller: uuid.UUID,
    document: PassportDocument,
    model_id: uuid.UUID | None = None,
    publish: bool = False,
    account: uuid.UUID | None = None,
) -> ImportedPassport:
    """A new passport of the caller's from an imported document: its model-level values
    make a new model (unless `model_id` names one of the caller's), its item-level values
    the battery's data, its dynamic values the first readings.

    An original passport is issued; a re-used, repurposed or remanufactured one is made
    through the lifecycle step from the predecessors it names (passports here, which are
    archived and linked as `lifecycle.create_successor` does); a waste one is issued and
    marked waste, the caller responsible (the producer, its organisation or a waste
    operator)."""
    status = BatteryStatus(document.status.value)
    predecessors = _predecessor_ids(document)
    refusal = import_refusal(status, predecessors=len(predecessors))
    if refusal:
        raise invalid_field(*refusal)
    if status in lifecycle.SUCCESSOR_STATUSES:
        _check_predecessors(session, caller, predecessors)
    model_part, item_part = document.split_by_level()
    category = BatteryCategory(document.category.value)
    if model_id is None:
        model_name = document.get("general.model.name") or document.battery_identifier
        model_data = {
            section: {
                key: value for key, value in values.items() if f"{section}.{key}" not in OWN_PATHS
            }
            for section, values in model_part.items()
        }
        model = battery_models.create_model(
            session,
            caller=caller,
            account=account,
            name=str(model_name)[:256],
            category=category,
            gtin=_gtin(document),
            data={section: values for section, values in model_data.items() if values},
        )
        model_id = model.id
    item_data = {
        section: {
            key: value
            for key, value in values.items()
            if f"{section}.{key}" not in OWN_PATHS and not _dynamic(section, key)
        }
        for section, values in item_part.items()
    }
    found = _identifier(document)
    battery = issuing.NewBattery(
        serial=found.serial,
        gtin=found.gtin,
        identifier=found.identifier,
        data={section: values for section, values in item_data.items() if values},
    )
    if status in lifecycle.SUCCESSOR_STATUSES:
        passport = lifecycle.create_successor(
            session,
            caller=caller,
            account=account,
            predecessor_ids=predecessors,
            status=status,
            category=category,
            model_id=model_id,
            battery=battery,
            reason="imported",
            publish=publish,
        )
    else:
        issued = issuing.create_batch(
            session,
            caller=caller,
            account=account,
            model_id=model_id,
            batteries=[battery],
            label=f"import {utcnow():%Y-%m-%d}",
            publish=publish,
        )
        made = session.get(Passport, issued.passport_ids[0])
        assert made is not None  # noqa: S101 (just made)
        passport = made
        if status == BatteryStatus.WASTE:
            lifecycle.mark_waste(
                session,
                caller=caller,
                account=account,
                passport_id=passport.id,
                new_operator_id=caller,
                reason="imported as waste",
            )
    first = _dynamic_readings(passport.id, document)
    if first:
        readings.record_readings(session, caller=caller, readings=first)
    return ImportedPassport(passport, model_id, len(first))


def _gtin(document: PassportDocument) -> str | None:
    value = document.get("general.gtin")
    return value if isinstance(value, str) else None


def _dynamic(section: str, key: str) -> bool:
    item = find(f"{section}.{key}")
    return item is not None and (item.dynamic or item.level is not Level.ITEM)


__all__ = [
    "Exported",
    "Format",
    "ImportedPassport",
    "export",
    "import_document",
    "import_refusal",
    "read_document",
]
