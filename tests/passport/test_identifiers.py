"""Battery identifiers: the GS1 check digit and the ISO/IEC 15459-style strings."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from battrace.errors import InvalidRequest
from battrace.passport.identifiers import (
    battery_identifier,
    digital_link_path,
    gtin_check_digit,
    normalise_gtin,
)

BODIES = st.sampled_from([7, 11, 12, 13]).flatmap(
    lambda size: st.text(alphabet="0123456789", min_size=size, max_size=size)
)


@given(BODIES)
def test_a_gtin_with_its_check_digit_is_accepted_and_every_other_digit_refused(body: str) -> None:
    right = gtin_check_digit(body)
    assert normalise_gtin(f"{body}{right}") == f"{body}{right}".zfill(14)
    for wrong in set(range(10)) - {right}:
        with pytest.raises(InvalidRequest, match="check digit"):
            normalise_gtin(f"{body}{wrong}")


@given(BODIES, st.integers(min_value=0, max_value=12))
def test_one_changed_digit_is_always_caught(body: str, position: int) -> None:
    full = f"{body}{gtin_check_digit(body)}"
    index = position % len(full)
    changed = full[:index] + str((int(full[index]) + 1) % 10) + full[index + 1 :]
    with pytest.raises(InvalidRequest):
        normalise_gtin(changed)


def test_known_gtins_and_identifier_forms() -> None:
    assert gtin_check_digit("400638133393") == 1  # GTIN-13 4006381333931
    assert normalise_gtin("4006381333931") == "04006381333931"
    gs1 = battery_identifier(gtin="4006381333931", serial="AB-12")
    assert gs1.text == "(01)04006381333931(21)AB-12"
    assert digital_link_path(gs1.gtin or "", gs1.serial or "") == "/01/04006381333931/21/AB-12"
    assert battery_identifier(identifier="UN1234ABC.0001").text == "UN1234ABC.0001"
    for bad in ({"identifier": "lower case"}, {"gtin": "4006381333931"}, {"serial": "x y"}):
        with pytest.raises(InvalidRequest):
            battery_identifier(**bad)  # type: ignore[arg-type]
