"""The CFP certificate one demo supplier uploads: a one-page PDF built by hand, sent through
the upload slot (T5), its URL (T7) and attached to the product's CFP (T8).
"""

from __future__ import annotations

from battrace.cli.demo.client import ContractClient
from battrace.cli.demo.companies import Login
from battrace.cli.demo.data import CERTIFICATE_NAME, PRODUCTS, UNIT_SHORT


def _certificate_pdf(lines: list[str]) -> bytes:
    """A one-page PDF with some lines of text (ASCII), built by hand."""
    text = " ".join(
        "({}) '".format(line.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)"))
        for line in lines
    )
    stream = f"BT /F1 11 Tf 72 760 Td 16 TL {text} ET".encode("ascii")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
        b"/Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(stream), stream),
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


def upload_certificate(api: ContractClient, me: Login) -> str:
    """Upload slot (T5), the bytes to its URL (T7), attach to the product's CFP (T8)."""
    product = PRODUCTS[me.company.key]
    own = product.own
    unit = f"kgCO2e/{UNIT_SHORT[product.unit]}"
    pdf = _certificate_pdf(
        [
            "CFP verification statement (demo document)",
            f"{me.company.name}: {product.name} {product.label}",
            f"Pre-processing {own.pre_production + own.pre_component} {unit}, "
            f"main production {own.main_production + own.main_component} {unit}",
            "Verified against ISO 14067:2018 by a fictional verification body.",
        ]
    )
    [slot] = api.items(
        "POST",
        "/fileUploadUrl",
        token=me.token,
        key_header="x-api-key",
        body={
            "operatorId": me.operator_id,
            "fileInfo": [{"fileName": CERTIFICATE_NAME, "extension": "pdf"}],
        },
    )
    api.call(
        "PUT",
        str(slot["URL"]),
        content=pdf,
        headers={"Content-Type": "application/pdf"},
        key_header=None,
    )
    api.obj(
        "POST",
        "/cfpCertificationInfo",
        token=me.token,
        key_header="x-api-key",
        body={
            "operatorId": me.operator_id,
            "traceId": me.product_trace,
            "cfpCertificationDescription": "Third-party verified CFP, FY2025",
            "cfpCertificationFileInfo": [{"fileId": slot["fileId"], "fileName": CERTIFICATE_NAME}],
        },
    )
    return f"{len(pdf):,} bytes"
