"""One submitted version of a DD answer, read-only: its answers, facilities, the evidence it
cites, the signer and when it was submitted.

Both parties of the request may read it: the supplier and the customer. The versions come
from `request_page_data`, that is from `answering.versions`, which never gives the customer a
draft; a draft has no version number, so no address here names one. Anyone else, and a
version that does not exist, is "not found".
"""

from __future__ import annotations

import uuid

from starlette.responses import Response

from battrace import errors
from battrace.diligence.models import DdEvidence
from battrace.web.app import Ctx, page
from battrace.web.pages.dd_requests import VersionView, request_id_of, request_page_data


def cited_documents(shown: VersionView) -> list[DdEvidence]:
    """Each document the version's answers cite, once, in the order first cited."""
    found: dict[uuid.UUID, DdEvidence] = {}
    for answer in shown.answers:
        for document in answer.documents:
            found.setdefault(document.id, document)
    return list(found.values())


@page("/dd/{request_id:uuid}/versions/{version:int}")
def version_detail(ctx: Ctx) -> Response:
    caller, request_id = ctx.operator_id, request_id_of(ctx)
    number: int = ctx.request.path_params["version"]
    data = ctx.state.read(lambda s: request_page_data(s, caller, request_id))
    submitted = [v for v in data["versions"] if v.response.version is not None]
    shown = next((v for v in submitted if v.response.version == number), None)
    if shown is None:
        raise errors.NotFound("version")
    return ctx.render(
        "dd_version.html",
        shown=shown,
        documents=cited_documents(shown),
        newest=submitted[0].response.version,
        overdue=False,
        **data,
    )
