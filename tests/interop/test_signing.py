"""Operators' signing keys: sign, verify, tamper, rotate (old signatures still verify)."""

from __future__ import annotations

from battrace.cli.seeds import TUTORIAL_COMPANIES
from battrace.identity import signing
from battrace.store import Database

A, B = TUTORIAL_COMPANIES
VALUE = {"pcf": {"pcfExcludingBiogenicUptake": "12.5"}, "id": "x"}


def test_sign_verify_tamper_and_rotate(seeded: Database) -> None:
    with seeded.transaction() as session:
        first = signing.sign_value(session, caller=A.operator_id, value=VALUE)
    _, payload, _ = first.split(".")
    assert payload == ""  # detached
    with seeded.transaction() as session:
        keys = signing.jwks(session, operator_id=A.operator_id)
        assert signing.verify_value(VALUE, first, keys).verified
        tampered = {"pcf": {"pcfExcludingBiogenicUptake": "12.4"}, "id": "x"}
        outcome = signing.verify_value(tampered, first, keys)
        assert not outcome.verified
        assert "does not match" in outcome.reason
        # another company's keys do not verify A's signature
        other = signing.jwks(session, operator_id=B.operator_id)
        assert not signing.verify_value(VALUE, first, other).verified
        signing.rotate_key(session, caller=A.operator_id)
        second = signing.sign_value(session, caller=A.operator_id, value=VALUE)
    with seeded.transaction() as session:
        keys = signing.jwks(session, operator_id=A.operator_id)
    assert len(keys["keys"]) == 2
    assert signing.verify_value(VALUE, first, keys).verified  # kept for verification
    assert signing.verify_value(VALUE, second, keys).verified
    assert first.split(".")[0] != second.split(".")[0]  # a different kid
    assert not signing.verify_value(VALUE, "garbage", keys).verified


def test_member_order_does_not_matter(seeded: Database) -> None:
    with seeded.transaction() as session:
        jws = signing.sign_value(session, caller=A.operator_id, value={"a": 1, "b": [1.0, "x"]})
        keys = signing.jwks(session, operator_id=A.operator_id)
    assert signing.verify_value({"b": [1, "x"], "a": 1}, jws, keys).verified
