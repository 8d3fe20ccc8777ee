"""The pages, one module per area; importing this package registers every route."""

from battrace.web.pages import (
    auth,
    cfp,
    csv_import,
    dd_answer,
    dd_report,
    dd_requests,
    dd_version,
    factors,
    footprint,
    home,
    inbox,
    parts,
    plants,
    structure,
    trade_requests,
    trades,
)

__all__ = [
    "auth",
    "cfp",
    "csv_import",
    "dd_answer",
    "dd_report",
    "dd_requests",
    "dd_version",
    "factors",
    "footprint",
    "home",
    "inbox",
    "parts",
    "plants",
    "structure",
    "trade_requests",
    "trades",
]
