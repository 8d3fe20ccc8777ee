"""Access tokens: a verified token is remembered, but never past its expiry."""

from __future__ import annotations

import time
import uuid

from battrace.identity.tokens import TokenSigner


def test_a_remembered_token_still_expires() -> None:
    signer = TokenSigner("secret-" + uuid.uuid4().hex, "battrace", ttl_seconds=1)
    operator, account = uuid.uuid4(), uuid.uuid4()
    token = signer.issue(operator_id=operator, account_id=account, email="a@example.com")
    claims = signer.verify(token)
    assert claims is not None
    assert (claims.operator_id, claims.account_id) == (operator, account)
    assert signer.verify(token) is claims  # the second use costs no signature check
    time.sleep(max(0.0, claims.expires_at.timestamp() - time.time()) + 0.05)
    assert signer.verify(token) is None


def test_a_token_of_another_key_is_never_remembered_as_valid() -> None:
    signer = TokenSigner("one-" + uuid.uuid4().hex, "battrace", ttl_seconds=60)
    other = TokenSigner("two-" + uuid.uuid4().hex, "battrace", ttl_seconds=60)
    token = other.issue(operator_id=uuid.uuid4(), account_id=uuid.uuid4(), email="b@example.com")
    assert other.verify(token) is not None
    assert signer.verify(token) is None
    assert signer.verify(token) is None
