"""Property-based test of the trade state machine (digest section 7), through the HTTP API.

Hypothesis drives random sequences of legal and illegal actions by the customer (A), the
supplier (B) and a stranger (C); a plain model says what each action must do, and after
every step the states the API reports must match the model.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from decimal import Decimal

from fastapi.testclient import TestClient
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import Bundle, RuleBasedStateMachine, invariant, rule

from battrace.identity import accounts, api_keys, operators
from battrace.identity.models import ApplicationAttribute
from battrace.store import Database
from tests.support import (
    DT,
    A,
    B,
    cfp_set,
    create_plant,
    get_all,
    login,
    login_a,
    login_b,
    part,
    trade_request,
)

OPEN = ("NOT_COMPLETED", "COMPLETED")


@dataclass
class TradeModel:
    trade_id: str
    status_id: str
    a_part: str
    state: str = "NOT_COMPLETED"
    linked: str | None = None


@dataclass
class World:
    a: dict[str, str]
    b: dict[str, str]
    c: dict[str, str]
    a_plant: str
    b_plant: str
    a_parent: str
    names: itertools.count[int] = field(default_factory=itertools.count)


def build_world(client: TestClient, database: Database) -> World:
    with database.transaction() as session:
        stranger = operators.create_operator(
            session, name="C社", address="大阪", open_operator_id="9999999999999"
        )
        session.flush()
        accounts.create_account(
            session, operator_id=stranger.id, email="c@example.com", password="Stranger&01"
        )
        _, key = api_keys.issue_api_key(
            session,
            application_name="C app",
            attribute=ApplicationAttribute.APPLICATION,
            cidrs=["0.0.0.0/0", "::/0"],
        )
    a, b = login_a(client), login_b(client)
    c = login(client, "c@example.com", "Stranger&01", key=key)
    a_plant = create_plant(client, a, A.operator_id, "1234567890123000001")
    b_plant = create_plant(client, b, B.operator_id, "1234567890124000001")
    response = client.put(
        f"{DT}?dataTarget=parts", headers=a, json=part(A.operator_id, a_plant, "製品")
    )
    return World(a, b, c, a_plant, b_plant, response.json()["traceId"])


def test_trade_state_machine(client: TestClient, seeded: Database) -> None:
    world = build_world(client, seeded)

    class Trades(RuleBasedStateMachine):
        requested = Bundle("requested")
        supplier_parts = Bundle("supplier_parts")

        def __init__(self) -> None:
            super().__init__()
            self.trades: list[TradeModel] = []
            self.with_cfp: set[str] = set()

        # -- helpers --------------------------------------------------------
        def _status(self, trade: TradeModel) -> dict[str, object]:
            response = client.get(
                f"{DT}?dataTarget=status&statusTarget=REQUEST&traceId={trade.a_part}",
                headers=world.a,
            )
            assert response.status_code == 200
            rows = {row["statusId"]: row for row in response.json()}
            return rows[trade.status_id]

        def _open_trade_for(self, a_part: str) -> TradeModel | None:
            return next((t for t in self.trades if t.a_part == a_part and t.state in OPEN), None)

        # -- customer --------------------------------------------------------
        @rule(target=requested)
        def request_new_part(self) -> TradeModel:
            name = f"部品{next(world.names)}"
            response = client.put(
                f"{DT}?dataTarget=partsStructure",
                headers=world.a,
                json={
                    "parentPartsModel": part(
                        A.operator_id, world.a_plant, "製品", trace_id=world.a_parent
                    ),
                    "childrenPartsModel": [part(A.operator_id, world.a_plant, name, amount=1)],
                },
            )
            assert response.status_code == 201, response.text
            a_part = response.json()["childrenPartsModel"][0]["traceId"]
            return self._request(a_part)

        def _request(self, a_part: str) -> TradeModel:
            response = client.put(
                f"{DT}?dataTarget=tradeRequest",
                headers=world.a,
                json=trade_request(A.operator_id, a_part, B.operator_id),
            )
            assert response.status_code == 201, response.text
            body = response.json()
            trade = TradeModel(
                body["tradeModel"]["tradeId"], body["statusModel"]["statusId"], a_part
            )
            self.trades.append(trade)
            return trade

        @rule(trade=requested)
        def request_again(self, trade: TradeModel) -> None:
            response = client.put(
                f"{DT}?dataTarget=tradeRequest",
                headers=world.a,
                json=trade_request(A.operator_id, trade.a_part, B.operator_id),
            )
            if self._open_trade_for(trade.a_part) is not None:
                assert response.status_code == 400
                assert response.json()["code"] == "[dataspace] BadRequest"
            else:
                assert response.status_code == 201
                body = response.json()
                self.trades.append(
                    TradeModel(
                        body["tradeModel"]["tradeId"],
                        body["statusModel"]["statusId"],
                        trade.a_part,
                    )
                )

        @rule(trade=requested)
        def cancel(self, trade: TradeModel) -> None:
            response = self._change(world.a, trade, "CANCEL")
            if trade.state in OPEN:
                assert response.status_code == 201, response.text
                assert response.json() == {}
                trade.state = "CANCEL"
            else:
                assert response.status_code == 400

        # -- supplier --------------------------------------------------------
        @rule(target=supplier_parts, terminated=st.booleans())
        def supplier_part(self, terminated: bool) -> str:
            response = client.put(
                f"{DT}?dataTarget=parts",
                headers=world.b,
                json=part(
                    B.operator_id, world.b_plant, f"B{next(world.names)}", terminated=terminated
                ),
            )
            assert response.status_code == 201
            return str(response.json()["traceId"])

        @rule(trade=requested, b_part=supplier_parts)
        def link(self, trade: TradeModel, b_part: str) -> None:
            response = client.put(
                f"{DT}?dataTarget=tradeResponse&tradeId={trade.trade_id}&traceId={b_part}",
                headers=world.b,
            )
            if trade.state in OPEN:
                assert response.status_code == 201, response.text
                assert response.json()["upstreamTraceId"] == b_part
                trade.linked = b_part
                trade.state = "COMPLETED" if b_part in self.with_cfp else "NOT_COMPLETED"
            else:
                assert response.status_code == 400

        @rule(b_part=supplier_parts, pre=st.decimals(Decimal("0.00001"), 1000, places=5))
        def register_cfp(self, b_part: str, pre: object) -> None:
            if b_part in self.with_cfp:
                return
            response = client.put(
                f"{DT}?dataTarget=cfp", headers=world.b, json=cfp_set(b_part, float(pre), 1)
            )
            assert response.status_code == 201, response.text
            self.with_cfp.add(b_part)
            for trade in self.trades:
                if trade.linked == b_part and trade.state == "NOT_COMPLETED":
                    trade.state = "COMPLETED"

        @rule(trade=requested, reason=st.text(max_size=20))
        def send_back(self, trade: TradeModel, reason: str) -> None:
            response = self._change(world.b, trade, "REJECT", reason)
            if "\x00" in reason:  # refused before any check of the state
                assert response.status_code == 400
                assert "U+0000" in response.json()["message"]
            elif trade.state in OPEN:
                assert response.status_code == 201, response.text
                trade.state = "REJECT"
                trade.linked = None
            else:
                assert response.status_code == 400

        # -- wrong sides ------------------------------------------------------
        @rule(
            trade=requested,
            who=st.sampled_from(["a-rejects", "b-cancels", "c-cancels", "c-rejects", "c-links"]),
        )
        def wrong_side(self, trade: TradeModel, who: str) -> None:
            before = self._status(trade)
            if who == "a-rejects":
                response = self._change(world.a, trade, "REJECT")
            elif who == "b-cancels":
                response = self._change(world.b, trade, "CANCEL")
            elif who == "c-links":
                response = client.put(
                    f"{DT}?dataTarget=tradeResponse&tradeId={trade.trade_id}"
                    f"&traceId={trade.a_part}",
                    headers=world.c,
                )
            else:
                status = "CANCEL" if who == "c-cancels" else "REJECT"
                response = self._change(world.c, trade, status)
            assert response.status_code == 404
            assert response.json()["code"] == "[dataspace] NotFound"
            assert self._status(trade) == before

        def _change(
            self, headers: dict[str, str], trade: TradeModel, status: str, reason: str | None = None
        ):
            return client.put(
                f"{DT}?dataTarget=status",
                headers=headers,
                json={
                    "statusId": trade.status_id,
                    "tradeId": trade.trade_id,
                    "requestStatus": {"cfpResponseStatus": status, "tradeTreeStatus": None},
                    "message": None,
                    "replyMessage": reason,
                    "requestType": "CFP",
                    "responseDueDate": None,
                },
            )

        # -- what must hold after every step ----------------------------------
        @invariant()
        def states_match_the_model(self) -> None:
            for trade in self.trades:
                status = self._status(trade)
                assert status["requestStatus"]["cfpResponseStatus"] == trade.state  # type: ignore[index]
            open_parts = [t.a_part for t in self.trades if t.state in OPEN]
            assert len(open_parts) == len(set(open_parts)), "two open requests on one part"

        @invariant()
        def supplier_never_sees_cancelled(self) -> None:
            if not self.trades:
                return
            rows = get_all(client, f"{DT}?dataTarget=tradeResponse&limit=7", world.b)
            seen = {row["statusModel"]["statusId"] for row in rows}
            for trade in self.trades:
                assert (trade.status_id in seen) == (trade.state != "CANCEL")

        @invariant()
        def links_match(self) -> None:
            rows = get_all(client, f"{DT}?dataTarget=tradeRequest&limit=5", world.a)
            assert len({row["tradeId"] for row in rows}) == len(rows), "a trade listed twice"
            links = {row["tradeId"]: row["upstreamTraceId"] for row in rows}
            for trade in self.trades:
                assert links[trade.trade_id] == trade.linked

    Trades.TestCase.settings = settings(
        max_examples=10,
        stateful_step_count=10,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow],
    )
    Trades.TestCase().runTest()


def test_a_nul_character_is_refused_in_the_contract_shape(
    client: TestClient, seeded: Database
) -> None:
    """Go's decoder accepts U+0000, PostgreSQL can't store it: a 400, and nothing changes."""
    world = build_world(client, seeded)
    response = client.put(
        f"{DT}?dataTarget=tradeRequest",
        headers=world.a,
        json=trade_request(A.operator_id, world.a_parent, B.operator_id, message="a\x00b"),
    )
    assert response.status_code == 400, response.text
    body = response.json()
    assert body["code"] == "[dataspace] BadRequest"
    assert "U+0000" in body["message"]
    statuses = client.get(
        f"{DT}?dataTarget=status&statusTarget=REQUEST&traceId={world.a_parent}", headers=world.a
    )
    assert statuses.json() == []
