"""Request bodies of the contract, built from plain values: a plant, a part, a CFP set, a
trade request. The demo and the tests' helpers send the same shapes, so they build them here.
"""

from __future__ import annotations

from typing import Any

Dqr = tuple[Any, Any, Any] | None


def plant_body(
    operator_id: object, open_plant_id: str, name: str, address: str
) -> dict[str, object]:
    """A new plant (`PUT authInfo?dataTarget=plant`)."""
    return {
        "openPlantId": open_plant_id,
        "operatorId": str(operator_id),
        "plantAddress": address,
        "plantId": None,
        "plantName": name,
        "plantAttribute": {},
    }


def part_body(
    operator_id: object,
    plant_id: str,
    name: str,
    *,
    label: str | None = None,
    support: str | None = None,
    terminated: bool = False,
    amount: Any = None,  # noqa: ANN401 (a test may send any JSON value)
    unit: str | None = "kilogram",
    trace_id: str | None = None,
) -> dict[str, Any]:
    """A part (`PartsModel`); `trace_id` None asks for a new one."""
    return {
        "amountRequired": amount,
        "amountRequiredUnit": unit,
        "operatorId": str(operator_id),
        "partsName": name,
        "plantId": plant_id,
        "supportPartsName": support,
        "terminatedFlag": terminated,
        "traceId": trace_id,
        "partsLabelName": label,
        "partsAddInfo1": None,
        "partsAddInfo2": None,
        "partsAddInfo3": None,
    }


def cfp_set(
    trace_id: str,
    *,
    pre_production: Any,  # noqa: ANN401
    main_production: Any,  # noqa: ANN401
    pre_component: Any,  # noqa: ANN401
    main_component: Any,  # noqa: ANN401
    unit: str,
    pre_dqr: Dqr,
    main_dqr: Dqr,
    cfp_id: str | None = None,
) -> list[dict[str, Any]]:
    """The four rows of a CFP set (`PUT cfp`); a DQR of None is sent as three nulls."""

    def row(cfp_type: str, value: Any, dqr_type: str, dqr: Dqr) -> dict[str, Any]:  # noqa: ANN401
        ter, ger, tir = dqr if dqr is not None else (None, None, None)
        return {
            "cfpId": cfp_id,
            "traceId": trace_id,
            "ghgEmission": value,
            "ghgDeclaredUnit": unit,
            "cfpType": cfp_type,
            "dqrType": dqr_type,
            "dqrValue": {"TeR": ter, "GeR": ger, "TiR": tir},
        }

    return [
        row("preProduction", pre_production, "preProcessing", pre_dqr),
        row("mainProduction", main_production, "mainProcessing", main_dqr),
        row("preComponent", pre_component, "preProcessing", pre_dqr),
        row("mainComponent", main_component, "mainProcessing", main_dqr),
    ]


def trade_request_body(
    downstream_operator_id: object,
    downstream_trace_id: str,
    upstream_operator_id: object,
    *,
    message: str,
    due: str | None,
) -> dict[str, Any]:
    """A CFP request to a supplier (`PUT datatransport?dataTarget=tradeRequest`)."""
    return {
        "statusModel": {
            "message": message,
            "replyMessage": None,
            "requestStatus": {},
            "requestType": "CFP",
            "statusId": None,
            "tradeId": None,
            "responseDueDate": due,
        },
        "tradeModel": {
            "downstreamOperatorId": str(downstream_operator_id),
            "downstreamTraceId": downstream_trace_id,
            "tradeId": None,
            "upstreamOperatorId": str(upstream_operator_id),
            "upstreamTraceId": None,
        },
    }
