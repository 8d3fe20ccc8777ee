"""Rows written straight into the store for loader and stored-total tests: operators,
plants, parts, structures, CFP sets and answered requests (no service in between)."""

from __future__ import annotations

import uuid
from decimal import Decimal

from battrace.identity.models import Operator, Plant
from battrace.store import Database
from battrace.store.base import utcnow
from battrace.traceability.models import (
    AmountUnit,
    CfpResponseStatus,
    CfpType,
    CfpValue,
    Part,
    PartEdge,
    Trade,
    TradeTreeStatus,
)

UNIT = "kgCO2e/kilogram"


class Chain:
    """Rows written straight into the store: operators, plants, parts, structures, CFP."""

    def __init__(self) -> None:
        self.rows: list[object] = []
        self.operators: list[uuid.UUID] = []
        self.plants: list[uuid.UUID] = []

    def operator(self) -> int:
        at = len(self.operators)
        operator, plant = uuid.uuid4(), uuid.uuid4()
        self.operators.append(operator)
        self.plants.append(plant)
        self.rows.append(
            Operator(id=operator, name=f"op{at}", address="x", open_operator_id=f"{at:013d}")
        )
        self.rows.append(
            Plant(operator_id=operator, id=plant, name="p", address="x", open_plant_id=f"{at:019d}")
        )
        return at

    def part(
        self, owner: int, *, parent: bool = False, terminated: bool = False, cfp: str | None = None
    ) -> uuid.UUID:
        trace_id = uuid.uuid4()
        self.rows.append(
            Part(
                operator_id=self.operators[owner],
                trace_id=trace_id,
                plant_id=self.plants[owner],
                parts_name=str(trace_id),
                terminated_flag=terminated,
                amount_required_unit=AmountUnit.KILOGRAM,
                is_parent=parent,
            )
        )
        if cfp is not None:
            cfp_id = uuid.uuid4()
            for cfp_type, value in (
                (CfpType.PRE_PRODUCTION, cfp),
                (CfpType.PRE_COMPONENT, "0"),
                (CfpType.MAIN_PRODUCTION, cfp),
                (CfpType.MAIN_COMPONENT, "0"),
            ):
                self.rows.append(
                    CfpValue(
                        operator_id=self.operators[owner],
                        trace_id=trace_id,
                        cfp_type=cfp_type,
                        cfp_id=cfp_id,
                        ghg_emission=Decimal(value),
                        ghg_declared_unit=UNIT,
                        dqr_type="preProcessing",
                        ter=Decimal(1),
                        ger=Decimal(2),
                        tir=Decimal(3),
                    )
                )
        return trace_id

    def edge(self, owner: int, parent: uuid.UUID, child: uuid.UUID, amount: str) -> None:
        self.rows.append(
            PartEdge(
                operator_id=self.operators[owner],
                parent_trace_id=parent,
                child_trace_id=child,
                amount_required=Decimal(amount),
            )
        )

    def answer(self, customer: int, bought: uuid.UUID, supplier: int, product: uuid.UUID) -> None:
        now = utcnow()
        self.rows.append(
            Trade(
                id=uuid.uuid4(),
                status_id=uuid.uuid4(),
                downstream_operator_id=self.operators[customer],
                upstream_operator_id=self.operators[supplier],
                downstream_trace_id=bought,
                upstream_trace_id=product,
                cfp_response_status=CfpResponseStatus.COMPLETED,
                trade_tree_status=TradeTreeStatus.TERMINATED,
                completed_count_modified_at=now,
                trades_count_modified_at=now,
            )
        )

    def store(self, database: Database) -> None:
        with database.transaction() as session:
            for kind in (Operator, Plant, Part, PartEdge, CfpValue, Trade):
                session.add_all(row for row in self.rows if isinstance(row, kind))
                session.flush()
