"""The HTTPS side of pulling from remote PACT hosts and sending them events: the
`PactTransport` the domain's pull and delivery receive. Authentication follows the spec:
OpenID discovery first, then `{auth base}/auth/token`, HTTP Basic client credentials; a token
is reused until shortly before it expires and fetched again once when a host says
TokenExpired. Every failure becomes a `TransportError` with a message a user can act on."""

from __future__ import annotations

import json
import ssl
import threading
import time
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from battrace.pact.transport import HostAccess, Json, TransportError

if TYPE_CHECKING:  # httpx is imported on first use: the server starts without it
    import httpx

MAX_PAGES = 100_000
TIMEOUT_SECONDS, CONNECT_SECONDS = 30.0, 10.0


def _next_link(header: str | None) -> str | None:
    """The target of `rel="next"` in an RFC 8288 Link header."""
    if not header:
        return None
    for part in header.split(","):
        target, _, params = part.strip().partition(";")
        names = [p.strip().lower().replace(" ", "") for p in params.split(";")]
        if 'rel="next"' in names or "rel=next" in names:
            return target.strip().lstrip("<").rstrip(">")
    return None


def _describe(exc: httpx.HTTPError, url: str) -> str:
    import httpx  # noqa: PLC0415

    cause: BaseException | None = exc
    while cause is not None:
        if isinstance(cause, ssl.SSLError):
            return f"TLS verification failed for {url}: {cause}"
        cause = cause.__cause__ or cause.__context__
    if isinstance(exc, httpx.ConnectError):
        return f"host unreachable: {url} ({exc})"
    if isinstance(exc, httpx.TimeoutException):
        return f"host did not answer in time: {url}"
    return f"request to {url} failed: {exc}"


def _error_of(response: httpx.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return f"{response.status_code} {response.text[:200]!r}"
    if isinstance(body, dict):
        code = body.get("code") or body.get("error")
        message = body.get("message") or body.get("error_description")
        return f"{response.status_code} {code}: {message}"
    return f"{response.status_code} {str(body)[:200]}"


class HttpsTransport:
    """A `PactTransport` over httpx, one connection pool per trusted-CA setting."""

    def __init__(self, *, timeout: float = TIMEOUT_SECONDS) -> None:
        self._timeout = timeout
        self._clients: dict[str | None, httpx.Client] = {}
        self._tokens: dict[tuple[str, str], tuple[str, float]] = {}
        self._lock = threading.Lock()

    def close(self) -> None:
        for client in self._clients.values():
            client.close()
        self._clients.clear()

    def _client(self, host: HostAccess) -> httpx.Client:
        import httpx  # noqa: PLC0415

        with self._lock:
            client = self._clients.get(host.ca_file)
            if client is None:
                verify: Any = True
                if host.ca_file:
                    verify = ssl.create_default_context(cafile=host.ca_file)
                client = httpx.Client(
                    verify=verify, timeout=httpx.Timeout(self._timeout, connect=CONNECT_SECONDS)
                )
                self._clients[host.ca_file] = client
            return client

    def _send(self, host: HostAccess, method: str, url: str, **kwargs: Any) -> httpx.Response:  # noqa: ANN401
        import httpx  # noqa: PLC0415

        if urlsplit(url).scheme != "https":
            raise TransportError(f"refusing to call {url}: PACT is spoken over HTTPS only")
        try:
            return self._client(host).request(method, url, **kwargs)
        except httpx.HTTPError as exc:
            raise TransportError(_describe(exc, url)) from None

    def _token_url(self, host: HostAccess) -> str:
        auth_base = (host.auth_base_url or host.base_url).rstrip("/")
        response = self._send(host, "GET", f"{auth_base}/.well-known/openid-configuration")
        if response.status_code == 200:
            try:
                endpoint = response.json().get("token_endpoint")
            except (ValueError, AttributeError):
                endpoint = None
            if isinstance(endpoint, str) and endpoint:
                return endpoint
        return f"{auth_base}/auth/token"

    def token(self, host: HostAccess, *, fresh: bool = False) -> str:
        key = (host.base_url, host.client_id)
        cached = self._tokens.get(key)
        if cached is not None and not fresh and cached[1] > time.monotonic():
            return cached[0]
        response = self._send(
            host,
            "POST",
            self._token_url(host),
            data={"grant_type": "client_credentials"},
            auth=(host.client_id, host.client_secret),
            headers={"Accept": "application/json"},
        )
        if response.status_code != 200:
            raise TransportError(f"authentication refused: {_error_of(response)}")
        try:
            body = response.json()
            access_token = str(body["access_token"])
            expires_in = float(body.get("expires_in", 300))
        except (ValueError, KeyError, TypeError):
            raise TransportError("authentication answered an invalid token body") from None
        self._tokens[key] = (access_token, time.monotonic() + max(expires_in - 30, 1))
        return access_token

    def _authorised(self, host: HostAccess, method: str, url: str, **kwargs: Any) -> httpx.Response:  # noqa: ANN401
        headers = dict(kwargs.pop("headers", {}))
        headers["Authorization"] = f"Bearer {self.token(host)}"
        response = self._send(host, method, url, headers=headers, **kwargs)
        if response.status_code == 401:  # expired (or revoked server-side): one fresh token
            headers["Authorization"] = f"Bearer {self.token(host, fresh=True)}"
            response = self._send(host, method, url, headers=headers, **kwargs)
        return response

    def fetch_footprints(self, host: HostAccess, *, page_size: int) -> list[Json]:
        url: str | None = f"{host.base_url}/{host.spec_version}/footprints?limit={page_size}"
        found: list[Json] = []
        for _ in range(MAX_PAGES):
            if url is None:
                return found
            response = self._authorised(host, "GET", url, headers={"Accept": "application/json"})
            if response.status_code not in (200, 202):
                raise TransportError(f"listing footprints failed: {_error_of(response)}")
            try:
                body = response.json()
            except ValueError:
                raise TransportError(f"invalid body: {url} did not answer JSON") from None
            data = body.get("data") if isinstance(body, dict) else None
            if not isinstance(data, list):
                raise TransportError(f"invalid body: {url} answered no data list")
            found.extend(data)
            url = _next_link(response.headers.get("link"))
        raise TransportError(f"more than {MAX_PAGES} pages: stopped")

    def fetch_json(self, host: HostAccess, url: str) -> Json:
        response = self._send(host, "GET", url, headers={"Accept": "application/json"})
        if response.status_code != 200:
            raise TransportError(f"{url}: {_error_of(response)}")
        try:
            body = response.json()
        except ValueError:
            raise TransportError(f"{url} did not answer JSON") from None
        if not isinstance(body, dict):
            raise TransportError(f"{url} did not answer a JSON object")
        return body

    def post_event(self, host: HostAccess, url: str, event: Json) -> None:
        response = self._authorised(
            host,
            "POST",
            url,
            content=json.dumps(event).encode(),
            headers={"Content-Type": "application/cloudevents+json; charset=UTF-8"},
        )
        if response.status_code != 200:
            raise TransportError(f"event refused: {_error_of(response)}")
