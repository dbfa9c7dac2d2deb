"""What kind of file arrived, and how its text is encoded.

Municipal exports come from Excel as often as from the HR system: Windows-1252 from
"CSV (semikolondelt)", UTF-8 with a BOM from newer Excel, UTF-16 from "Unicode-tekst".
Decoding happens once, in Python's C codecs, and the parser then reads UTF-8 only.
"""

from __future__ import annotations

import codecs
from dataclasses import dataclass

from pipelines.errors import DeliveryError

XLSX_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # legacy .xls (and other OLE documents)


@dataclass(frozen=True)
class Decoded:
    text: str
    encoding: str


def container(data: bytes) -> str:
    """`xlsx`, `text` or a rejection: empty, legacy .xls, or some other binary format."""
    if not data.strip():
        raise DeliveryError("tom fil: filen har ikke noe innhold")
    if data.startswith(XLSX_MAGIC):
        return "xlsx"
    if data.startswith(OLE_MAGIC):
        raise DeliveryError("gammelt Excel-format (.xls) kan ikke leses: lagre filen som .xlsx eller CSV")
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) or _looks_utf16(data):
        return "text"
    if b"\x00" in data[:65536]:
        raise DeliveryError("ukjent filformat: filen er verken tekst (CSV) eller .xlsx")
    return "text"


def _looks_utf16(data: bytes) -> str | None:
    """UTF-16 without a BOM: every other byte of ASCII text is zero."""
    head = data[:4096]
    if len(head) < 4:
        return None
    even_zero = head[0::2].count(0) / len(head[0::2])
    odd_zero = head[1::2].count(0) / len(head[1::2])
    if odd_zero > 0.4 and even_zero < 0.05:
        return "utf-16-le"
    if even_zero > 0.4 and odd_zero < 0.05:
        return "utf-16-be"
    return None


def decode(data: bytes) -> Decoded:
    """BOM first; then strict UTF-8; then Windows-1252 (ISO-8859-1 for its five undefined bytes)."""
    if data.startswith(codecs.BOM_UTF8):
        return Decoded(data[3:].decode("utf-8", errors="replace"), "utf-8-sig")
    for bom, name in ((codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be")):
        if data.startswith(bom):
            return Decoded(_decode_utf16(data[2:], name), name)
    guessed = _looks_utf16(data)
    if guessed:
        return Decoded(_decode_utf16(data, guessed), guessed)
    try:
        return Decoded(data.decode("utf-8"), "utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return Decoded(data.decode("cp1252"), "windows-1252")
    except UnicodeDecodeError:
        return Decoded(data.decode("latin-1"), "iso-8859-1")


def _decode_utf16(data: bytes, name: str) -> str:
    try:
        return data.decode(name)
    except UnicodeDecodeError:
        raise DeliveryError(f"filen ser ut som {name.upper()}, men kan ikke leses som det") from None
