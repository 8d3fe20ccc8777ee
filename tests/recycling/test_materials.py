"""Recycled content flowing from a recovered-material lot to a pack's passport, by hand.

R (recycler) sells recovered cobalt sulphate: 0.2 kg Co per kg, 100 % post-consumer.
M (cathode maker) buys 1,000 kg of it over a trade and 600 kg of virgin Co; its site's period
is mass balanced: 200 kg recycled of 800 kg booked = 25 %, 20 % ... see each test.
P (pack maker) buys 20 kg of M's cathode per pack.
"""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy.orm import Session

from battrace.errors import AccessDenied, InvalidRequest, NotFound
from battrace.passport import battery_models
from battrace.passport.models import BatteryCategory
from battrace.recycling import materials
from battrace.recycling.content import BalanceInput, ElementContent
from battrace.recycling.materials import LotWrite
from battrace.recycling.rollup import roll_up_content
from battrace.recycling.rules import Element
from battrace.store import Database
from battrace.traceability import disclosure
from tests.recycling.loop import (
    MATERIAL,
    PACK,
    RECYCLER,
    part,
    plant,
    register_cfp,
    seed_loop,
    trade,
)

D = Decimal
CO, NI, LI, PB = Element.COBALT, Element.NICKEL, Element.LITHIUM, Element.LEAD
R, M, P = RECYCLER.operator_id, MATERIAL.operator_id, PACK.operator_id


class Loop:
    def __init__(self, session: Session) -> None:
        self.sulphate = part(session, RECYCLER, plant(session, RECYCLER), "CoSO4 recovered")[
            "CoSO4 recovered"
        ]
        m_plant = plant(session, MATERIAL)
        self.bought = part(session, MATERIAL, m_plant, "CoSO4 bought", bought=["CoSO4 bought"])[
            "CoSO4 bought"
        ]
        self.cathode = part(session, MATERIAL, m_plant, "NMC cathode")["NMC cathode"]
        pack = part(
            session, PACK, plant(session, PACK), "Pack", [("Cathode", D(20))], bought=["Cathode"]
        )
        self.pack, self.cathode_bought = pack["Pack"], pack["Cathode"]


@pytest.fixture
def loop(database: Database) -> Database:
    seed_loop(database)
    return database


def _lot(chain: Loop) -> LotWrite:
    return LotWrite(
        trace_id=chain.sulphate,
        element=CO,
        grade="battery grade",
        mass_kg=D(1000),
        element_fraction=D("0.2"),
        pre_consumer_percent=D(0),
        post_consumer_percent=D(100),
        cfp_kg_co2e_per_kg=D("2.5"),
        certificate="REC-CERT-1",
    )


def _run(session: Session) -> Loop:
    chain = Loop(session)
    materials.create_material_lot(session, caller=R, lot=_lot(chain))
    trade_id = trade(session, MATERIAL, chain.bought, RECYCLER, chain.sulphate)
    # M books what it bought: 1,000 kg x 0.2 = 200 kg Co, all post-consumer
    booked = materials.book_purchase(
        session,
        caller=M,
        trade_id=trade_id,
        quantity=D(1000),
        site="Lyon",
        period="2031",
        disclose_by_default=True,
    )
    assert [(b.mass_kg, b.post_consumer_kg) for b in booked] == [(D(200), D(200))]
    with pytest.raises(InvalidRequest, match="booked already"):
        materials.book_purchase(
            session,
            caller=M,
            trade_id=trade_id,
            quantity=D(1),
            site="Lyon",
            period="2032",
            disclose_by_default=True,
        )
    materials.book_input(
        session,
        caller=M,
        site="Lyon",
        element=CO,
        period="2031",
        booked=BalanceInput(D(600)),
        source="virgin cobalt sulphate",
    )
    # cathode: 0.1 kg Co per kg; 5,000 kg made -> 500 kg Co <= 800 booked; 200/800 = 25 %
    materials.apply_balance(
        session,
        caller=M,
        trace_id=chain.cathode,
        site="Lyon",
        element=CO,
        period="2031",
        element_kg_per_unit=D("0.1"),
        produced_units=D(5000),
    )
    materials.declare_content(
        session, caller=M, trace_id=chain.cathode, element=NI, content=ElementContent(D("0.3"))
    )
    register_cfp(session, MATERIAL, chain.cathode, "12")
    trade(session, PACK, chain.cathode_bought, MATERIAL, chain.cathode)
    materials.declare_content(
        session, caller=P, trace_id=chain.pack, element=LI, content=ElementContent(D("0.8"))
    )
    return chain


def test_recycled_share_reaches_the_pack_and_its_passport(loop: Database) -> None:
    with loop.transaction() as session:
        chain = _run(session)
        model = battery_models.create_model(
            session, caller=P, name="Pack 60", category=BatteryCategory.EV, trace_id=chain.pack
        )
        result = materials.model_content(
            session,
            caller=P,
            trace_id=chain.pack,
            placed_on_market=date(2032, 1, 1),
            fill_passport=True,
            disclose_by_default=True,
        )
        # Co: 20 kg cathode x 0.1 = 2 kg, recycled 20 x 0.025 = 0.5 kg -> 25 %
        assert result.content[CO] == ElementContent(D(2), D(0), D("0.5"))
        assert result.shares == {CO: D("25.00"), LI: D("0.00"), NI: D("0.00"), PB: None}
        checks = {c.element: c for c in result.checks}
        assert checks[CO].met and checks[CO].minimum is not None
        assert checks[LI].gap_percent == D(6) and checks[NI].gap_percent == D(6)
        assert result.passport_models == (model.id,)
        session.flush()
        circularity = battery_models.get_own_model(session, caller=P, model_id=model.id).data[
            "circularity"
        ]
        shares = {row["material"]: D(str(row["share"])) for row in circularity["recycledContent"]}
        assert shares["cobalt"] == D(25) and shares["nickel"] == D(0)


def test_the_customer_sees_totals_not_sources(loop: Database) -> None:
    with loop.transaction() as session:
        chain = _run(session)
        rolled = roll_up_content(session, viewer=P, roots=[chain.pack], disclose_by_default=True)
        assert set(rolled.parts) == {chain.pack, chain.cathode_bought}
        # the bought cathode is seen as the supplier's total per kg only
        assert rolled.parts[chain.cathode_bought][CO] == ElementContent(D("0.1"), D(0), D("0.025"))


def test_a_withheld_share_is_unknown(loop: Database) -> None:
    with loop.transaction() as session:
        chain = _run(session)
        disclosure.set_disclosure(
            session, caller=M, trace_id=chain.cathode, customer=P, total_cfp=False
        )
        session.flush()
        result = materials.model_content(
            session,
            caller=P,
            trace_id=chain.pack,
            placed_on_market=date(2032, 1, 1),
            disclose_by_default=True,
        )
        assert result.shares[CO] is None and result.shares[LI] is None
        assert {c.element: c.met for c in result.checks}[CO] is None


def test_impossible_content_is_refused(loop: Database) -> None:
    with loop.transaction() as session:
        chain = Loop(session)
        with pytest.raises(InvalidRequest, match="more than 100 %"):
            materials.create_material_lot(
                session,
                caller=R,
                lot=LotWrite(**{**_lot(chain).__dict__, "pre_consumer_percent": D(30)}),
            )
        with pytest.raises(AccessDenied, match="recycler permit"):
            materials.create_material_lot(session, caller=M, lot=_lot(chain))
        with pytest.raises(InvalidRequest, match="a share over 100 %"):
            materials.declare_content(
                session,
                caller=M,
                trace_id=chain.cathode,
                element=CO,
                content=ElementContent(D(1), D("0.5"), D("0.6")),
            )
        materials.book_input(
            session,
            caller=M,
            site="Lyon",
            element=CO,
            period="2031",
            booked=BalanceInput(D(100), D(0), D(50)),
            source="x",
        )
        # 0.1 kg x 2,000 = 200 kg claimed > 100 kg booked
        with pytest.raises(InvalidRequest, match="no negative balance"):
            materials.apply_balance(
                session,
                caller=M,
                trace_id=chain.cathode,
                site="Lyon",
                element=CO,
                period="2031",
                element_kg_per_unit=D("0.1"),
                produced_units=D(2000),
            )


def test_another_operators_part_is_not_found(loop: Database) -> None:
    with loop.transaction() as session:
        chain = Loop(session)

        with pytest.raises(NotFound):
            roll_up_content(session, viewer=P, roots=[chain.cathode], disclose_by_default=True)
        with pytest.raises(NotFound):
            materials.declare_content(
                session, caller=P, trace_id=uuid.uuid4(), element=CO, content=ElementContent(D(1))
            )
