"""Sovereignty attempts on GET datatransport: parts, structures, trades, statuses, CFP, certificates (#8-#18):
each is one call by one company against another's data (see `attempts.check_attempt`)."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from tests.connector.sovereignty.attempts import (
    NOTHING,
    RECORD_NOT_FOUND,
    Attempt,
    attempt_params,
    check_attempt,
    ok,
)
from tests.connector.sovereignty.world import World, dt

ATTEMPTS: list[Attempt] = [
    # ---------------------------------------------------------------- GET parts (#8)
    Attempt(
        "parts-C-by-A-parent-trace",
        "C",
        "GET",
        lambda w: dt(f"parts&traceId={w.part_a}"),
        NOTHING,
        foreign=lambda w: w.part_a,
    ),
    Attempt(
        "parts-C-by-A-child-trace",
        "C",
        "GET",
        lambda w: dt(f"parts&traceId={w.a1}"),
        NOTHING,
        foreign=lambda w: w.a1,
    ),
    Attempt(
        "parts-C-by-B-trace",
        "C",
        "GET",
        lambda w: dt(f"parts&traceId={w.part_b}"),
        NOTHING,
        foreign=lambda w: w.part_b,
    ),
    Attempt(
        "parts-A-by-supplier-trace",
        "A",
        "GET",
        lambda w: dt(f"parts&traceId={w.part_b}"),
        NOTHING,
        foreign=lambda w: w.part_b,
    ),
    Attempt(
        "parts-B-by-customer-trace",
        "B",
        "GET",
        lambda w: dt(f"parts&traceId={w.a1}"),
        NOTHING,
        foreign=lambda w: w.a1,
    ),
    Attempt(
        "parts-C-by-A-plant",
        "C",
        "GET",
        lambda w: dt(f"parts&plantId={w.plant_a}"),
        NOTHING,
        foreign=lambda w: w.plant_a,
    ),
    Attempt("parts-C-by-A-part-name", "C", "GET", lambda w: dt("parts&partsName=部品A"), NOTHING),
    Attempt(
        "parts-C-after-A-cursor",
        "C",
        "GET",
        lambda w: dt(f"parts&after={w.part_a}"),
        NOTHING,
        foreign=lambda w: w.part_a,
    ),
    Attempt(
        "parts-C-lists-only-its-own",
        "C",
        "GET",
        lambda w: dt("parts"),
        ok(lambda w: [w.part_c_json]),
    ),
    Attempt(
        "parts-C-parents-only",
        "C",
        "GET",
        lambda w: dt("parts&parentFlag=true"),
        ok(lambda w: [w.part_c_json]),
    ),
    # ------------------------------------------------------- GET partsStructure (#9)
    Attempt(
        "structure-C-of-A-parent",
        "C",
        "GET",
        lambda w: dt(f"partsStructure&traceId={w.part_a}"),
        RECORD_NOT_FOUND,
        foreign=lambda w: w.part_a,
    ),
    Attempt(
        "structure-C-of-A-child",
        "C",
        "GET",
        lambda w: dt(f"partsStructure&traceId={w.a1}"),
        RECORD_NOT_FOUND,
        foreign=lambda w: w.a1,
    ),
    Attempt(
        "structure-B-of-customer-part",
        "B",
        "GET",
        lambda w: dt(f"partsStructure&traceId={w.a1}"),
        RECORD_NOT_FOUND,
        foreign=lambda w: w.a1,
    ),
    Attempt(
        "structure-B-of-customer-parent",
        "B",
        "GET",
        lambda w: dt(f"partsStructure&traceId={w.part_a}"),
        RECORD_NOT_FOUND,
        foreign=lambda w: w.part_a,
    ),
    Attempt(
        "structure-A-of-supplier-part",
        "A",
        "GET",
        lambda w: dt(f"partsStructure&traceId={w.part_b}"),
        RECORD_NOT_FOUND,
        foreign=lambda w: w.part_b,
    ),
    # ------------------------------------------- GET tradeRequest / tradeResponse (#10 #12)
    Attempt("requests-C-none", "C", "GET", lambda w: dt("tradeRequest"), NOTHING),
    Attempt(
        "requests-C-by-A-trace",
        "C",
        "GET",
        lambda w: dt(f"tradeRequest&traceIds={w.a1}"),
        NOTHING,
        foreign=lambda w: w.a1,
    ),
    Attempt(
        "requests-C-after-A-status",
        "C",
        "GET",
        lambda w: dt(f"tradeRequest&after={w.status_id}"),
        NOTHING,
        foreign=lambda w: w.status_id,
    ),
    Attempt("requests-B-sent-none", "B", "GET", lambda w: dt("tradeRequest"), NOTHING),
    Attempt(
        "requests-B-by-customer-trace",
        "B",
        "GET",
        lambda w: dt(f"tradeRequest&traceIds={w.a1}"),
        NOTHING,
        foreign=lambda w: w.a1,
    ),
    Attempt("responses-C-none", "C", "GET", lambda w: dt("tradeResponse"), NOTHING),
    Attempt(
        "responses-C-after-A-status",
        "C",
        "GET",
        lambda w: dt(f"tradeResponse&after={w.status_id}"),
        NOTHING,
        foreign=lambda w: w.status_id,
    ),
    Attempt("responses-A-received-none", "A", "GET", lambda w: dt("tradeResponse"), NOTHING),
    # ------------------------------------------------------------- GET status (#11)
    Attempt("status-C-none", "C", "GET", lambda w: dt("status"), NOTHING),
    Attempt(
        "status-C-by-status-id",
        "C",
        "GET",
        lambda w: dt(f"status&statusId={w.status_id}"),
        NOTHING,
        foreign=lambda w: w.status_id,
    ),
    Attempt(
        "status-C-response-by-status-id",
        "C",
        "GET",
        lambda w: dt(f"status&statusTarget=RESPONSE&statusId={w.status_id}"),
        NOTHING,
        foreign=lambda w: w.status_id,
    ),
    Attempt(
        "status-C-request-by-A-trace",
        "C",
        "GET",
        lambda w: dt(f"status&statusTarget=REQUEST&traceId={w.a1}"),
        NOTHING,
        foreign=lambda w: w.a1,
    ),
    Attempt(
        "status-C-after-A-status",
        "C",
        "GET",
        lambda w: dt(f"status&after={w.status_id}"),
        NOTHING,
        foreign=lambda w: w.status_id,
    ),
    Attempt(
        "status-B-as-requester",
        "B",
        "GET",
        lambda w: dt(f"status&statusTarget=REQUEST&traceId={w.a1}"),
        NOTHING,
    ),
    Attempt(
        "status-A-as-responder",
        "A",
        "GET",
        lambda w: dt(f"status&statusTarget=RESPONSE&statusId={w.status_id}"),
        NOTHING,
    ),
    # ---------------------------------------------------------------- GET cfp (#14)
    Attempt(
        "cfp-C-of-A-and-B",
        "C",
        "GET",
        lambda w: dt(f"cfp&traceIds={w.part_a},{w.a1},{w.part_b}"),
        NOTHING,
    ),
    Attempt(
        "cfp-C-mixed-with-own",
        "C",
        "GET",
        lambda w: dt(f"cfp&traceIds={w.part_b},{w.part_c},{w.part_a}"),
        ok(lambda w: w.cfp_c_rows),
    ),
    Attempt(
        "cfp-A-of-supplier-part",
        "A",
        "GET",
        lambda w: dt(f"cfp&traceIds={w.part_b}"),
        NOTHING,
        foreign=lambda w: w.part_b,
    ),
    Attempt(
        "cfp-B-of-customer-parts",
        "B",
        "GET",
        lambda w: dt(f"cfp&traceIds={w.part_a},{w.a1}"),
        NOTHING,
    ),
    # ---------------------------------------------------- GET cfpCertification (#18)
    Attempt(
        "certification-C-of-B-part",
        "C",
        "GET",
        lambda w: dt(f"cfpCertification&traceId={w.part_b}"),
        NOTHING,
        foreign=lambda w: w.part_b,
    ),
    Attempt(
        "certification-C-of-A-child",
        "C",
        "GET",
        lambda w: dt(f"cfpCertification&traceId={w.a1}"),
        NOTHING,
        foreign=lambda w: w.a1,
    ),
    Attempt(
        "certification-A-of-supplier-part-directly",
        "A",
        "GET",
        lambda w: dt(f"cfpCertification&traceId={w.part_b}"),
        NOTHING,
        foreign=lambda w: w.part_b,
    ),
    Attempt(
        "certification-B-of-customer-part",
        "B",
        "GET",
        lambda w: dt(f"cfpCertification&traceId={w.a1}"),
        NOTHING,
        foreign=lambda w: w.a1,
    ),
]


@pytest.mark.parametrize("attempt", attempt_params(ATTEMPTS))
def test_cross_operator_attempt(client: TestClient, world: World, attempt: Attempt) -> None:
    check_attempt(client, world, attempt)
