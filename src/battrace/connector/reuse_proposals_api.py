"""Second-life systems from packs of several listers (`/api/v1/reuse/proposals…`), the
routes of `reuse.proposals`. Same authentication and `{code, message, detail}` error shape as
the rest of `/api/v1/reuse`; a proposal the caller is not part of is "not found".

- `POST /proposals` `{reservationIds, status, label, batteryIdentifier}`: the integrator
  proposes one system of reservations it holds (from one or more listers);
- `GET /proposals/{id}`: the integrator sees every reservation, a lister its own;
- `POST /proposals/{id}/accept`: a lister accepts its packs; the last acceptance makes the
  successor passport and the system (`systemId` in the answer);
- `POST /proposals/{id}/refuse` `{reason}`: a lister refuses, nothing else changes;
- `POST /proposals/{id}/withdraw`: the integrator withdraws its proposal.
"""

from __future__ import annotations

import uuid

from fastapi import APIRouter
from sqlalchemy.orm import Session
from starlette.responses import Response

from battrace.connector.errors import json_response
from battrace.connector.reuse_api import system_request
from battrace.connector.reuse_json import proposal_json
from battrace.connector.routing import ApiCaller, ContractRoute, Raw, State
from battrace.inputs.fields import json_object, text_field, uuid_field
from battrace.reuse import proposals
from battrace.reuse.models import ReuseSystemProposal

router = APIRouter(
    prefix="/api/v1/reuse/proposals", tags=["second life (battrace)"], route_class=ContractRoute
)


def _answer(
    session: Session, proposal: ReuseSystemProposal, viewer: uuid.UUID
) -> dict[str, object]:
    return proposal_json(proposal, proposals.proposal_reservations(session, proposal), viewer)


@router.post("")
def propose(caller: ApiCaller, state: State, raw: Raw) -> Response:
    wanted = system_request(raw)
    with state.writing() as session:
        proposal = proposals.propose_system(
            session,
            caller=caller.operator_id,
            reservation_ids=wanted.reservation_ids,
            status=wanted.status,
            label=wanted.label,
            battery_identifier=wanted.battery_identifier,
        )
        answer = _answer(session, proposal, caller.operator_id)
    return json_response(answer, 201)


@router.get("/{proposal_id}")
def get_proposal(proposal_id: str, caller: ApiCaller, state: State) -> Response:
    wanted = uuid_field(proposal_id, "proposalId")
    with state.reading() as session:
        proposal = proposals.visible_proposal(
            session, caller=caller.operator_id, proposal_id=wanted
        )
        answer = _answer(session, proposal, caller.operator_id)
    return json_response(answer)


@router.post("/{proposal_id}/accept")
def accept(proposal_id: str, caller: ApiCaller, state: State) -> Response:
    wanted = uuid_field(proposal_id, "proposalId")
    with state.writing() as session:
        proposal = proposals.accept_proposal(session, caller=caller.operator_id, proposal_id=wanted)
        answer = _answer(session, proposal, caller.operator_id)
    return json_response(answer)


@router.post("/{proposal_id}/refuse")
def refuse(proposal_id: str, caller: ApiCaller, state: State, raw: Raw) -> Response:
    wanted = uuid_field(proposal_id, "proposalId")
    reason = text_field(json_object(raw).get("reason"), "reason")
    with state.writing() as session:
        proposal = proposals.refuse_proposal(
            session, caller=caller.operator_id, proposal_id=wanted, reason=reason
        )
        answer = proposal_json(proposal, [], caller.operator_id)
    return json_response(answer)


@router.post("/{proposal_id}/withdraw")
def withdraw(proposal_id: str, caller: ApiCaller, state: State) -> Response:
    wanted = uuid_field(proposal_id, "proposalId")
    with state.writing() as session:
        proposal = proposals.withdraw_proposal(
            session, caller=caller.operator_id, proposal_id=wanted
        )
        answer = proposal_json(proposal, [], caller.operator_id)
    return json_response(answer)
