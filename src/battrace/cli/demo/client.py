"""A small typed client for the contract API over httpx, as a company's system calls it.

The demo plays its scenarios with it, and the tests drive the API with it (`tests/support.py`):
one place that knows how a call is authenticated (`apiKey` or `x-api-key` plus a bearer
token), how JSON is sent with exact numbers, how an answer is checked and how a paged list is
followed. `http` is any `httpx.Client`: a real one against a server, or FastAPI's
`TestClient`, which is one.
"""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import httpx

DT = "/api/v1/datatransport"
AUTH_INFO = "/api/v1/authInfo"
MAX_PAGES = 1000


class ContractError(RuntimeError):
    """A call did not answer as the contract says."""


def _json_default(value: object) -> object:
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


def bearer(api_key: str, token: str) -> dict[str, str]:
    """The headers of an authenticated call under the `apiKey` header."""
    return {"apiKey": api_key, "Authorization": f"Bearer {token}"}


class ContractClient:
    """HTTP calls as a company's system makes them: counted, checked, numbers kept exact."""

    def __init__(self, http: httpx.Client, *, api_key: str) -> None:
        self.http = http
        self.api_key = api_key
        self.calls = 0

    def call(
        self,
        method: str,
        url: str,
        *,
        token: str | None = None,
        expect: int = 200,
        params: dict[str, str] | None = None,
        body: object = None,
        content: bytes | None = None,
        headers: dict[str, str] | None = None,
        key_header: str | None = "apiKey",
    ) -> object:
        """One call; its JSON (floats as `Decimal`) or text, or `ContractError` if the status
        is not `expect`."""
        response = self.send(
            method,
            url,
            token=token,
            params=params,
            body=body,
            content=content,
            headers=headers,
            key_header=key_header,
        )
        if response.status_code != expect:
            raise ContractError(
                f"{method} {url} {params or ''} answered {response.status_code}: {response.text}"
            )
        if response.headers.get("content-type", "").startswith("application/json"):
            return json.loads(response.content, parse_float=Decimal)
        return response.text

    def send(
        self,
        method: str,
        url: str,
        *,
        token: str | None = None,
        params: dict[str, str] | None = None,
        body: object = None,
        content: bytes | None = None,
        headers: dict[str, str] | None = None,
        key_header: str | None = "apiKey",
    ) -> httpx.Response:
        """One call, its response unchecked."""
        sent = dict(headers or {})
        if key_header is not None:
            sent[key_header] = self.api_key
        if token is not None:
            sent["Authorization"] = f"Bearer {token}"
        if body is not None:
            content = json.dumps(body, default=_json_default).encode()
            sent["Content-Type"] = "application/json"
        self.calls += 1
        return self.http.request(method, url, params=params, content=content, headers=sent)

    def obj(self, method: str, url: str, **kwargs: Any) -> dict[str, Any]:  # noqa: ANN401
        value = self.call(method, url, **kwargs)
        if not isinstance(value, dict):
            raise ContractError(f"{method} {url}: expected a JSON object, got {value!r}")
        return value

    def items(self, method: str, url: str, **kwargs: Any) -> list[dict[str, Any]]:  # noqa: ANN401
        value = self.call(method, url, **kwargs)
        if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
            raise ContractError(f"{method} {url}: expected a JSON array of objects, got {value!r}")
        return value

    def login(self, email: str, password: str) -> str:
        """Log an account in (`POST /auth/login`); its access token."""
        tokens = self.obj(
            "POST",
            "/auth/login",
            expect=201,
            body={"operatorAccountId": email, "accountPassword": password},
        )
        return str(tokens["accessToken"])

    def every_page(self, url: str, *, headers: dict[str, str]) -> list[Any]:
        """Every item of a list endpoint, following its `Link: <…>; rel="next"` headers."""
        items: list[Any] = []
        pages = 0
        while url:
            self.calls += 1
            response = self.http.get(url, headers=headers)
            if response.status_code != httpx.codes.OK:
                raise ContractError(f"GET {url} answered {response.status_code}: {response.text}")
            items.extend(response.json())
            link = response.headers.get("link")
            url = link[link.index("<") + 1 : link.index(">")] if link else ""
            pages += 1
            if pages >= MAX_PAGES:
                raise ContractError(f"{url}: pagination does not end")
        return items
