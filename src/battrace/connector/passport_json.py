"""Passport API answers as JSON (camelCase), and the resolver's public address."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request

from battrace.passport.access import AccessPolicy, policy_from_json
from battrace.passport.identifiers import passport_identifier
from battrace.passport.issuing import IssuedBatch
from battrace.passport.models import BatteryModel, Passport, PassportGrant
from battrace.passport.readings import IngestResult
from battrace.state import AppState


def model_json(model: BatteryModel) -> dict[str, Any]:
    return {
        "modelId": str(model.id),
        "operatorId": str(model.operator_id),
        "name": model.name,
        "category": model.category.value,
        "traceId": str(model.trace_id) if model.trace_id else None,
        "gtin": model.gtin,
        "data": model.data,
        "provenance": model.provenance,
        "version": model.version,
        "headHash": model.head_hash,
        "updatedAt": model.updated_at.isoformat(),
    }


def passport_summary(passport: Passport) -> dict[str, Any]:
    return {
        "passportId": str(passport.id),
        "passportIdentifier": passport_identifier(passport.id),
        "batteryIdentifier": passport.battery_identifier,
        "gtin": passport.gtin,
        "serial": passport.serial,
        "modelId": str(passport.model_id) if passport.model_id else None,
        "batchId": str(passport.batch_id) if passport.batch_id else None,
        "category": passport.category.value,
        "status": passport.status.value,
        "publication": passport.publication.value,
        "responsibleOperatorId": str(passport.responsible_operator_id),
        "ended": passport.ended_at is not None,
        "version": passport.version,
        "createdAt": passport.created_at.isoformat(),
    }


def grant_json(grant: PassportGrant) -> dict[str, Any]:
    return {
        "grantId": str(grant.id),
        "grantorOperatorId": str(grant.grantor_operator_id),
        "granteeOperatorId": str(grant.grantee_operator_id),
        "passportId": str(grant.passport_id) if grant.passport_id else None,
        "modelId": str(grant.model_id) if grant.model_id else None,
        "interest": grant.interest,
        "mayReport": grant.may_report,
        "validFrom": grant.valid_from.isoformat(),
        "validUntil": grant.valid_until.isoformat() if grant.valid_until else None,
        "revokedAt": grant.revoked_at.isoformat() if grant.revoked_at else None,
    }


def batch_json(issued: IssuedBatch) -> dict[str, Any]:
    return {
        "batchId": str(issued.batch.id),
        "modelId": str(issued.batch.model_id),
        "label": issued.batch.label,
        "size": len(issued.passport_ids),
        "passportIds": [str(each) for each in issued.passport_ids],
    }


def ingest_json(result: IngestResult) -> dict[str, Any]:
    return {"received": result.received, "stored": result.stored, "passports": result.passports}


def policy_of(state: AppState) -> AccessPolicy:
    """The deployment's passport access policy (settings' `passport_access_policy`)."""
    return policy_from_json(state.settings.passport_access_policy)


def public_base(request: Request, state: AppState) -> str:
    """The resolver's base address (settings' `public_url`, else this server's)."""
    return state.settings.public_url or str(request.base_url)


__all__ = [
    "batch_json",
    "grant_json",
    "ingest_json",
    "model_json",
    "passport_summary",
    "policy_of",
    "public_base",
]
