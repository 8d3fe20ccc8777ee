"""Response headers every answer of the server carries, set in one place (an ASGI middleware
around the whole app): `nosniff` on everything, and on HTML that the API serves (the
footprint and DD reports, `format=html`) a policy that runs no script, loads nothing and
cannot be framed. Headers a route set itself are kept."""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

REPORT_HEADERS = (
    (
        b"content-security-policy",
        b"default-src 'none'; style-src 'unsafe-inline'; img-src data:; "
        b"frame-ancestors 'none'; base-uri 'none'; form-action 'none'",
    ),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"no-referrer"),
)
NOSNIFF = (b"x-content-type-options", b"nosniff")


class SecurityHeaders:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        api = str(scope.get("path", "")).startswith("/api/")

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {name.lower() for name, _ in headers}
                wanted = [NOSNIFF]
                content_type = next((v for n, v in headers if n.lower() == b"content-type"), b"")
                if api and content_type.startswith(b"text/html"):
                    wanted.extend(REPORT_HEADERS)
                headers.extend(pair for pair in wanted if pair[0] not in present)
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_headers)
