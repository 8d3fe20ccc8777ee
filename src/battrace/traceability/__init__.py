"""Traceability: parts and their structures, trades, CFP values, disclosure, certificates,
notifications, and the stored part totals."""

# The commit hook that keeps `part_totals` settled, registered wherever these tables are used.
from battrace.traceability import totals_hook  # noqa: F401
