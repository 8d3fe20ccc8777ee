"""A supplier links one of its parts to a customer's request: a part whose CFP is declared per
another unit than the customer counts its part in is refused at the link (the customer's
roll-up could not use it), through the contract API, with nothing stored."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from battrace import errors
from battrace.store import Database
from battrace.traceability.trades import check_link_unit
from tests.support import DT, A, B, create_plant, part, trade_request, tutorial_chain


def test_the_rule() -> None:
    check_link_unit({"kgCO2e/unit"}, "unit")
    check_link_unit(set(), "unit")  # no CFP yet: nothing to compare
    check_link_unit({"kgCO2e/kilogram"}, None)  # the customer named no unit
    with pytest.raises(errors.ValidationFailed) as refused:
        check_link_unit({"kgCO2e/kilogram"}, "unit")
    assert [p.path for p in refused.value.problems] == ["traceId"]
    assert "kgCO2e/kilogram" in refused.value.message and "unit" in refused.value.message


def test_a_link_in_another_unit_is_refused_and_nothing_stored(
    client: TestClient, seeded: Database
) -> None:
    chain = tutorial_chain(client)  # B's 部品B answers per kilogram
    plant_a = create_plant(client, chain.a, A.operator_id, "1234567890123099999")
    counted_in_pieces = client.put(
        f"{DT}?dataTarget=parts",
        headers=chain.a,
        json=part(A.operator_id, plant_a, "部品A2", unit="unit"),
    ).json()["traceId"]
    request = client.put(
        f"{DT}?dataTarget=tradeRequest",
        headers=chain.a,
        json=trade_request(A.operator_id, counted_in_pieces, B.operator_id, due="2030-12-31"),
    )
    assert request.status_code == 201, request.text
    trade_id = request.json()["tradeModel"]["tradeId"]

    link = f"{DT}?dataTarget=tradeResponse&tradeId={trade_id}&traceId={chain.b_part}"
    refused = client.put(link, headers=chain.b)
    assert refused.status_code == 400, refused.text
    assert "kgCO2e/kilogram" in refused.text and "traceId" in refused.text

    sent = client.get(f"{DT}?dataTarget=tradeRequest&traceIds={counted_in_pieces}", headers=chain.a)
    assert sent.status_code == 200, sent.text
    assert sent.json()[0]["upstreamTraceId"] is None, sent.text  # not linked

    # A part of B's without a CFP yet links: its CFP form will offer the customer's unit.
    plant_b = create_plant(client, chain.b, B.operator_id, "1234567890124099999")
    fresh = client.put(
        f"{DT}?dataTarget=parts",
        headers=chain.b,
        json=part(B.operator_id, plant_b, "部品B2", unit="unit", terminated=True),
    ).json()["traceId"]
    linked = client.put(
        f"{DT}?dataTarget=tradeResponse&tradeId={trade_id}&traceId={fresh}", headers=chain.b
    )
    assert linked.status_code == 201, linked.text
