"""The CFP vocabulary every roll-up speaks: the two life-cycle stages, which CfpType is a
stage's own (`*Production`) and bought-in (`*Component`) value, and a data-quality rating.
It imports no service, so the supply-chain walk and the CFP services can both use it.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from decimal import Decimal

from battrace.traceability.models import CfpType


class Stage(enum.StrEnum):
    PRE = "pre"
    MAIN = "main"


STAGE_OF: dict[CfpType, Stage] = {
    CfpType.PRE_PRODUCTION: Stage.PRE,
    CfpType.PRE_COMPONENT: Stage.PRE,
    CfpType.MAIN_PRODUCTION: Stage.MAIN,
    CfpType.MAIN_COMPONENT: Stage.MAIN,
}
PRODUCTION = {Stage.PRE: CfpType.PRE_PRODUCTION, Stage.MAIN: CfpType.MAIN_PRODUCTION}
COMPONENT = {Stage.PRE: CfpType.PRE_COMPONENT, Stage.MAIN: CfpType.MAIN_COMPONENT}
DQR_TYPE = {Stage.PRE: "preProcessing", Stage.MAIN: "mainProcessing"}


@dataclass(frozen=True)
class Dqr:
    """Data-quality ratings: technological, geographical, time-related representativeness."""

    ter: Decimal | None
    ger: Decimal | None
    tir: Decimal | None

    @classmethod
    def empty(cls) -> Dqr:
        return cls(None, None, None)
