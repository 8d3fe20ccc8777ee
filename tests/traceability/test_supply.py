"""`traceability.supply` and its walk: the loader on graphs that are wide (a tier of
thousands of parts in one query), deep (more tiers than Python's recursion limit) or cyclic,
on SQLite and PostgreSQL."""

from __future__ import annotations

from decimal import Decimal

from battrace.footprint import load_graph
from battrace.store import Database
from battrace.traceability.combine import RatedEmission
from battrace.traceability.rollup import cfp_rows
from battrace.traceability.stages import Dqr, Stage
from battrace.traceability.supply import SupplyGraph
from tests.traceability.chain import Chain


def test_a_tier_of_thousands_of_parts_is_read_whole(database: Database) -> None:
    chain = Chain()
    maker, supplier = chain.operator(), chain.operator()
    product = chain.part(maker, parent=True, cfp="1")
    expected = Decimal(1)
    for at in range(2500):  # more ids than any IN list may hold on old SQLite
        if at % 2:
            leaf = chain.part(maker, terminated=True, cfp=f"0.{at:05d}")
            expected += Decimal("0.5") * Decimal(f"0.{at:05d}")
        else:
            leaf = chain.part(maker)
            answer = chain.part(supplier, terminated=True, cfp="2")
            chain.answer(maker, leaf, supplier, answer)
            expected += Decimal("0.5") * 2
        chain.edge(maker, product, leaf, "0.5")
    chain.store(database)
    with database.transaction(write=False) as session:
        graph = load_graph(
            session, viewer=chain.operators[maker], roots=[product], disclose_by_default=True
        )
        total = SupplyGraph(session, disclose_by_default=True).load([product]).total(product)
    assert len(graph.nodes) == 2501
    assert sum(node.boundary is not None for node in graph.nodes.values()) == 1250
    assert [edge.child for edge in graph.nodes[product].children] == sorted(
        edge.child for edge in graph.nodes[product].children
    )
    assert total[Stage.PRE] == RatedEmission(expected, Dqr(Decimal(1), Decimal(2), Decimal(3)))


def test_a_chain_deeper_than_the_recursion_limit_has_a_total(database: Database) -> None:
    chain = Chain()
    owners = [chain.operator() for _ in range(3)]
    root = top = chain.part(owners[0], parent=True, cfp="1")
    for depth in range(1, 600):  # a product, its bought-in part, the supplier's product, ...
        owner, supplier = owners[(depth - 1) % 3], owners[depth % 3]
        bought = chain.part(owner)
        chain.edge(owner, top, bought, "1")
        top = chain.part(supplier, parent=True, cfp="1")
        chain.answer(owner, bought, supplier, top)
    chain.store(database)
    with database.transaction(write=False) as session:
        rows = cfp_rows(
            session, caller=chain.operators[owners[0]], trace_ids=[root], disclose_by_default=True
        )
    assert [(row.cfp_type, row.ghg_emission) for row in rows[4:6]] == [
        ("preProductionTotal", Decimal(1)),
        ("preComponentTotal", Decimal(599)),  # the 599 products above, 1 each
    ]


def test_a_cycle_through_answered_requests_is_unknown_not_endless(database: Database) -> None:
    chain = Chain()
    a, b = chain.operator(), chain.operator()
    product_a = chain.part(a, parent=True, cfp="1")
    bought_a = chain.part(a)
    chain.edge(a, product_a, bought_a, "1")
    product_b = chain.part(b, parent=True, cfp="1")
    bought_b = chain.part(b)
    chain.edge(b, product_b, bought_b, "1")
    chain.answer(a, bought_a, b, product_b)
    chain.answer(b, bought_b, a, product_a)  # a's product is made of itself, two steps up
    chain.store(database)
    with database.transaction(write=False) as session:
        graph = load_graph(
            session, viewer=chain.operators[a], roots=[product_a], disclose_by_default=True
        )
    boundary = graph.nodes[bought_a].boundary
    assert boundary is not None
    assert boundary.totals[Stage.PRE].emission is None
