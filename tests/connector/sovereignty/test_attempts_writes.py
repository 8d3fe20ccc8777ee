"""Sovereignty attempts on PUT and DELETE datatransport: parts, structures, requests, answers, CFP, status (#5-#19):
each is one call by one company against another's data (see `attempts.check_attempt`)."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from tests.connector.sovereignty.attempts import (
    DATASPACE_DENIED,
    NO_SUCH_PART,
    Attempt,
    amend,
    attempt_params,
    check_attempt,
    dataspace,
    status_change,
)
from tests.connector.sovereignty.world import World, dt
from tests.support import cfp_set, part, trade_request

ATTEMPTS: list[Attempt] = [
    # ---------------------------------------------------------------- PUT parts (#5)
    Attempt(
        "put-parts-C-as-A",
        "C",
        "PUT",
        lambda w: dt("parts"),
        DATASPACE_DENIED,
        body=lambda w: part(w.op_a, w.plant_a, "部品X"),
    ),
    Attempt(
        "put-parts-C-rename-A-part",
        "C",
        "PUT",
        lambda w: dt("parts"),
        DATASPACE_DENIED,
        body=lambda w: part(w.op_a, w.plant_a, "乗っ取り", support="modelA", trace_id=w.part_a),
    ),
    Attempt(
        "put-parts-C-own-id-on-A-trace",
        "C",
        "PUT",
        lambda w: dt("parts"),
        dataspace(404, lambda w: f"traceId: {w.part_a} was not found."),
        body=lambda w: part(w.op_c, w.plant_c, "部品A", support="modelA", trace_id=w.part_a),
        foreign=lambda w: w.part_a,
    ),
    Attempt(
        "put-parts-C-on-A-plant",
        "C",
        "PUT",
        lambda w: dt("parts"),
        dataspace(400, "Validation failed, plantId: is not a plant of this operator."),
        body=lambda w: part(w.op_c, w.plant_a, "部品X"),
        foreign=lambda w: w.plant_a,
    ),
    Attempt(
        "put-parts-A-on-supplier-trace",
        "A",
        "PUT",
        lambda w: dt("parts"),
        dataspace(404, lambda w: f"traceId: {w.part_b} was not found."),
        body=lambda w: part(
            w.op_a, w.plant_a, "部品B", support="modelB", terminated=True, trace_id=w.part_b
        ),
        foreign=lambda w: w.part_b,
    ),
    Attempt(
        "put-parts-B-as-customer",
        "B",
        "PUT",
        lambda w: dt("parts"),
        DATASPACE_DENIED,
        body=lambda w: part(w.op_a, w.plant_a, "部品A1", support="modelA-1", trace_id=w.a1),
    ),
    # ------------------------------------------------------- PUT partsStructure (#6)
    Attempt(
        "put-structure-C-parent-as-A",
        "C",
        "PUT",
        lambda w: dt("partsStructure"),
        DATASPACE_DENIED,
        body=lambda w: {
            "parentPartsModel": part(
                w.op_a, w.plant_a, "部品A", support="modelA", trace_id=w.part_a
            ),
            "childrenPartsModel": [],
        },
    ),
    Attempt(
        "put-structure-C-child-as-A",
        "C",
        "PUT",
        lambda w: dt("partsStructure"),
        DATASPACE_DENIED,
        body=lambda w: {
            "parentPartsModel": part(w.op_c, w.plant_c, "部品C親"),
            "childrenPartsModel": [
                part(w.op_a, w.plant_a, "部品A1", support="modelA-1", amount=1, trace_id=w.a1)
            ],
        },
    ),
    Attempt(
        "put-structure-C-grafts-A-child",
        "C",
        "PUT",
        lambda w: dt("partsStructure"),
        dataspace(404, lambda w: f"traceId: {w.a1} was not found."),
        body=lambda w: {
            "parentPartsModel": part(w.op_c, w.plant_c, "部品C親"),
            "childrenPartsModel": [
                part(w.op_c, w.plant_c, "部品A1", support="modelA-1", amount=1, trace_id=w.a1)
            ],
        },
        foreign=lambda w: w.a1,
    ),
    Attempt(
        "put-structure-C-empties-A-parent",
        "C",
        "PUT",
        lambda w: dt("partsStructure"),
        dataspace(404, lambda w: f"traceId: {w.part_a} was not found."),
        body=lambda w: {
            "parentPartsModel": part(
                w.op_c, w.plant_c, "部品A", support="modelA", trace_id=w.part_a
            ),
            "childrenPartsModel": [],
        },
        foreign=lambda w: w.part_a,
    ),
    Attempt(
        "put-structure-B-under-customer-parent",
        "B",
        "PUT",
        lambda w: dt("partsStructure"),
        dataspace(404, lambda w: f"traceId: {w.part_a} was not found."),
        body=lambda w: {
            "parentPartsModel": part(
                w.op_b, w.plant_b, "部品A", support="modelA", trace_id=w.part_a
            ),
            "childrenPartsModel": [
                part(
                    w.op_b,
                    w.plant_b,
                    "部品B",
                    support="modelB",
                    terminated=True,
                    amount=1,
                    trace_id=w.part_b,
                )
            ],
        },
        foreign=lambda w: w.part_a,
    ),
    # --------------------------------------------------------- PUT tradeRequest (#7)
    Attempt(
        "put-request-C-as-A",
        "C",
        "PUT",
        lambda w: dt("tradeRequest"),
        DATASPACE_DENIED,
        body=lambda w: trade_request(w.op_a, w.a1, w.op_b),
    ),
    Attempt(
        "put-request-C-on-A-part",
        "C",
        "PUT",
        lambda w: dt("tradeRequest"),
        dataspace(404, lambda w: f"downstreamTraceId: {w.a1} was not found."),
        body=lambda w: trade_request(w.op_c, w.a1, w.op_b),
        foreign=lambda w: w.a1,
    ),
    Attempt(
        "put-request-C-amends-A-trade",
        "C",
        "PUT",
        lambda w: dt("tradeRequest"),
        dataspace(404, lambda w: f"tradeId: {w.trade_id} was not found."),
        body=lambda w: amend(trade_request(w.op_c, w.part_c, w.op_b), w.trade_id, w.status_id),
    ),
    Attempt(
        "put-request-B-amends-customer-trade",
        "B",
        "PUT",
        lambda w: dt("tradeRequest"),
        dataspace(404, lambda w: f"tradeId: {w.trade_id} was not found."),
        body=lambda w: amend(trade_request(w.op_b, w.part_b, w.op_c), w.trade_id, w.status_id),
    ),
    Attempt(
        "put-request-A-amends-as-B",
        "A",
        "PUT",
        lambda w: dt("tradeRequest"),
        DATASPACE_DENIED,
        body=lambda w: amend(trade_request(w.op_b, w.part_b, w.op_a), w.trade_id, w.status_id),
    ),
    # -------------------------------------------------------- PUT tradeResponse (#13)
    Attempt(
        "put-response-C-on-A-trade",
        "C",
        "PUT",
        lambda w: dt(f"tradeResponse&tradeId={w.trade_id}&traceId={w.part_c}"),
        dataspace(404, lambda w: f"tradeId: {w.trade_id} was not found."),
        foreign=lambda w: w.trade_id,
    ),
    Attempt(
        "put-response-A-on-own-request",
        "A",
        "PUT",
        lambda w: dt(f"tradeResponse&tradeId={w.trade_id}&traceId={w.spare_a}"),
        dataspace(404, lambda w: f"tradeId: {w.trade_id} was not found."),
    ),
    Attempt(
        "put-response-B-links-customer-part",
        "B",
        "PUT",
        lambda w: dt(f"tradeResponse&tradeId={w.trade_id}&traceId={w.a1}"),
        dataspace(404, lambda w: f"traceId: {w.a1} was not found."),
        foreign=lambda w: w.a1,
    ),
    Attempt(
        "put-response-B-links-C-part",
        "B",
        "PUT",
        lambda w: dt(f"tradeResponse&tradeId={w.trade_id}&traceId={w.part_c}"),
        dataspace(404, lambda w: f"traceId: {w.part_c} was not found."),
        foreign=lambda w: w.part_c,
    ),
    # ------------------------------------------------------------------ PUT cfp (#15)
    Attempt(
        "put-cfp-C-on-B-part",
        "C",
        "PUT",
        lambda w: dt("cfp"),
        dataspace(404, lambda w: f"traceId: {w.part_b} was not found."),
        body=lambda w: cfp_set(w.part_b, 99, 99),
        foreign=lambda w: w.part_b,
    ),
    Attempt(
        "put-cfp-C-on-B-part-with-B-cfp-id",
        "C",
        "PUT",
        lambda w: dt("cfp"),
        dataspace(404, lambda w: f"traceId: {w.part_b} was not found."),
        body=lambda w: cfp_set(w.part_b, 99, 99, cfp_id=w.cfp_id_b),
        foreign=lambda w: w.part_b,
    ),
    Attempt(
        "put-cfp-A-on-supplier-part",
        "A",
        "PUT",
        lambda w: dt("cfp"),
        dataspace(404, lambda w: f"traceId: {w.part_b} was not found."),
        body=lambda w: cfp_set(w.part_b, 0.001, 0.001, cfp_id=w.cfp_id_b),
        foreign=lambda w: w.part_b,
    ),
    Attempt(
        "put-cfp-B-on-customer-part",
        "B",
        "PUT",
        lambda w: dt("cfp"),
        dataspace(404, lambda w: f"traceId: {w.a1} was not found."),
        body=lambda w: cfp_set(w.a1, 99, 99),
        foreign=lambda w: w.a1,
    ),
    Attempt(
        "put-cfp-C-own-part-with-A-cfp-id",
        "C",
        "PUT",
        lambda w: dt("cfp"),
        dataspace(404, lambda w: f"cfpId: {w.cfp_id_a} was not found."),
        body=lambda w: cfp_set(w.part_c, 99, 99, cfp_id=w.cfp_id_a),
        foreign=lambda w: w.cfp_id_a,
    ),
    # ----------------------------------------------------------------- PUT status (#16)
    Attempt(
        "put-status-B-cancels-customer-request",
        "B",
        "PUT",
        lambda w: dt("status"),
        dataspace(404, lambda w: f"statusId: {w.status_id} was not found."),
        body=lambda w: status_change(w, "CANCEL"),
    ),
    Attempt(
        "put-status-A-rejects-own-request",
        "A",
        "PUT",
        lambda w: dt("status"),
        dataspace(404, lambda w: f"statusId: {w.status_id} was not found."),
        body=lambda w: status_change(w, "REJECT"),
    ),
    Attempt(
        "put-status-C-cancels",
        "C",
        "PUT",
        lambda w: dt("status"),
        dataspace(404, lambda w: f"statusId: {w.status_id} was not found."),
        body=lambda w: status_change(w, "CANCEL"),
        foreign=lambda w: w.status_id,
    ),
    Attempt(
        "put-status-C-rejects",
        "C",
        "PUT",
        lambda w: dt("status"),
        dataspace(404, lambda w: f"statusId: {w.status_id} was not found."),
        body=lambda w: status_change(w, "REJECT"),
        foreign=lambda w: w.status_id,
    ),
    # ------------------------------------------------------------- DELETE parts (#19)
    Attempt(
        "delete-C-A-spare-part",
        "C",
        "DELETE",
        lambda w: dt(f"parts&traceId={w.spare_a}"),
        NO_SUCH_PART,
        foreign=lambda w: w.spare_a,
    ),
    Attempt(
        "delete-C-A-parent",
        "C",
        "DELETE",
        lambda w: dt(f"parts&traceId={w.part_a}"),
        NO_SUCH_PART,
        foreign=lambda w: w.part_a,
    ),
    Attempt(
        "delete-C-B-part",
        "C",
        "DELETE",
        lambda w: dt(f"parts&traceId={w.part_b}"),
        NO_SUCH_PART,
        foreign=lambda w: w.part_b,
    ),
    Attempt(
        "delete-A-supplier-part",
        "A",
        "DELETE",
        lambda w: dt(f"parts&traceId={w.part_b}"),
        NO_SUCH_PART,
        foreign=lambda w: w.part_b,
    ),
    Attempt(
        "delete-B-customer-spare-part",
        "B",
        "DELETE",
        lambda w: dt(f"parts&traceId={w.spare_a}"),
        NO_SUCH_PART,
        foreign=lambda w: w.spare_a,
    ),
]


@pytest.mark.parametrize("attempt", attempt_params(ATTEMPTS))
def test_cross_operator_attempt(client: TestClient, world: World, attempt: Attempt) -> None:
    check_attempt(client, world, attempt)
