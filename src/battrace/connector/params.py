"""Query parameters as the reference reads them, and the `Link` header of list endpoints.

Each parser raises `InvalidParameters("<name>: Unexpected query parameter")`, which the
error mapper renders as "Invalid request parameters, <name>: Unexpected query parameter".
"""

from __future__ import annotations

import uuid
from urllib.parse import urlencode

from starlette.datastructures import QueryParams
from starlette.requests import Request

from battrace.errors import InvalidParameters

MAX_LIMIT = 100


def unexpected(name: str) -> InvalidParameters:
    return InvalidParameters(f"{name}: Unexpected query parameter")


def uuid_param(params: QueryParams, name: str, *, required: bool = False) -> uuid.UUID | None:
    raw = params.get(name)
    if raw is None or raw == "":
        if required:
            raise unexpected(name)
        return None
    if len(raw) != 36:
        raise unexpected(name)
    try:
        return uuid.UUID(raw)
    except ValueError as exc:
        raise unexpected(name) from exc


def uuid_list_param(
    params: QueryParams, name: str, *, maximum: int, required: bool = False
) -> list[uuid.UUID] | None:
    raw = params.get(name)
    if raw is None or raw == "":
        if required:
            raise unexpected(name)
        return None
    items = raw.split(",")
    if len(items) > maximum:
        raise unexpected(name)
    result = []
    for item in items:
        if len(item) != 36:
            raise unexpected(name)
        try:
            result.append(uuid.UUID(item))
        except ValueError as exc:
            raise unexpected(name) from exc
    return result


def limit_param(params: QueryParams) -> int:
    raw = params.get("limit")
    if raw is None or raw == "":
        return MAX_LIMIT
    try:
        value = int(raw, 10)
    except ValueError as exc:
        raise unexpected("limit") from exc
    if not 1 <= value <= MAX_LIMIT:
        raise unexpected("limit")
    return value


_TRUE = {"1", "t", "T", "TRUE", "true", "True"}
_FALSE = {"0", "f", "F", "FALSE", "false", "False"}


def bool_param(params: QueryParams, name: str) -> bool | None:
    """Go's strconv.ParseBool: 1 t T TRUE true True / 0 f F FALSE false False."""
    raw = params.get(name)
    if raw is None or raw == "":
        return None
    if raw in _TRUE:
        return True
    if raw in _FALSE:
        return False
    raise unexpected(name)


def link_header(
    request: Request,
    public_url: str | None,
    data_target: str,
    after: uuid.UUID,
    params: dict[str, str | None],
) -> str:
    """`<…/api/v1/datatransport?dataTarget=…&after=…&…>; rel="next"`, other keys sorted."""
    base = (public_url or str(request.base_url)).rstrip("/")
    rest = {key: value for key, value in params.items() if value is not None}
    rest["after"] = str(after)
    query = urlencode(sorted(rest.items()))
    return f'<{base}/api/v1/datatransport?dataTarget={data_target}&{query}>; rel="next"'
