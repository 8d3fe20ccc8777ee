"""The DD request lists and the pages of one submitted version, over the real app and
database (SQLite and PostgreSQL): lists sent and received page like the parts list; each
version is readable on its own page by the supplier and the customer, never a draft by the
customer, and by nobody else."""

from __future__ import annotations

import re
import uuid

from fastapi import FastAPI

from battrace.cli.seeds import ensure_company
from battrace.diligence import requesting, templates
from battrace.diligence.builtin import BUILTIN_TEMPLATE_ID
from battrace.diligence.templates import builtin_template
from battrace.store import Database
from battrace.web.pages import dd_requests
from battrace.web.pages.dd_answer_form import slots
from tests.diligence.chain import REFINER
from tests.web.support import A, Journey, WebUser, link_ids
from tests.web.test_dd_pages import ask_dd


def many_requests(database: Database, trade_id: str, count: int) -> list[str]:
    """`count` requests on one trade, each cancelled before the next (one may be open)."""
    made = []
    with database.transaction() as session:
        templates.ensure_builtin(session)
        for _ in range(count):
            request = requesting.send_request(
                session,
                caller=A.operator_id,
                trade_id=uuid.UUID(trade_id),
                template_id=BUILTIN_TEMPLATE_ID,
                materials=["cobalt"],
                due_date=None,
                message=None,
            )
            requesting.cancel_request(session, caller=A.operator_id, request_id=request.id)
            made.append(str(request.id))
    return made


def test_request_lists_page(app: FastAPI, seeded: Database) -> None:
    journey = Journey(app)
    a, b = journey.a, journey.b
    made = many_requests(seeded, journey.trade, dd_requests.PAGE_SIZE + 3)
    for user, direction in ((a, "sent"), (b, "received")):
        first = user.get(f"/dd/{direction}").text
        assert len(link_ids(first, "/dd/")) == dd_requests.PAGE_SIZE
        assert "最初のページ" not in first
        cursor = re.search(rf'rel="next" href="/dd/{direction}\?after=([0-9a-f-]{{36}})"', first)
        assert cursor is not None
        second = user.get(f"/dd/{direction}", after=cursor.group(1)).text
        assert len(link_ids(second, "/dd/")) == 3
        assert 'rel="next"' not in second and f'href="/dd/{direction}">最初のページ' in second
        shown = link_ids(first, "/dd/") + link_ids(second, "/dd/")
        assert sorted(shown) == sorted(made)  # every request once, newest first below
        assert shown[0] == made[-1] and shown[-1] == made[0]

    # the customer's cursor is not in the supplier's sent list; nonsense starts at page 1
    cursor_of_a = re.search(r"after=([0-9a-f-]{36})", a.get("/dd/sent").text)
    assert cursor_of_a is not None
    assert link_ids(b.get("/dd/sent", after=cursor_of_a.group(1)).text, "/dd/") == []
    assert len(link_ids(a.get("/dd/sent", after="nonsense").text, "/dd/")) == 20


def upload(user: WebUser, rid: str, title: str, confidentiality: str) -> str:
    page = user.post(
        f"/dd/{rid}/evidence",
        {"ev_title": title, "ev_type": "audit_report", "ev_confidentiality": confidentiality},
        files={"ev_file": (f"{title}.pdf", b"%PDF " + title.encode(), "application/pdf")},
    ).text
    found = re.search(rf'value="([0-9a-f-]{{36}})"><label for="[^"]+">{title}</label>', page)
    assert found is not None, page
    return found.group(1)


def test_each_version_has_a_read_only_page(app: FastAPI, seeded: Database) -> None:
    journey = Journey(app)
    a, b = journey.a, journey.b
    rid = ask_dd(journey, ["cobalt"])
    slot = {(s.question.code, s.material): s.name for s in slots(builtin_template(), ["cobalt"])}
    share, policy = slot[("MAT.SUPPLIERS_RESPONDED", "cobalt")], slot[("BR49.POLICY", None)]
    audit = upload(b, rid, "監査報告書", "customer")
    secret = upload(b, rid, "非公開監査", "hash_only")
    signer = {"signer_name": "Hanako Sato", "signer_email": "hanako@b.example"}
    first = b.post(
        f"/dd/{rid}/submit",
        {
            share: "50",
            policy: "yes",
            f"e{policy[1:]}": [audit, secret],
            "f_material": ["cobalt"],
            "f_cid": ["CID000101"],
            "f_name": ["Cobalt refinery"],
            **signer,
            "signer_title": "調達部長",
        },
    )
    assert "第1版として提出しました。" in first.text
    second = b.post(f"/dd/{rid}/submit", {share: "80", **signer, "signer_title": "社長"})
    assert "第2版として提出しました。" in second.text
    b.post(f"/dd/{rid}/draft", {share: "99", **signer})  # a draft the customer never sees

    request_page = a.get(f"/dd/{rid}").text
    assert f'href="/dd/{rid}/versions/1"' in request_page
    assert f'href="/dd/{rid}/versions/2"' in request_page
    for user in (a, b):
        old = user.get(f"/dd/{rid}/versions/1")
        assert old.status_code == 200
        text = old.text
        assert "DD回答 第1版" in text and "調達部長" in text and "hanako@b.example" in text
        assert "Cobalt refinery" in text and "CID000101" in text
        assert "<td>50</td>" in text and "<td>80</td>" not in text  # as typed, not 50.0
        assert f'<a href="/dd/evidence/{audit}" download>監査報告書</a>' in text
        assert "非公開監査" in text and f"/dd/evidence/{secret}" not in text
        assert f'href="/dd/{rid}/versions/2">第2版</a>' in text  # superseded: the newest
        newest = user.get(f"/dd/{rid}/versions/2").text
        assert "<td>80</td>" in newest and "社長" in newest and "置き換えられて" not in newest
        assert "この版が引用した資料はありません。" in newest
        assert user.get(f"/dd/{rid}/versions/3").status_code == 404  # the draft has no number
        assert user.get(f"/dd/{rid}/versions/0").status_code == 404
    assert "<td>99.0</td>" not in a.get(f"/dd/{rid}").text

    with seeded.transaction() as session:
        ensure_company(session, REFINER)
    stranger = WebUser(app)
    stranger.login(REFINER)
    assert stranger.get(f"/dd/{rid}/versions/1").status_code == 404
    assert stranger.get(f"/dd/{uuid.uuid4()}/versions/1").status_code == 404

    for lang in ("ja", "en"):
        for user in (a, b):
            user.post("/language", {"lang": lang, "next": "/"})
            text = user.get(f"/dd/{rid}/versions/1").text
            missing = re.findall(r">\s*((?:[a-z_]+)\.[a-z_0-9]+(?:\.[A-Za-z_]+)?)\s*<", text)
            assert not missing, (lang, missing)
    assert "DD answer, version 1" in a.get(f"/dd/{rid}/versions/1").text
