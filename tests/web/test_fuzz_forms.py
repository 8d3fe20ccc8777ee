"""Every form of the web application, filled with extreme numbers and strings, never answers a
server error: the pages are crawled as each company sees them (after the CFP journey), every
form found is submitted once per extreme value in all its fields (the CSRF token kept)."""

from __future__ import annotations

from html.parser import HTMLParser
from urllib.parse import quote_from_bytes, urlsplit

from fastapi import FastAPI

from battrace.store import Database
from tests.web.support import Journey, WebUser

EXTREMES = (
    "1e400",
    "1e-400",
    "99999999999999999999999",
    "-1",
    "",
    "x" * 5000,
    "<b>html</b><script>alert(1)</script>",
    "\x00",
    "\ud800",  # a lone surrogate: sent as the bytes a lax encoder makes of it
)
# Forms that end the session or change the login: submitted, the crawl could not go on.
SKIPPED_ACTIONS = ("/logout", "/password", "/lang")


class _Forms(HTMLParser):
    """The links and forms (action, method, field names, hidden values) of one page."""

    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []
        self.forms: list[tuple[str, str, list[str], dict[str, str]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = {name: value or "" for name, value in attrs}
        if tag == "a" and found.get("href", "").startswith("/"):
            self.links.append(found["href"])
        elif tag == "form":
            self.forms.append((found.get("action", ""), found.get("method", "get"), [], {}))
        elif tag in ("input", "select", "textarea") and self.forms and found.get("name"):
            _, _, names, hidden = self.forms[-1]
            if found.get("type") == "hidden":
                hidden[found["name"]] = found.get("value", "")
            elif found.get("type") not in ("file", "submit", "checkbox", "radio"):
                names.append(found["name"])


def _encoded(pairs: list[tuple[str, str]]) -> str:
    return "&".join(
        f"{quote_from_bytes(k.encode())}={quote_from_bytes(v.encode('utf-8', 'surrogatepass'))}"
        for k, v in pairs
    )


def _crawl(user: WebUser, starts: list[str], limit: int = 80) -> dict[tuple[str, str], tuple]:
    seen: set[str] = set()
    queue = list(starts)
    forms: dict[tuple[str, str], tuple] = {}
    while queue and len(seen) < limit:
        path = queue.pop(0)
        plain = urlsplit(path).path
        if (
            plain in seen
            or plain.endswith((".csv", "/report", ".xlsx", ".pdf"))
            or "/files/" in plain
        ):
            continue
        seen.add(plain)
        page = user.get(path)
        assert page.status_code < 500, (path, page.status_code)
        if "text/html" not in page.headers.get("content-type", ""):
            continue
        parser = _Forms()
        parser.feed(page.text)
        queue.extend(link for link in parser.links if link.split("?")[0] not in seen)
        for action, method, names, hidden in parser.forms:
            target = (action or plain).split("#")[0]
            if not target.startswith(SKIPPED_ACTIONS):
                forms.setdefault((target, method.lower()), (names, hidden))
    return forms


def _submit_extremes(user: WebUser, forms: dict[tuple[str, str], tuple]) -> int:
    sent = 0
    for (action, method), (names, hidden) in forms.items():
        for extreme in EXTREMES:
            for fuzz_hidden in (False, True):
                pairs = [(name, extreme) for name in names]
                pairs += [
                    (name, extreme if fuzz_hidden and name != "csrf_token" else value)
                    for name, value in hidden.items()
                    if name != "csrf_token"
                ]
                if method == "post":
                    pairs.append(("csrf_token", user.csrf))
                    response = user.client.post(
                        action,
                        content=_encoded(pairs),
                        headers={"content-type": "application/x-www-form-urlencoded"},
                    )
                else:
                    response = user.client.get(f"{action}?{_encoded(pairs)}")
                user._remember(response)
                sent += 1
                assert response.status_code < 500, (action, method, extreme[:40], fuzz_hidden)
    return sent


def test_no_form_gives_a_server_error_for_extreme_input(app: FastAPI, seeded: Database) -> None:
    journey = Journey(app)
    journey.answer()
    for user in (journey.a, journey.b):
        mine = journey.product if user is journey.a else journey.b_part
        forms = _crawl(user, [f"/parts/{mine}/footprint", f"/requests/{journey.trade}", "/"])
        assert len(forms) >= 10  # the crawl found the application's forms
        if user is journey.a:  # the what-if and the declaration (once a 500 on 1e400)
            assert (f"/parts/{journey.product}/footprint", "get") in forms
        assert _submit_extremes(user, forms) >= 10 * len(EXTREMES)
