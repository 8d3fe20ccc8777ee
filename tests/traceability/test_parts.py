"""Parts and parts structures: trace-id issuance, multi-level products, cycles, listing and
paging, deletion (contract #5 #6 #8 #9 #19)."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, text
from sqlalchemy.exc import DatabaseError

from battrace.audit.models import AuditEvent
from battrace.store import Database
from tests.support import DT, A, create_plant, get_all, login_a, part


@dataclass
class Company:
    headers: dict[str, str]
    plant: str


@pytest.fixture
def a(client: TestClient, seeded: Database) -> Company:
    headers = login_a(client)
    return Company(headers, create_plant(client, headers, A.operator_id, "1234567890123012345"))


def put_part(client: TestClient, a: Company, name: str, **kwargs: object) -> dict[str, object]:
    response = client.put(
        f"{DT}?dataTarget=parts",
        headers=a.headers,
        json=part(A.operator_id, a.plant, name, **kwargs),
    )  # type: ignore[arg-type]
    assert response.status_code == 201, response.text
    return dict(response.json())


def put_structure(
    client: TestClient, a: Company, parent: dict[str, object], children: list[dict[str, object]]
) -> dict[str, object]:
    response = client.put(
        f"{DT}?dataTarget=partsStructure",
        headers=a.headers,
        json={"parentPartsModel": parent, "childrenPartsModel": children},
    )
    assert response.status_code == 201, response.text
    return dict(response.json())


def test_trace_id_names_one_identity(client: TestClient, a: Company) -> None:
    first = put_part(client, a, "セル", support="2024")
    # same (plant, name, support name) without a trace id: the same part, updated
    again = put_part(client, a, "セル", support="2024", unit="unit")
    assert again["traceId"] == first["traceId"]
    assert again["amountRequiredUnit"] == "unit"
    # a new support name is a new part
    other = put_part(client, a, "セル", support="2025")
    assert other["traceId"] != first["traceId"]
    # writing a known trace id with another identity issues a new trace id
    renamed = put_part(client, a, "セル改", support="2024", trace_id=str(first["traceId"]))
    assert renamed["traceId"] not in (first["traceId"], other["traceId"])
    names = {p["partsName"] for p in get_all(client, f"{DT}?dataTarget=parts", a.headers)}
    assert names == {"セル", "セル改"}
    # a label change keeps the trace id
    labelled = part(A.operator_id, a.plant, "セル", support="2024", trace_id=str(first["traceId"]))
    labelled["partsLabelName"] = "Cell"
    response = client.put(f"{DT}?dataTarget=parts", headers=a.headers, json=labelled)
    assert response.json()["traceId"] == first["traceId"]
    assert response.json()["partsLabelName"] == "Cell"


def test_structure_replaces_children_and_nests(client: TestClient, a: Company) -> None:
    pack = part(A.operator_id, a.plant, "パック")
    cells = part(A.operator_id, a.plant, "セル", amount=96, unit="unit")
    case = part(A.operator_id, a.plant, "筐体", amount=12.5)
    structure = put_structure(client, a, pack, [cells, case])
    pack_id = structure["parentPartsModel"]["traceId"]  # type: ignore[index]
    cell_id, case_id = (c["traceId"] for c in structure["childrenPartsModel"])  # type: ignore[attr-defined]
    # the cell is itself a product with its own children: a second level
    cell = dict(structure["childrenPartsModel"][0], amountRequired=None)  # type: ignore[index]
    cathode = part(A.operator_id, a.plant, "正極材", amount=0.02)
    put_structure(client, a, cell, [cathode])
    read = client.get(f"{DT}?dataTarget=partsStructure&traceId={cell_id}", headers=a.headers).json()
    assert [c["partsName"] for c in read["childrenPartsModel"]] == ["正極材"]
    assert read["childrenPartsModel"][0]["amountRequired"] == 0.02
    # replacing the pack's children detaches the case (it stays a part)
    parent = dict(structure["parentPartsModel"])  # type: ignore[arg-type]
    put_structure(client, a, parent, [dict(structure["childrenPartsModel"][0], amountRequired=100)])  # type: ignore[index]
    read = client.get(f"{DT}?dataTarget=partsStructure&traceId={pack_id}", headers=a.headers).json()
    assert [(c["traceId"], c["amountRequired"]) for c in read["childrenPartsModel"]] == [
        (cell_id, 100)
    ]
    assert client.get(f"{DT}?dataTarget=parts&traceId={case_id}", headers=a.headers).json()
    # a child part alone: itself as parent, no children
    lone = client.get(f"{DT}?dataTarget=partsStructure&traceId={case_id}", headers=a.headers).json()
    assert lone["parentPartsModel"]["traceId"] == case_id
    assert lone["childrenPartsModel"] == []
    # parentFlag lists only parents
    parents = get_all(client, f"{DT}?dataTarget=parts&parentFlag=true", a.headers)
    assert {p["partsName"] for p in parents} == {"パック", "セル"}
    assert all(p["amountRequired"] is None for p in parents)


def test_a_structure_cannot_contain_itself(client: TestClient, a: Company) -> None:
    top = put_structure(
        client, a, part(A.operator_id, a.plant, "A"), [part(A.operator_id, a.plant, "B", amount=1)]
    )
    b = dict(top["childrenPartsModel"][0], amountRequired=None)  # type: ignore[index]
    mid = put_structure(client, a, b, [part(A.operator_id, a.plant, "C", amount=1)])
    c = dict(mid["childrenPartsModel"][0], amountRequired=None)  # type: ignore[index]
    a_as_child = dict(top["parentPartsModel"], amountRequired=1)  # type: ignore[arg-type]
    response = client.put(
        f"{DT}?dataTarget=partsStructure",
        headers=a.headers,
        json={"parentPartsModel": c, "childrenPartsModel": [a_as_child]},
    )
    assert response.status_code == 400
    assert "cannot contain itself" in response.json()["message"]
    itself = dict(c, amountRequired=1)
    response = client.put(
        f"{DT}?dataTarget=partsStructure",
        headers=a.headers,
        json={"parentPartsModel": c, "childrenPartsModel": [itself]},
    )
    assert response.status_code == 400
    # nothing was written by the refused calls
    read = client.get(f"{DT}?dataTarget=partsStructure&traceId={c['traceId']}", headers=a.headers)
    assert read.json()["childrenPartsModel"] == []


def test_listing_pages_with_an_inclusive_cursor(client: TestClient, a: Company) -> None:
    for index in range(23):
        put_part(client, a, f"部品{index:02d}", support=None if index % 3 else "x")
    first = client.get(f"{DT}?dataTarget=parts&limit=10", headers=a.headers)
    link = first.headers["link"]
    assert link.endswith('>; rel="next"')
    assert "dataTarget=parts&after=" in link and "&limit=10" in link
    pages = get_all(client, f"{DT}?dataTarget=parts&limit=10", a.headers)
    assert len(pages) == 23
    assert [p["partsName"] for p in pages] == sorted(p["partsName"] for p in pages)
    # the cursor is the first item of the next page
    after = link[link.index("after=") + 6 : link.index("after=") + 42]
    assert pages[10]["traceId"] == after
    last = client.get(
        f"{DT}?dataTarget=parts&limit=10&after={pages[20]['traceId']}", headers=a.headers
    )
    assert "link" not in last.headers
    assert len(last.json()) == 3
    filtered = client.get(f"{DT}?dataTarget=parts&partsName=部品05", headers=a.headers).json()
    assert [p["partsName"] for p in filtered] == ["部品05"]
    by_plant = get_all(client, f"{DT}?dataTarget=parts&limit=7&plantId={a.plant}", a.headers)
    assert len(by_plant) == 23


def test_rejected_write_changes_nothing(client: TestClient, a: Company, seeded: Database) -> None:
    before = get_all(client, f"{DT}?dataTarget=parts", a.headers)
    good = part(A.operator_id, a.plant, "良い部品", amount=1)
    foreign_plant = part(
        A.operator_id, "00000000-0000-4000-8000-000000000001", "悪い部品", amount=1
    )
    response = client.put(
        f"{DT}?dataTarget=partsStructure",
        headers=a.headers,
        json={
            "parentPartsModel": part(A.operator_id, a.plant, "製品"),
            "childrenPartsModel": [good, foreign_plant],
        },
    )
    assert response.status_code == 400
    assert get_all(client, f"{DT}?dataTarget=parts", a.headers) == before
    with seeded.session() as session:
        actions = session.scalars(select(AuditEvent.action)).all()
    assert "structure:save" not in actions


def test_audit_log_is_append_only(client: TestClient, a: Company, seeded: Database) -> None:
    put_part(client, a, "記録される部品")
    with seeded.session() as session:
        events = session.scalars(
            select(AuditEvent).where(AuditEvent.action == "structure:save")
        ).all()
        assert len(events) == 1
        assert events[0].actor_operator_id == A.operator_id
        assert len(events[0].digest or "") == 64
    for statement in ("UPDATE audit_events SET action = 'x'", "DELETE FROM audit_events"):
        with seeded.engine.connect() as connection, pytest.raises(DatabaseError):
            connection.execute(text(statement))
    with seeded.session() as session:
        assert session.scalar(select(AuditEvent.action).where(AuditEvent.id == events[0].id)) == (
            "structure:save"
        )


def test_terminating_a_linked_part_terminates_the_customer_tree(
    client: TestClient, a: Company, seeded: Database
) -> None:
    """B links a part that is not yet terminated; when B marks it terminated, A's request
    shows the tree TERMINATED without any other call."""
    from tests.support import B, login_b, trade_request  # noqa: PLC0415

    b = login_b(client)
    b_plant = create_plant(client, b, B.operator_id, "1234567890124012345")
    child = put_structure(
        client,
        a,
        part(A.operator_id, a.plant, "製品"),
        [part(A.operator_id, a.plant, "部材", amount=2)],
    )
    a1 = child["childrenPartsModel"][0]["traceId"]  # type: ignore[index]
    trade = client.put(
        f"{DT}?dataTarget=tradeRequest",
        headers=a.headers,
        json=trade_request(A.operator_id, a1, B.operator_id),
    ).json()
    b_part = client.put(
        f"{DT}?dataTarget=parts", headers=b, json=part(B.operator_id, b_plant, "B製品")
    ).json()
    client.put(
        f"{DT}?dataTarget=tradeResponse&tradeId={trade['tradeModel']['tradeId']}"
        f"&traceId={b_part['traceId']}",
        headers=b,
    )

    def tree() -> str:
        status = client.get(
            f"{DT}?dataTarget=status&statusTarget=REQUEST&traceId={a1}", headers=a.headers
        ).json()[0]
        return str(status["requestStatus"]["tradeTreeStatus"])

    assert tree() == "UNTERMINATED"
    client.put(f"{DT}?dataTarget=parts", headers=b, json=dict(b_part, terminatedFlag=True))
    assert tree() == "TERMINATED"
