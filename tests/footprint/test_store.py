"""`load_graph` + `roll_up` on a supply chain built through the contract API, on SQLite and
PostgreSQL: the numbers are those of `GET cfp`'s `*Total` rows, and the customer's result
holds nothing of the supplier's structure or of what the supplier withheld."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from decimal import Decimal

import pytest
from fastapi.testclient import TestClient

from battrace.errors import NotFound
from battrace.footprint import UnitMismatch, UnknownReason, load_graph, rank_suppliers, roll_up
from battrace.footprint import factors as factor_service
from battrace.store import Database
from battrace.traceability.combine import round_up5
from battrace.traceability.models import AmountUnit
from battrace.traceability.stages import Stage
from tests.support import DT, A, B, cfp_set, create_plant, login_a, login_b, part, trade_request


@dataclass
class Chain:
    a: dict[str, str]
    b: dict[str, str]
    product: uuid.UUID  # A's 部品A: 5 kg of A1 (bought from B) + 2 kg of A2 (A's own)
    a1: uuid.UUID
    a2: uuid.UUID
    b_product: uuid.UUID  # B's 部品B: its own 1.5 / 10 + 3 kg of B1 (0.2 / 0.4)
    b1: uuid.UUID


def _put(client: TestClient, headers: dict[str, str], target: str, body: object) -> object:
    response = client.put(f"{DT}?dataTarget={target}", headers=headers, json=body)
    assert response.status_code == 201, response.text
    return response.json()


def _structure(
    client: TestClient, headers: dict[str, str], parent: dict[str, object], *children: object
) -> list[str]:
    body = _put(
        client,
        headers,
        "partsStructure",
        {"parentPartsModel": parent, "childrenPartsModel": list(children)},
    )
    assert isinstance(body, dict)
    return [str(child["traceId"]) for child in body["childrenPartsModel"]]


def build_chain(client: TestClient) -> Chain:
    a, b = login_a(client), login_b(client)
    plant_a = create_plant(client, a, A.operator_id, "1234567890123012345")
    plant_b = create_plant(client, b, B.operator_id, "1234567890124012345")
    product = _put(client, a, "parts", part(A.operator_id, plant_a, "部品A"))
    assert isinstance(product, dict)
    a1, a2 = _structure(
        client,
        a,
        product,
        part(A.operator_id, plant_a, "部品A1", amount=5),
        part(A.operator_id, plant_a, "部品A2", amount=2, terminated=True),
    )
    request = _put(client, a, "tradeRequest", trade_request(A.operator_id, a1, B.operator_id))
    assert isinstance(request, dict)
    trade_id = request["tradeModel"]["tradeId"]
    b_product = _put(client, b, "parts", part(B.operator_id, plant_b, "部品B"))
    assert isinstance(b_product, dict)
    [b1] = _structure(
        client, b, b_product, part(B.operator_id, plant_b, "部品B1", amount=3, terminated=True)
    )
    response = client.put(
        f"{DT}?dataTarget=tradeResponse&tradeId={trade_id}&traceId={b_product['traceId']}",
        headers=b,
    )
    assert response.status_code == 201, response.text
    _put(client, b, "cfp", cfp_set(b1, 0.2, 0.4))
    _put(client, b, "cfp", cfp_set(str(b_product["traceId"]), 1.5, 10))
    _put(client, a, "cfp", cfp_set(a2, 0.5, 1))
    _put(client, a, "cfp", cfp_set(str(product["traceId"]), 3.0, 20.0))
    return Chain(
        a,
        b,
        uuid.UUID(str(product["traceId"])),
        uuid.UUID(a1),
        uuid.UUID(a2),
        uuid.UUID(str(b_product["traceId"])),
        uuid.UUID(b1),
    )


def _total_rows(client: TestClient, chain: Chain) -> dict[str, Decimal | None]:
    response = client.get(f"{DT}?dataTarget=cfp&traceIds={chain.product}", headers=chain.a)
    assert response.status_code == 200, response.text
    return {
        row["cfpType"]: None if row["ghgEmission"] is None else Decimal(str(row["ghgEmission"]))
        for row in response.json()
        if row["cfpType"].endswith("Total")
    }


def _withhold(client: TestClient, chain: Chain) -> None:
    response = client.post(
        "/cfpAcl",
        headers=chain.b,
        json={
            "operatorId": str(B.operator_id),
            "releasedToOperatorId": str(A.operator_id),
            "traceId": str(chain.b_product),
            "acl": [
                {"aclItemGroup": "TOTALCFP", "releasedFlag": False},
                {"aclItemGroup": "TOTALDQR", "releasedFlag": False},
            ],
        },
    )
    assert response.status_code < 300, response.text


def test_roll_up_gives_the_contracts_total_rows(client: TestClient, seeded: Database) -> None:
    chain = build_chain(client)
    with seeded.transaction(write=False) as session:
        graph = load_graph(
            session, viewer=A.operator_id, roots=[chain.product], disclose_by_default=True
        )
    result = roll_up(graph, chain.product)
    pre, main = result.stages[Stage.PRE], result.stages[Stage.MAIN]
    # 3 + 5 x (1.5 + 3 x 0.2) + 2 x 0.5 and 20 + 5 x (10 + 3 x 0.4) + 2 x 1
    assert (pre.total, main.total) == (Decimal("14.5"), Decimal("78"))
    rows = _total_rows(client, chain)
    assert rows == {
        "preProductionTotal": round_up5(pre.own),
        "preComponentTotal": round_up5(pre.components),
        "mainProductionTotal": round_up5(main.own),
        "mainComponentTotal": round_up5(main.components),
    }
    assert [h.key for h in rank_suppliers(result)] == [B.operator_id, A.operator_id]


def test_supplier_structure_and_withheld_values_never_reach_the_customer(
    client: TestClient, seeded: Database
) -> None:
    chain = build_chain(client)
    with seeded.transaction(write=False) as session:
        graph = load_graph(
            session, viewer=A.operator_id, roots=[chain.product], disclose_by_default=True
        )
    seen = repr(graph) + repr(roll_up(graph, chain.product))
    assert set(graph.nodes) == {chain.product, chain.a1, chain.a2}
    assert str(chain.b1) not in seen
    assert "部品B" not in seen  # neither B's part names nor B1's trace id reach A

    _withhold(client, chain)
    with seeded.transaction(write=False) as session:
        graph = load_graph(
            session, viewer=A.operator_id, roots=[chain.product], disclose_by_default=True
        )
    result = roll_up(graph, chain.product)
    seen = repr(graph) + repr(result)
    for hidden in ("2.1", "11.2", "10.5", "56"):  # B's totals and 5 x them
        assert f"'{hidden}'" not in seen
    assert str(chain.b1) not in seen
    for stage in result.stages.values():
        assert stage.total is None
        [unknown] = stage.unknown
        assert (unknown.trace_id, unknown.reason) == (chain.a1, UnknownReason.WITHHELD)
        assert unknown.quantity_share == Decimal(5) / 7
    assert set(_total_rows(client, chain).values()) >= {None}

    # B still sees its own numbers: the withholding is per customer.
    with seeded.transaction(write=False) as session:
        own = roll_up(
            load_graph(
                session, viewer=B.operator_id, roots=[chain.b_product], disclose_by_default=True
            ),
            chain.b_product,
        )
    assert own.stages[Stage.PRE].total == Decimal("2.1")


def test_emission_factors_are_scoped_and_fill_a_withheld_value(
    client: TestClient, seeded: Database
) -> None:
    chain = build_chain(client)
    _withhold(client, chain)
    with seeded.transaction() as session:
        steel = factor_service.add_factor(
            session,
            caller=A.operator_id,
            name="cell, generic",
            unit=AmountUnit.KILOGRAM,
            kg_co2e_per_unit=Decimal("4.2"),
            source="a public LCA database",
            year=2024,
        )
        water = factor_service.add_factor(
            session,
            caller=A.operator_id,
            name="water",
            unit=AmountUnit.LITER,
            kg_co2e_per_unit=Decimal("0.001"),
            source="db",
            year=2023,
        )
        factor_service.assign_factor(
            session, caller=A.operator_id, trace_id=chain.a1, factor_id=steel.factor_id
        )
        with pytest.raises(UnitMismatch, match="部品A2"):
            factor_service.assign_factor(
                session, caller=A.operator_id, trace_id=chain.a2, factor_id=water.factor_id
            )
        with pytest.raises(NotFound):  # B can neither use nor see A's factors
            factor_service.assign_factor(
                session, caller=B.operator_id, trace_id=chain.b1, factor_id=steel.factor_id
            )
        with pytest.raises(NotFound):
            factor_service.delete_factor(session, caller=B.operator_id, factor_id=steel.factor_id)
        assert factor_service.list_factors(session, caller=B.operator_id) == []
        assert [f.name for f in factor_service.list_factors(session, caller=A.operator_id)] == [
            "cell, generic",
            "water",
        ]
    with seeded.transaction(write=False) as session:
        graph = load_graph(
            session, viewer=A.operator_id, roots=[chain.product], disclose_by_default=True
        )
        assigned = factor_service.assigned_factors(
            session, caller=A.operator_id, trace_ids=graph.nodes
        )
    result = roll_up(graph, chain.product, factors=assigned)
    pre = result.stages[Stage.PRE]
    assert pre.total == 3 + 5 * Decimal("4.2") + 1
    assert pre.secondary == 21
    assert pre.primary_share == Decimal(4) / 25
    with seeded.transaction() as session:
        factor_service.delete_factor(session, caller=A.operator_id, factor_id=steel.factor_id)
    with seeded.transaction(write=False) as session:
        assert (
            factor_service.assigned_factors(session, caller=A.operator_id, trace_ids=graph.nodes)
            == {}
        )


def test_load_graph_refuses_another_operators_root(client: TestClient, seeded: Database) -> None:
    chain = build_chain(client)
    with seeded.transaction(write=False) as session, pytest.raises(NotFound):
        load_graph(session, viewer=A.operator_id, roots=[chain.b_product], disclose_by_default=True)
