"""PACT (WBCSD Partnership for Carbon Transparency) exchange, as domain rules and storage.

What a company offers to PACT clients (credentials bound to one counterparty, publication
decisions per product and client, the ProductFootprints made from its CFP), what it receives
from remote PACT hosts (hosts, received footprints with provenance, answers to bought-in
parts), the exchange log and the retry state of outgoing events. Nothing here knows HTTP:
the `battrace.interop` surface serves and calls PACT, and passes a transport in where a
remote host must be reached.
"""
