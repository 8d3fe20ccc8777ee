"""Nothing outside the passport's battery fields is battery-specific: an electric drive unit
(EDU) of the car maker runs through the CFP roll-up, a due-diligence request and the
collection flows (custody, dismantling into copper and steel, recycled content)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from battrace.diligence import answering, requesting
from battrace.diligence.answering import AnswerWrite, Signer
from battrace.diligence.builtin import BUILTIN_TEMPLATE_ID
from battrace.diligence.rollup import product_dd
from battrace.diligence.templates import ensure_builtin
from battrace.footprint.view import product_footprint
from battrace.recycling import custody, lots, materials
from battrace.recycling.content import ElementContent
from battrace.recycling.custody import Collection, FractionWrite, StepWrite
from battrace.recycling.models import EventKind, Fraction, LotStatus
from battrace.recycling.rollup import roll_up_content
from battrace.recycling.rules import Element
from battrace.store import Database
from tests.recycling.loop import (
    COLLECTOR,
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
CAR, SUPPLIER = PACK, MATERIAL  # the car maker and its magnet supplier


def test_an_electric_drive_unit_runs_through_cfp_dd_and_collection(database: Database) -> None:
    seed_loop(database)
    with database.transaction() as session:
        ensure_builtin(session)
        edu = part(
            session,
            CAR,
            plant(session, CAR),
            "EDU 150 kW",
            [("Stator copper", D(12)), ("Magnet", D(2))],
            bought=["Magnet"],
        )
        magnet = part(session, SUPPLIER, plant(session, SUPPLIER), "NdFeB magnet")["NdFeB magnet"]
        register_cfp(session, CAR, edu["EDU 150 kW"], "40")
        register_cfp(session, CAR, edu["Stator copper"], "4")
        register_cfp(session, SUPPLIER, magnet, "30")
        trade_id = trade(session, CAR, edu["Magnet"], SUPPLIER, magnet)
        # CFP: own 40 + 12 kg copper x 4 + 2 kg magnet x 30 = 148 kgCO2e per EDU
        footprint = product_footprint(
            session, viewer=CAR.operator_id, trace_id=edu["EDU 150 kW"], disclose_by_default=True
        )
        assert footprint.footprint.total == D(148)
        # due diligence on the magnet's supply chain, over the same trade
        request = requesting.send_request(
            session,
            caller=CAR.operator_id,
            trade_id=trade_id,
            template_id=BUILTIN_TEMPLATE_ID,
            materials=["cobalt"],
            due_date=None,
            message="EDU magnets",
        )
        answering.save_draft(
            session,
            caller=SUPPLIER.operator_id,
            request_id=request.id,
            answers=[AnswerWrite("BR49.POLICY", None, "yes")],
            facilities=[],
            signer=Signer("A. Supplier", None, "a@example.com"),
        )
        answering.submit(session, caller=SUPPLIER.operator_id, request_id=request.id)
        session.flush()
        dd = product_dd(
            session, viewer=CAR.operator_id, trace_id=edu["EDU 150 kW"], day=date(2027, 1, 1)
        )
        assert [s.supplier_id for s in dd.suppliers] == [SUPPLIER.operator_id]
        assert dd.suppliers[0].response is not None
        # recycled content: 12 kg copper of which 3 kg recycled (post-consumer)
        materials.declare_content(
            session,
            caller=CAR.operator_id,
            trace_id=edu["Stator copper"],
            element=Element.COPPER,
            content=ElementContent(D(1), D(0), D("0.25")),
        )
        session.flush()
        rolled = roll_up_content(
            session, viewer=CAR.operator_id, roots=[edu["EDU 150 kW"]], disclose_by_default=True
        )
        assert rolled.parts[edu["EDU 150 kW"]][Element.COPPER] == ElementContent(D(12), D(0), D(3))
        assert rolled.shares(edu["EDU 150 kW"])[Element.COPPER] == D("25.00")
        # collection: the collector takes the EDUs, the recycler dismantles them
        lot = custody.collect(
            session,
            caller=COLLECTOR.operator_id,
            collection=Collection(
                code="EDU-1",
                product_type="electric drive unit",
                member_state="DE",
                mass_kg=D(900),
                item_ids=("EDU-SN-1", "EDU-SN-2", "EDU-SN-3", "EDU-SN-4", "EDU-SN-5", "EDU-SN-6"),
            ),
        )
        custody.record_step(
            session,
            caller=COLLECTOR.operator_id,
            lot_id=lot.id,
            step=StepWrite(EventKind.SENT_FOR_RECYCLING, D(900)),
        )
        custody.hand_over(
            session, caller=COLLECTOR.operator_id, lot_id=lot.id, receiver=RECYCLER.operator_id
        )
        custody.accept_hand_over(
            session,
            caller=RECYCLER.operator_id,
            lot_id=lot.id,
            mass_received_kg=D(899),
            loss_kg=D(1),
        )
        fractions = custody.dismantle(
            session,
            caller=RECYCLER.operator_id,
            lot_id=lot.id,
            outputs=[
                FractionWrite(Fraction.COPPER, D(80)),
                FractionWrite(Fraction.STEEL, D(700)),
                FractionWrite(Fraction.ALUMINIUM, D(115)),
            ],
            loss_kg=D(4),
        )
        assert [f.product_type for f in fractions] == ["electric drive unit"] * 3
        check = lots.check_lot(session, caller=RECYCLER.operator_id, lot_id=lot.id)
        assert check.balanced and check.mass_out_kg == D(895)
        assert lot.status == LotStatus.DISMANTLED
