"""`battrace recycling demo`: the loop closed on a small example, through the recycling,
passport and traceability services on the configured database.

A pack maker takes back two of its packs (their passports become waste, responsibility to the
recycler) and hands them over; the recycler accepts, dismantles them, reports its period
(recycling efficiency and recovery against Annex XII) and recycles the black mass (the
passports end); it offers recovered cobalt and nickel sulphate; the cathode maker takes both
offers (each becomes a trade), books them with virgin feed into its mass balance and declares
its cathode's share; the pack maker's next pack, buying that cathode, shows the recycled
content against Art. 8 in its passport model.

`battrace demo` plays the same story through the HTTP API as steps of its scenario, with the
demo's own companies (`cli/demo/loop.py`); this one stays for a database without the demo.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from rich.console import Console
from rich.table import Table
from sqlalchemy.orm import Session

from battrace.cli.common import settings_from_env
from battrace.cli.seeds import SeedCompany, ensure_company
from battrace.identity import plants
from battrace.ids import OperatorId, PlantId, TraceId, TradeId
from battrace.passport import battery_models, issuing
from battrace.passport.issuing import NewBattery
from battrace.passport.models import BatteryCategory
from battrace.recycling import custody, market, materials, permits, reports
from battrace.recycling.content import BalanceInput
from battrace.recycling.custody import Collection, FractionWrite, StepWrite
from battrace.recycling.materials import LotWrite
from battrace.recycling.models import EventKind, Fraction, Role
from battrace.recycling.reports import ReportWrite
from battrace.recycling.rules import Category, Element, InputBatch, OutputFraction
from battrace.store import Database
from battrace.traceability import cfp, parts, trades
from battrace.traceability.cfp import CfpRowWrite, CfpSetWrite
from battrace.traceability.models import AmountUnit, CfpType
from battrace.traceability.stages import Dqr

D = Decimal
PASSWORD = "Loop&demo_2026"


def _company(n: int, name: str) -> SeedCompany:
    return SeedCompany(
        uuid.uuid5(uuid.NAMESPACE_URL, f"battrace-loop-demo-{n}"),
        name,
        "Hamburg",
        f"65432100000{n:02d}",
        f"LOOPDEMO00000000{n:04d}",
        f"loop{n}@example.com",
        PASSWORD,
    )


PACK, RECYCLER, CATHODE = (
    _company(1, "Loop pack maker"),
    _company(2, "Loop recycler"),
    _company(3, "Loop cathode maker"),
)


@dataclass(frozen=True)
class LoopResult:
    outcome: str  # "built" or "present"
    shares: dict[Element, Decimal | None]
    efficiency: Decimal | None = None
    passports_ended: int = 0


def _part(
    session: Session,
    company: SeedCompany,
    name: str,
    children: tuple[tuple[str, Decimal], ...] = (),
) -> dict[str, TraceId]:
    plant = next(iter(plants.list_plants(session, caller=OperatorId(company.operator_id))), None)
    if plant is None:
        plant = plants.save_plant(
            session,
            caller=OperatorId(company.operator_id),
            plant=plants.PlantWrite(
                None,
                company.operator_id,
                "Plant",
                company.address,
                f"{company.open_operator_id}000001",
                None,
            ),
        )
        session.flush()

    def write(part_name: str, terminated: bool) -> parts.PartWrite:
        return parts.PartWrite(
            None,
            company.operator_id,
            PlantId(plant.id),
            part_name,
            None,
            terminated,
            AmountUnit.KILOGRAM,
        )

    saved = parts.save_structure(
        session,
        caller=OperatorId(company.operator_id),
        parent=write(name, False),
        children=[parts.ChildWrite(write(child, False), amount) for child, amount in children],
    )
    session.flush()
    found = {name: saved.parent.trace_id}
    found.update({child.part.parts_name: child.part.trace_id for child in saved.children})
    return found


def _cfp(session: Session, company: SeedCompany, trace_id: TraceId, main: str) -> None:
    rows = [
        CfpRowWrite(k, D(main) if k == CfpType.MAIN_PRODUCTION else D(0), Dqr.empty())
        for k in CfpType
    ]
    cfp.register_cfp(
        session,
        caller=OperatorId(company.operator_id),
        cfp_set=CfpSetWrite(trace_id, None, "kgCO2e/kilogram", rows),
    )
    session.flush()


def _trade(
    session: Session, buyer: SeedCompany, bought: TraceId, seller: SeedCompany, sold: TraceId
) -> None:
    request = trades.request_trade(
        session,
        caller=OperatorId(buyer.operator_id),
        request=trades.TradeRequestWrite(
            None, None, buyer.operator_id, seller.operator_id, bought, None, None
        ),
    )
    trades.link_part(
        session, caller=OperatorId(seller.operator_id), trade_id=TradeId(request.id), trace_id=sold
    )
    session.flush()


def _recycle(session: Session, say: Console) -> tuple[Decimal, int]:
    pack, recycler = PACK.operator_id, RECYCLER.operator_id
    product = _part(session, PACK, "Pack 60 kWh (2025)")["Pack 60 kWh (2025)"]
    model = battery_models.create_model(
        session,
        caller=pack,
        name="Pack 60 kWh (2025)",
        category=BatteryCategory.EV,
        trace_id=product,
    )
    issued = issuing.create_batch(
        session,
        caller=pack,
        model_id=model.id,
        publish=True,
        batteries=[NewBattery(identifier="LOOP-PACK-1"), NewBattery(identifier="LOOP-PACK-2")],
    )
    ids = tuple(str(p) for p in issued.passport_ids)
    lot = custody.collect(
        session,
        caller=pack,
        collection=Collection(
            code="LOOP-1",
            product_type="battery",
            member_state="DE",
            mass_kg=D(800),
            item_ids=ids,
            chemistry="NMC811",
            energy_kwh=D(120),
            taken_back=True,
            responsible=recycler,
        ),
    )
    say.print("Pack maker: took back 2 packs (800 kg); passports waste, recycler responsible")
    custody.hand_over(session, caller=pack, lot_id=lot.id, receiver=recycler)
    custody.accept_hand_over(
        session, caller=recycler, lot_id=lot.id, mass_received_kg=D(799), loss_kg=D(1)
    )
    black_mass, *_ = custody.dismantle(
        session,
        caller=recycler,
        lot_id=lot.id,
        loss_kg=D(4),
        outputs=[
            FractionWrite(Fraction.BLACK_MASS, D(420)),
            FractionWrite(Fraction.ALUMINIUM, D(190)),
            FractionWrite(Fraction.COPPER, D(75)),
            FractionWrite(Fraction.STEEL, D(90)),
            FractionWrite(Fraction.PLASTICS, D(20)),
        ],
    )
    view = reports.submit_report(
        session,
        caller=recycler,
        report=ReportWrite(
            facility="Loop recycler, Hamburg",
            period_start=date(2026, 1, 1),
            period_end=date(2026, 12, 31),
            member_state="DE",
            category=Category.LITHIUM,
            inputs=[
                InputBatch(
                    Category.LITHIUM,
                    "NMC811",
                    D(799),
                    D(20),
                    {
                        Element.COBALT: D(24),
                        Element.NICKEL: D(190),
                        Element.LITHIUM: D(28),
                        Element.COPPER: D(76),
                    },
                )
            ],
            outputs=[
                OutputFraction(
                    "cobalt sulphate",
                    D(110),
                    elements={Element.COBALT: D(23)},
                    purity_percent=D("99.8"),
                ),
                OutputFraction(
                    "nickel sulphate",
                    D(300),
                    elements={Element.NICKEL: D(180)},
                    purity_percent=D("99.5"),
                ),
                OutputFraction("lithium carbonate", D(120), elements={Element.LITHIUM: D(22)}),
                OutputFraction("copper", D(74), elements={Element.COPPER: D(72)}),
                OutputFraction("aluminium", D(60)),
            ],
        ),
    )
    custody.record_step(
        session, caller=recycler, lot_id=black_mass.id, step=StepWrite(EventKind.RECYCLED, D(420))
    )
    ended = sum(
        1
        for p in issued.passport_ids
        if issuing.own_passport(session, caller=recycler, passport_id=p).ended_at is not None
    )
    say.print(
        f"Recycler: report efficiency {view.rates.efficiency_percent} %, Co recovery "
        f"{view.rates.recovery_percent[Element.COBALT]} %; black mass recycled, "
        f"{ended} passports ended"
    )
    return view.rates.efficiency_percent, ended


def _flow_back(session: Session, say: Console) -> uuid.UUID:
    recycler, maker, pack = RECYCLER.operator_id, CATHODE.operator_id, PACK.operator_id
    cathode = _part(session, CATHODE, "NCM811 cathode")
    for element in (Element.COBALT, Element.NICKEL):  # bought in, booked, not in the structure
        name = f"{element.name.lower()} sulphate in"
        cathode[name] = _part(session, CATHODE, name)[name]
    for element, fraction, bought_kg, virgin_kg, per_kg in (
        (Element.COBALT, D("0.21"), D(100), D(90), D("0.06")),
        (Element.NICKEL, D("0.22"), D(400), D(1400), D("0.48")),
    ):
        name = f"Recovered {element.name.lower()} sulphate"
        sold = _part(session, RECYCLER, name)[name]
        lot = materials.create_material_lot(
            session,
            caller=recycler,
            lot=LotWrite(sold, element, "battery grade", bought_kg, fraction, D(0), D(100), D(3)),
        )
        offer = market.offer_lot(
            session, caller=recycler, lot_id=lot.id, quantity_kg=bought_kg, public=True
        )
        wanted = market.ask(
            session,
            caller=maker,
            trace_id=cathode[f"{element.name.lower()} sulphate in"],
            element=element,
            grade="battery grade",
            quantity_kg=bought_kg,
        )
        taken = market.take_offer(session, caller=maker, offer_id=offer.id, ask_id=wanted.id)
        market.confirm_match(session, caller=recycler, ask_operator_id=maker, ask_id=wanted.id)
        assert taken.trade_id is not None  # noqa: S101 (a take makes a trade)
        materials.book_purchase(
            session,
            caller=maker,
            trade_id=taken.trade_id,
            quantity=bought_kg,
            site="Lyon",
            period="2027",
            disclose_by_default=settings_from_env().disclose_by_default,
        )
        materials.book_input(
            session,
            caller=maker,
            site="Lyon",
            element=element,
            period="2027",
            booked=BalanceInput(virgin_kg),
            source="virgin feed",
        )
        materials.apply_balance(
            session,
            caller=maker,
            trace_id=cathode["NCM811 cathode"],
            site="Lyon",
            element=element,
            period="2027",
            element_kg_per_unit=per_kg,
            produced_units=D(500),
        )
    say.print(
        "Cathode maker: bought recovered Co and Ni through the market, "
        "mass balanced with virgin feed"
    )
    _cfp(session, CATHODE, cathode["NCM811 cathode"], "15")
    next_pack = _part(session, PACK, "Pack 60 kWh (2027)", (("NCM811 cathode", D(45)),))
    _trade(session, PACK, next_pack["NCM811 cathode"], CATHODE, cathode["NCM811 cathode"])
    battery_models.create_model(
        session,
        caller=pack,
        name="Pack 60 kWh (2027)",
        category=BatteryCategory.EV,
        trace_id=next_pack["Pack 60 kWh (2027)"],
    )
    return next_pack["Pack 60 kWh (2027)"]


def close_the_loop(database: Database, console: Console) -> LoopResult:
    with database.transaction() as session:
        present = any(ensure_company(session, c) is False for c in (PACK, RECYCLER, CATHODE))
        if present:
            console.print("The loop demo is loaded already.")
            return LoopResult("present", {})
        session.flush()
        for company, roles in (
            (PACK, (Role.COLLECTOR,)),
            (RECYCLER, (Role.TREATMENT, Role.RECYCLER)),
        ):
            for role in roles:
                permits.declare_permit(
                    session,
                    caller=company.operator_id,
                    role=role,
                    permit_ref=f"DEMO-{role.value}",
                    valid_until=None,
                )
        efficiency, ended = _recycle(session, console)
        product = _flow_back(session, console)
        found = materials.model_content(
            session,
            caller=PACK.operator_id,
            trace_id=product,
            placed_on_market=date(2031, 9, 1),
            fill_passport=True,
            disclose_by_default=settings_from_env().disclose_by_default,
        )
    table = Table(title="Next pack's recycled content (passport model) against Art. 8, 2031")
    for column in ("element", "share", "minimum", "gap"):
        table.add_column(column, justify="right")
    for check in found.checks:
        table.add_row(
            check.element.value,
            "-" if check.share_percent is None else f"{check.share_percent} %",
            "-" if check.minimum is None else f"{check.minimum.percent} %",
            "-" if check.gap_percent is None else f"{check.gap_percent}",
        )
    console.print(table)
    return LoopResult("built", found.shares, efficiency, ended)
