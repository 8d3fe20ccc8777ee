"""The recovered-material market: who sees an offer, and a match becoming a trade."""

from __future__ import annotations

from decimal import Decimal

import pytest

from battrace.errors import InvalidRequest, NotFound
from battrace.recycling import market, materials
from battrace.recycling.content import ElementContent
from battrace.recycling.materials import LotWrite
from battrace.recycling.rollup import roll_up_content
from battrace.recycling.rules import Element
from battrace.store import Database
from battrace.traceability.models import CfpResponseStatus, Trade
from tests.recycling.loop import COLLECTOR, MATERIAL, PACK, RECYCLER, part, plant, seed_loop

D = Decimal
R, M, P, C = (c.operator_id for c in (RECYCLER, MATERIAL, PACK, COLLECTOR))


@pytest.fixture
def loop(database: Database) -> Database:
    seed_loop(database)
    return database


def test_an_offer_is_seen_as_the_offerer_decides_and_a_match_is_a_trade(loop: Database) -> None:
    with loop.transaction() as session:
        nickel = part(session, RECYCLER, plant(session, RECYCLER), "Ni recovered")["Ni recovered"]
        lot = materials.create_material_lot(
            session,
            caller=R,
            lot=LotWrite(nickel, Element.NICKEL, "class 1", D(500), D("0.22"), D(10), D(90), D(3)),
        )
        private = market.offer_lot(
            session, caller=R, lot_id=lot.id, quantity_kg=D(300), public=False, viewers=[M]
        )
        # only M (listed) and R see it; P and C do not, and cannot take it
        assert [o.offer_id for o in market.visible_offers(session, caller=M)] == [private.id]
        assert market.visible_offers(session, caller=P) == []
        assert market.visible_offers(session, caller=R)[0].viewers == (M,)
        assert market.visible_offers(session, caller=M)[0].viewers == ()
        # the lot has 200 kg left to offer
        with pytest.raises(InvalidRequest, match="only 200"):
            market.offer_lot(session, caller=R, lot_id=lot.id, quantity_kg=D(201), public=True)
        bought = part(
            session, MATERIAL, plant(session, MATERIAL), "Ni sulphate", bought=["Ni sulphate"]
        )["Ni sulphate"]
        wanted = market.ask(
            session,
            caller=M,
            trace_id=bought,
            element=Element.NICKEL,
            grade=None,
            quantity_kg=D(120),
        )
        assert [a.id for a in market.visible_asks(session, caller=R)] == [wanted.id]
        assert market.visible_asks(session, caller=P) == []
        p_part = part(session, PACK, plant(session, PACK), "x")["x"]
        p_ask = market.ask(
            session, caller=P, trace_id=p_part, element=Element.NICKEL, grade=None, quantity_kg=D(1)
        )
        with pytest.raises(NotFound):
            market.take_offer(session, caller=P, offer_id=private.id, ask_id=p_ask.id)
        taken = market.take_offer(session, caller=M, offer_id=private.id, ask_id=wanted.id)
        assert taken.trade_id is not None and taken.status == market.REQUESTED
        matched = market.confirm_match(session, caller=R, ask_operator_id=M, ask_id=wanted.id)
        assert matched.status == market.MATCHED
        trade = session.get_one(Trade, taken.trade_id)
        assert trade.upstream_trace_id == nickel
        assert trade.cfp_response_status == CfpResponseStatus.COMPLETED
        assert market.visible_offers(session, caller=M)[0].quantity_kg == D(180)
        session.flush()
        # the lot's content reaches M as the disclosed total per kg: 0.22 kg Ni, 100 % recycled
        rolled = roll_up_content(session, viewer=M, roots=[bought], disclose_by_default=True)
        assert rolled.parts[bought][Element.NICKEL] == ElementContent(
            D("0.22"), D("0.022"), D("0.198")
        )
        market.withdraw_offer(session, caller=R, offer_id=private.id)
        assert market.visible_offers(session, caller=M) == []


def test_a_take_must_fit_the_offer(loop: Database) -> None:
    with loop.transaction() as session:
        cobalt = part(session, RECYCLER, plant(session, RECYCLER), "Co")["Co"]
        lot = materials.create_material_lot(
            session,
            caller=R,
            lot=LotWrite(cobalt, Element.COBALT, "g", D(50), D("0.2"), D(0), D(100), D(2)),
        )
        offer = market.offer_lot(session, caller=R, lot_id=lot.id, quantity_kg=D(50), public=True)
        mine = part(session, MATERIAL, plant(session, MATERIAL), "in")["in"]
        too_much = market.ask(
            session, caller=M, trace_id=mine, element=Element.COBALT, grade=None, quantity_kg=D(60)
        )
        with pytest.raises(InvalidRequest, match="60 kg asked, 50 kg on offer"):
            market.take_offer(session, caller=M, offer_id=offer.id, ask_id=too_much.id)
        other = market.ask(
            session, caller=M, trace_id=mine, element=Element.LITHIUM, grade=None, quantity_kg=D(1)
        )
        with pytest.raises(InvalidRequest, match="the offer is Co, the ask Li"):
            market.take_offer(session, caller=M, offer_id=offer.id, ask_id=other.id)
