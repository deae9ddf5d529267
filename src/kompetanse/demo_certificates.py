"""Course certificates of the demo world (`kompetanse.demo`): a small PDF and a PNG, made
here so the demo needs no file of its own; both pass the attachment store's type check."""

from __future__ import annotations

import struct
import zlib
from datetime import date


def certificate_pdf(name: str, title: str, issued: date) -> bytes:
    """A one-page PDF course certificate (WinAnsi text, so æøå show)."""
    lines = [
        ("F2", 20, "Kursbevis"),
        ("F1", 13, title),
        ("F1", 12, f"Deltaker: {name}"),
        ("F1", 12, f"Gjennomført {issued.strftime('%d.%m.%Y')}"),
        ("F1", 10, "Demodata, utstedt av Fjordvik kommune (fiktiv)."),
    ]
    text = b"BT 72 760 Td "
    for font, size, line in lines:
        escaped = line.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
        text += f"/{font} {size} Tf ({escaped}) Tj 0 -30 Td ".encode("cp1252", "replace")
    text += b"ET"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
        b"/Resources << /Font << /F1 4 0 R /F2 5 0 R >> >> /Contents 6 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica-Bold /Encoding /WinAnsiEncoding >>",
        b"<< /Length %d >>\nstream\n" % len(text) + text + b"\nendstream",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


def certificate_png() -> bytes:
    """A small PNG certificate stamp (a green seal on white, 64 x 64)."""
    size = 64
    rows = bytearray()
    for y in range(size):
        rows.append(0)  # filter: none
        for x in range(size):
            inside = (x - 32) ** 2 + (y - 32) ** 2 <= 26**2
            rows += bytes((0, 122, 61) if inside else (255, 255, 255))

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", size, size, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(bytes(rows)))
        + chunk(b"IEND", b"")
    )
