"""Password hashing with argon2id (memory-hard), and the contract's password policy."""

from __future__ import annotations

import re

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

_HASHER = PasswordHasher()
# A hash made for no account, so a login for an unknown account costs the same time.
_DUMMY_HASH = _HASHER.hash("battrace-timing-equaliser")


def configure(*, time_cost: int, memory_kib: int) -> None:
    """Set the argon2id cost for this process (from Settings; tests use a cheap one).

    Stored hashes keep their own parameters; a login re-hashes one made with other costs.
    """
    global _HASHER, _DUMMY_HASH  # noqa: PLW0603 (one process-wide hashing policy)
    if (_HASHER.time_cost, _HASHER.memory_cost) == (time_cost, memory_kib):
        return
    _HASHER = PasswordHasher(time_cost=time_cost, memory_cost=memory_kib)
    _DUMMY_HASH = _HASHER.hash("battrace-timing-equaliser")


SPECIAL_CHARACTERS = "!@#$%^&*"


def hash_password(password: str) -> str:
    return _HASHER.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """True if `password` matches; compares against a dummy hash when there is no account."""
    try:
        return _HASHER.verify(password_hash or _DUMMY_HASH, password) and password_hash is not None
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return _HASHER.check_needs_rehash(password_hash)


def password_policy_error(password: str) -> str | None:
    """The first rule `password` breaks (reference AUTH order), or None if it is acceptable."""
    if password == "":
        return "cannot be blank"
    if not 8 <= len(password.encode()) <= 20:
        return "the length must be between 8 and 20"
    if not re.search("[A-Z]", password):
        return "must include at least one upper case letter"
    if not re.search("[a-z]", password):
        return "must include at least one lower case letter"
    if not re.search("[0-9]", password):
        return "must include at least one digit"
    if not any(char in SPECIAL_CHARACTERS for char in password):
        return "must include at least one special character"
    return None
