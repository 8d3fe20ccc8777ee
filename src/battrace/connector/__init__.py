"""The contract API surface: the Ouranos-compatible HTTP API and battrace's own JSON APIs.

Every route follows one pattern (`routing`); the routers are mounted by `battrace.app`.
"""
