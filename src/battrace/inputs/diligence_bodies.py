"""Due-diligence answer bodies (`PUT /api/v1/diligence/requests/{id}/answer`), read the same
way by the API and by `battrace dd answer`."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from battrace import errors
from battrace.diligence import answering
from battrace.diligence.facilities import FacilityWrite
from battrace.inputs.fields import date_field, list_field, plain_text, text_field, uuid_field


def answer_writes(body: Mapping[str, Any]) -> list[answering.AnswerWrite]:
    writes = []
    for i, item in enumerate(list_field(body.get("answers"), "answers")):
        if not isinstance(item, Mapping):
            raise errors.ValidationFailed(f"answers[{i}]: must be an object.")
        writes.append(
            answering.AnswerWrite(
                code=plain_text(item.get("code"), f"answers[{i}].code"),
                material=text_field(item.get("material"), f"answers[{i}].material"),
                value=item.get("value"),
                comment=text_field(item.get("comment"), f"answers[{i}].comment"),
                evidence=tuple(
                    uuid_field(e, f"answers[{i}].evidence")
                    for e in list_field(item.get("evidence"), f"answers[{i}].evidence")
                ),
            )
        )
    return writes


def facility_writes(body: Mapping[str, Any]) -> list[FacilityWrite]:
    writes = []
    for i, item in enumerate(list_field(body.get("facilities"), "facilities")):
        if not isinstance(item, Mapping):
            raise errors.ValidationFailed(f"facilities[{i}]: must be an object.")
        writes.append(
            FacilityWrite(
                material=plain_text(item.get("material"), f"facilities[{i}].material"),
                facility_id=text_field(item.get("facilityId"), f"facilities[{i}].facilityId"),
                name=plain_text(item.get("name"), f"facilities[{i}].name"),
                country=text_field(item.get("country"), f"facilities[{i}].country"),
                scheme=text_field(item.get("scheme"), f"facilities[{i}].scheme"),
                status=text_field(item.get("status"), f"facilities[{i}].status"),
                valid_to=date_field(item.get("validTo"), f"facilities[{i}].validTo"),
            )
        )
    return writes


def signer_of(body: Mapping[str, Any]) -> answering.Signer:
    signer = body.get("signer") or {}
    if not isinstance(signer, Mapping):
        raise errors.ValidationFailed("signer: must be an object.")
    return answering.Signer(
        name=text_field(signer.get("name"), "signer.name"),
        title=text_field(signer.get("title"), "signer.title"),
        email=text_field(signer.get("email"), "signer.email"),
    )
