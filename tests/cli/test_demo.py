"""`battrace demo`: the supply chain is built through a real server, and the car maker's CFP
is what the demo's bills of materials and supplier figures give when computed by hand.

The expected figures below are written out independently of `battrace.cli.demo`: the same
BOM amounts and CFP rows, rolled up with the rule of the README ("How it is built"): a
part's total per stage = own `*Production` + `*Component` + Σ amountRequired x the child's
total, through answered requests up the chain.
"""

from __future__ import annotations

import io
import uuid
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_UP, Decimal
from pathlib import Path

from rich.console import Console
from sqlalchemy import func, select

from battrace.cli.demo import COMPANIES, run_demo
from battrace.diligence.models import DdRequest, DdRequestStatus
from battrace.diligence.rollup import product_dd
from battrace.identity import operators
from battrace.identity.models import Operator
from battrace.passport.models import BatteryModel, Passport
from battrace.settings import Settings
from battrace.store import Database
from battrace.traceability.models import CertificateFile, CfpResponseStatus, Part, Trade

D = Decimal
Dqr = tuple[Decimal, Decimal, Decimal]


@dataclass(frozen=True)
class Item:
    """A product or material: own + component emissions per stage (kgCO2e per unit of it),
    the stage DQR (TeR, GeR, TiR), and its bill of materials (amount per unit, item)."""

    pre: Decimal
    main: Decimal
    pre_dqr: Dqr | None
    main_dqr: Dqr | None
    bom: tuple[tuple[Decimal, Item], ...] = ()


def dqr(text: str) -> Dqr:
    ter, ger, tir = (D(v) for v in text.split())
    return ter, ger, tir


# Tier 4: lithium refiner. LiOH·H2O per kg: pre 1.2 own + 6.9 spodumene, main 5.1 + 0.8.
LIOH = Item(D("1.2") + D("6.9"), D("5.1") + D("0.8"), dqr("2 1 1"), dqr("1 1 1"))
# Tier 3: cathode maker (per kg NMC811): 0.46 kg LiOH (bought), 0.98 kg pCAM (own estimate),
# own calcination 3.8 in main production.
PCAM = Item(D("9.4"), D("2.1"), dqr("3 3 2"), dqr("3 3 2"))
CAM = Item(D(0), D("3.8"), None, dqr("1 2 1"), ((D("0.46"), LIOH), (D("0.98"), PCAM)))
GRAPHITE = Item(D("0.9") + D("1.6"), D("5.2"), dqr("2 2 2"), dqr("1 1 2"))  # per kg
ELECTROLYTE = Item(D("0.3") + D("3.4"), D("0.9"), dqr("2 3 2"), dqr("1 2 1"))  # per liter
SEPARATOR = Item(D("0.11"), D("0.28") + D("0.04"), dqr("3 2 2"), dqr("1 1 1"))  # per m2
# Tier 2: cell maker, per cell.
CAN = Item(D("6.8"), D("1.2"), dqr("3 3 3"), dqr("3 3 3"))
CELL = Item(
    D(0),
    D("11.2"),
    None,
    dqr("1 1 1"),
    (
        (D("1.05"), CAM),
        (D("0.68"), GRAPHITE),
        (D("0.52"), ELECTROLYTE),
        (D("9.6"), SEPARATOR),
        (D("0.95"), CAN),
    ),
)
# Tier 1: pack maker, per pack: 96 cells, 42 kg aluminium housing, 1 BMS, assembly 95.
HOUSING = Item(D("8.6"), D("1.4"), dqr("2 4 2"), dqr("2 4 2"))
BMS = Item(D(38), D("6.5"), dqr("4 3 3"), dqr("4 3 3"))
PACK = Item(D(0), D(95), None, dqr("1 1 1"), ((D(96), CELL), (D(42), HOUSING), (D(1), BMS)))
# Tier 0: car maker, per battery system: 1 pack, 14 kg steel frame, installation 18.
FRAME = Item(D("2.1"), D("0.25"), dqr("3 2 3"), dqr("3 2 3"))
SYSTEM = Item(D(0), D(18), None, dqr("1 1 1"), ((D(1), PACK), (D(14), FRAME)))
PACK_KWH = 96 * D("0.6278")

# The same roll-up done on paper (kgCO2e per unit of each item, pre-processing / main):
#   LiOH      8.1          / 5.9
#   CAM       0.46 x 8.1 + 0.98 x 9.4 = 12.938   / 3.8 + 0.46 x 5.9 + 0.98 x 2.1 = 8.572
#   cell      1.05 x 12.938 + 0.68 x 2.5 + 0.52 x 3.7 + 9.6 x 0.11 + 0.95 x 6.8 = 24.7249
#             11.2 + 1.05 x 8.572 + 0.68 x 5.2 + 0.52 x 0.9 + 9.6 x 0.32 + 0.95 x 1.2 = 28.4166
#   pack      96 x 24.7249 + 42 x 8.6 + 38 = 2772.7904 / 95 + 96 x 28.4166 + 42 x 1.4 + 6.5
#             = 2888.2936
#   system    2772.7904 + 14 x 2.1 = 2802.1904 / 18 + 2888.2936 + 14 x 0.25 = 2909.7936
BY_HAND = {
    "Minato Lithium": (D("8.1"), D("5.9")),
    "Kawasemi Cathode": (D("12.938"), D("8.572")),
    "Kurogane Graphite": (D("2.5"), D("5.2")),
    "Seiryu Electrolyte": (D("3.7"), D("0.9")),
    "Shirakaba Separator": (D("0.11"), D("0.32")),
    "Hikari Cell": (D("24.7249"), D("28.4166")),
    "Tsubame Battery": (D("2772.7904"), D("2888.2936")),
    "Aozora Motors": (D("2802.1904"), D("2909.7936")),
}
ITEMS = {
    "Minato Lithium": LIOH,
    "Kawasemi Cathode": CAM,
    "Kurogane Graphite": GRAPHITE,
    "Seiryu Electrolyte": ELECTROLYTE,
    "Shirakaba Separator": SEPARATOR,
    "Hikari Cell": CELL,
    "Tsubame Battery": PACK,
    "Aozora Motors": SYSTEM,
}


def total(item: Item, stage: str) -> Decimal:
    own: Decimal = getattr(item, stage)
    return own + sum((amount * total(child, stage) for amount, child in item.bom), D(0))


def contributions(item: Item, stage: str, factor: Decimal) -> list[tuple[Decimal, Dqr | None]]:
    """Every emission behind the item's total, scaled to one unit of the item, with its DQR."""
    rows = [(factor * getattr(item, stage), getattr(item, f"{stage}_dqr"))]
    for amount, child in item.bom:
        rows += contributions(child, stage, factor * amount)
    return rows


def weighted_dqr(item: Item, stage: str) -> tuple[Decimal, ...]:
    """Each DQR indicator averaged over all emissions behind the total, weighted by them
    (the server weights tier by tier; one flat average over the leaves is the same number)."""
    rows = [(e, d) for e, d in contributions(item, stage, D(1)) if e > 0 and d is not None]
    weight = sum((e for e, _ in rows), D(0))
    return tuple(
        (sum((e * d[i] for e, d in rows), D(0)) / weight).quantize(D("0.00001"), ROUND_UP)
        for i in range(3)
    )


def same_dqr(actual: tuple[Decimal | None, ...], expected: tuple[Decimal, ...]) -> bool:
    """Equal up to the last (5th) decimal, which each side rounds up after its own divisions."""
    return len(actual) == 3 and all(
        a is not None and abs(a - e) <= D("0.00001") for a, e in zip(actual, expected, strict=True)
    )


def counts(database: Database) -> tuple[int, int, int]:
    with database.transaction(write=False) as session:
        return (
            session.scalar(select(func.count()).select_from(Operator)) or 0,
            session.scalar(select(func.count()).select_from(Part)) or 0,
            session.scalar(select(func.count()).select_from(Trade)) or 0,
        )


def test_by_hand_figures_follow_the_rule() -> None:
    for company, (pre, main) in BY_HAND.items():
        assert (total(ITEMS[company], "pre"), total(ITEMS[company], "main")) == (pre, main)


def test_demo_builds_the_chain_and_rolls_it_up(settings: Settings, database: Database) -> None:
    output = io.StringIO()
    result = run_demo(settings, console=Console(file=output, width=100), skip_if_present=False)
    text = output.getvalue()

    assert result.outcome == "built"
    assert result.product is not None
    assert result.product_trace_id is not None
    # The car maker's product: own + every tier up the chain, exactly.
    assert (result.pre_total, result.main_total) == BY_HAND["Aozora Motors"]
    assert result.product.total == D("5711.984")
    assert (result.product.total / PACK_KWH).quantize(D("0.01")) == D("94.78")
    # Every company reads its own product's total the same way, with emission-weighted DQR.
    assert {p.company: (p.pre, p.main) for p in result.products} == BY_HAND
    for product in result.products:
        item = ITEMS[product.company]
        assert same_dqr(product.pre_dqr, weighted_dqr(item, "pre")), product
        assert same_dqr(product.main_dqr, weighted_dqr(item, "main")), product
    # Request statuses as the car maker sees them: 7 requests up the chain, all answered.
    assert (result.trades_count, result.completed_count) == (7, 7)
    assert result.tree_status == "TERMINATED"
    assert result.calls > 50

    with database.transaction(write=False) as session:
        every_trade = list(session.scalars(select(Trade).order_by(Trade.created_at)))
        # the CFP chain's trades are those of the eight chain companies' first products; the
        # loop adds four: two market purchases of recovered sulphate, the next pack's cathode
        # and the electric drive unit's magnet (both answered)
        loop_parts = set(
            session.scalars(
                select(Part.trace_id).where(
                    Part.parts_name.in_(
                        ["Co sulphate in", "Ni sulphate in", "NCM811 cathode (recycled)",
                         "Rotor magnet"]
                    )
                )
            )
        )  # fmt: skip
        trades = [t for t in every_trade if t.downstream_trace_id not in loop_parts]
        assert len(every_trade) == len(trades) + 4
        loop_trades = [t for t in every_trade if t.downstream_trace_id in loop_parts]
        assert all(t.upstream_trace_id is not None for t in loop_trades)
        rejected = [t for t in trades if t.cfp_response_status == CfpResponseStatus.REJECT]
        completed = [t for t in trades if t.cfp_response_status == CfpResponseStatus.COMPLETED]
        assert len(trades) == 8
        assert len(completed) == 7
        assert all(t.upstream_trace_id is not None for t in completed)
        # One request was sent back with a reason, then asked again and answered.
        [sent_back] = rejected
        assert sent_back.reply_message and "grade" in sent_back.reply_message
        assert sent_back.upstream_trace_id is None
        [again] = [t for t in completed if t.downstream_trace_id == sent_back.downstream_trace_id]
        assert again.created_at >= sent_back.created_at
        assert again.message and "SE-12A" in again.message
        # One supplier's certificate, a real PDF in the certificate store.
        [certificate] = session.scalars(select(CertificateFile))
        assert certificate.certificate_id is not None and certificate.size
        assert settings.certificate_dir is not None
        stored = Path(settings.certificate_dir) / certificate.id.hex[:2] / certificate.id.hex
        assert stored.read_bytes().startswith(b"%PDF-")
        open_ids = set(session.scalars(select(Operator.open_operator_id)))
        # the eight of the chain, the recycler and the magnet maker of the loop
        assert len(open_ids) == 10 and all(len(i) == 13 and i.isdigit() for i in open_ids)
        # Due diligence over the seven live trades and the drive unit's magnet, all answered.
        requests = list(session.scalars(select(DdRequest)))
        assert len(requests) == 8
        assert {r.status for r in requests} == {DdRequestStatus.ANSWERED}
        oem = session.scalar(select(Operator.id).where(Operator.name.like("Aozora%")))
        assert oem is not None
        picture = product_dd(
            session, viewer=oem, trace_id=uuid.UUID(result.product_trace_id), day=date(2026, 11, 23)
        )
    cobalt = picture.by_material["cobalt"]
    # Union over the tiers: the conformant refinery and the active one the cathode maker named.
    assert sorted(cobalt.facilities) == ["CID990201", "CID990202"]
    assert picture.visible_facilities["cobalt"] == {"CID990201"}  # the rest is withheld
    assert cobalt.answers["MAT.CAHRA"] == "unknown"  # the cathode maker's answer wins
    assert picture.by_material["natural_graphite"].contained is False
    assert picture.by_material["lithium"].completeness == 1.0
    assert picture.by_material["nickel"].facilities["CID990203"].status == "not_enrolled"
    assert "4. Due diligence" in text and "DD of" in text
    assert "5. Battery passports" in text
    assert "6. Second life" in text and "grade A" in text and "new passport" in text

    assert "sends back" in text and "5,711.984" in text and "TERMINATED" in text
    assert "Battery passports:" in text and "repurposed it into a stationary battery" in text
    assert "owner 29 + status + dynamic" in text
    # The loop: two packs recycled (their passports end), recovered Co and Ni mass balanced
    # into a new cathode: Co 21 kg recycled of 21 + 90 booked = 18.92 %, Ni 88 of 88 + 1400 =
    # 5.91 % (the same share for every unit of the cathode, so for the next pack too).
    assert "7. The loop" in text and "2 passports ended" in text
    assert "8. Not only batteries" in text
    assert "EDU 150 kW: CFP 148 kgCO2e" in text  # 40 + 12 x 4 + 2 x 30
    with database.transaction(write=False) as session:
        model = session.scalar(
            select(BatteryModel).where(BatteryModel.name == "Demo pack 60 kWh (2030)")
        )
        assert model is not None
        shares = {
            row["material"]: D(str(row["share"]))
            for row in model.data["circularity"]["recycledContent"]
        }
        assert (shares["cobalt"], shares["nickel"]) == (D("18.92"), D("5.91"))
        ended = session.scalars(
            select(Passport.ended_at).where(Passport.battery_identifier.like("LOOP-000%"))
        ).all()
        assert len(ended) == 2 and all(at is not None for at in ended)
    # the passport and second-life steps add nine lines, the loop's two steps sixteen
    assert len(text.splitlines()) < 150

    # `battrace serve --with-demo` every time: the second run does nothing at all.
    before = counts(database)
    skipped = run_demo(settings, console=Console(file=io.StringIO()), skip_if_present=True)
    assert skipped.outcome == "skipped"
    assert skipped.calls == 0
    assert counts(database) == before

    # `battrace demo` again: no error, the same results read back, nothing written.
    again_output = io.StringIO()
    present = run_demo(settings, console=Console(file=again_output), skip_if_present=False)
    assert present.outcome == "present"
    assert present.product == result.product
    assert present.products == result.products
    assert (present.trades_count, present.completed_count) == (7, 7)
    assert counts(database) == before
    assert "already" in again_output.getvalue()


def test_demo_leaves_others_alone_when_its_numbers_are_taken(
    settings: Settings, database: Database
) -> None:
    """Another company holds one of the demo's corporate numbers: nothing is done, no error."""
    with database.transaction() as session:
        operators.create_operator(
            session,
            name="Someone else",
            address="Tokyo",
            open_operator_id=COMPANIES[2].open_operator_id,
        )
    before = counts(database)
    output = io.StringIO()
    result = run_demo(settings, console=Console(file=output), skip_if_present=False)
    assert result.outcome == "blocked"
    assert result.calls == 0
    assert counts(database) == before
    assert COMPANIES[2].open_operator_id in output.getvalue()
