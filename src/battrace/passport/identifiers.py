"""Battery identifiers and passport addresses (Art. 77(3), Art. 13(6)).

A battery identifier is assigned by the operator placing the battery on the market and
conforms to ISO/IEC 15459 or an equivalent: here either a GS1 GTIN-14 with a serial number
(written as the element string ``(01)<GTIN>(21)<serial>``) or any ISO/IEC 15459-style string
(issuing agency code, company number, serial: upper-case letters, digits and ``-./``, at most
50 characters). The passport identifier is the passport's own UUID; one battery can have
several passports over its life. Pure functions, no storage.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass

from battrace.errors import InvalidRequest

_ISO15459 = re.compile(r"[A-Z0-9][A-Z0-9\-./]{1,49}")
# GS1 AI (21) serials, at most 20 characters; of GS1's set 82 only those a Digital Link path
# carries without percent-encoding, so the printed URI and the stored serial are the same text.
_GS1_SERIAL = re.compile(r"[0-9A-Za-z\-._]{1,20}")


def gtin_check_digit(body: str) -> int:
    """The GS1 mod-10 check digit of a GTIN without its last digit (weights 3,1 from the right)."""
    total = sum(
        int(digit) * (3 if index % 2 == 0 else 1) for index, digit in enumerate(reversed(body))
    )
    return (10 - total % 10) % 10


def normalise_gtin(value: str) -> str:
    """A GTIN-8/12/13/14 as GTIN-14 (zero-padded). Raises InvalidRequest on a bad check digit."""
    digits = value.strip()
    if not digits.isascii() or not digits.isdigit() or len(digits) not in (8, 12, 13, 14):
        raise InvalidRequest(f"gtin: {value!r} must be 8, 12, 13 or 14 digits.")
    if gtin_check_digit(digits[:-1]) != int(digits[-1]):
        raise InvalidRequest(f"gtin: {value!r} has a wrong check digit.")
    return digits.zfill(14)


def check_serial(serial: str) -> str:
    if not _GS1_SERIAL.fullmatch(serial):
        raise InvalidRequest(f"serial: {serial!r} must be 1-20 letters, digits, '-', '.' or '_'.")
    return serial


def check_battery_identifier(value: str) -> str:
    if not _ISO15459.fullmatch(value):
        raise InvalidRequest(
            f"batteryIdentifier: {value!r} must be 2-50 characters, upper-case letters, digits "
            "and -./ (ISO/IEC 15459)."
        )
    return value


@dataclass(frozen=True)
class BatteryIdentifier:
    """The identifier of one battery; `gtin` and `serial` when it is a GS1 one."""

    text: str
    gtin: str | None = None
    serial: str | None = None


def battery_identifier(
    *, gtin: str | None = None, serial: str | None = None, identifier: str | None = None
) -> BatteryIdentifier:
    """Check and normalise a battery identifier: a GTIN with a serial, or a 15459 string."""
    if gtin is not None or (serial is not None and identifier is None):
        if gtin is None or serial is None:
            raise InvalidRequest("gtin, serial: a GS1 identifier needs both a GTIN and a serial.")
        full = normalise_gtin(gtin)
        check_serial(serial)
        return BatteryIdentifier(f"(01){full}(21){serial}", full, serial)
    if identifier is None:
        raise InvalidRequest("batteryIdentifier: give a GTIN and serial or an identifier.")
    return BatteryIdentifier(check_battery_identifier(identifier))


def passport_identifier(passport_id: uuid.UUID) -> str:
    """The passport identifier as it is printed and exchanged."""
    return f"urn:uuid:{passport_id}"


def digital_link_path(gtin: str, serial: str) -> str:
    """The GS1 Digital Link path of a battery (the resolver answers it)."""
    return f"/01/{gtin}/21/{serial}"


__all__ = [
    "BatteryIdentifier",
    "battery_identifier",
    "check_battery_identifier",
    "check_serial",
    "digital_link_path",
    "gtin_check_digit",
    "normalise_gtin",
    "passport_identifier",
]
