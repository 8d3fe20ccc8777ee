"""QR codes (ISO/IEC 18004) of passport addresses, as SVG and PNG, with `segno`.

The address a QR code carries is the resolver's persistent URL of the battery: its GS1
Digital Link (`<base>/01/<GTIN>/21/<serial>`) when the battery has a GTIN and serial,
otherwise the passport's own address (`<base>/passport/<passport id>`). Error correction is
level M (15 %), which survives a scuffed label without making the symbol much denser.
"""

from __future__ import annotations

import io
import uuid
from functools import lru_cache

import segno

from battrace.passport.identifiers import digital_link_path


def passport_path(passport_id: uuid.UUID) -> str:
    return f"/passport/{passport_id}"


def address(base_url: str, *, passport_id: uuid.UUID, gtin: str | None, serial: str | None) -> str:
    """The persistent public address of a battery's passport."""
    base = base_url.rstrip("/")
    if gtin and serial:
        return base + digital_link_path(gtin, serial)
    return base + passport_path(passport_id)


def _symbol(text: str) -> segno.QRCode:
    return segno.make_qr(text, error="m")


def svg(text: str, *, scale: int = 4, title: str | None = None) -> bytes:
    """The QR code of `text` as a standalone SVG document."""
    out = io.BytesIO()
    _symbol(text).save(out, kind="svg", scale=scale, border=4, title=title, xmldecl=True)
    return out.getvalue()


@lru_cache(maxsize=4096)  # the resolver draws the same addresses again and again
def svg_inline(text: str, *, scale: int = 3) -> str:
    """The QR code as an `<svg>` element to put inside an HTML page."""
    out = io.BytesIO()
    _symbol(text).save(out, kind="svg", scale=scale, border=4, xmldecl=False, svgns=True)
    return out.getvalue().decode()


def png(text: str, *, scale: int = 8) -> bytes:
    out = io.BytesIO()
    _symbol(text).save(out, kind="png", scale=scale, border=4)
    return out.getvalue()


__all__ = ["address", "passport_path", "png", "svg", "svg_inline"]
