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


UTF32_BOMS = ((codecs.BOM_UTF32_LE, "utf-32-le"), (codecs.BOM_UTF32_BE, "utf-32-be"))


@dataclass(frozen=True)
class Decoded:
    text: str
    encoding: str
    note: str | None = None  # something the sender should hear about (goes into the ledger)


def container(data: bytes) -> str:
    """`xlsx`, `text` or a rejection: empty, legacy .xls, or some other binary format."""
    if not data.strip():
        raise DeliveryError("tom fil: filen har ikke noe innhold")
    if data.startswith(XLSX_MAGIC):
        return "xlsx"
    if data.startswith(OLE_MAGIC):
        raise DeliveryError("gammelt Excel-format (.xls) kan ikke leses: lagre filen som .xlsx eller CSV")
    if data.startswith(tuple(b for b, _ in UTF32_BOMS)) or _looks_utf32(data):
        return "text"
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


def _looks_utf32(data: bytes) -> str | None:
    """UTF-32 without a BOM: three of every four bytes of ASCII text are zero."""
    head = data[: 4096 - 4096 % 4]
    if len(head) < 8:
        return None
    lanes = [head[i::4].count(0) / len(head[i::4]) for i in range(4)]
    if lanes[0] < 0.05 and min(lanes[1:]) > 0.9:
        return "utf-32-le"
    if lanes[3] < 0.05 and min(lanes[:3]) > 0.9:
        return "utf-32-be"
    return None


def decode(data: bytes) -> Decoded:
    """The text of a delivery, and how it was encoded. BOMs first (UTF-32 before UTF-16,
    whose little-endian BOM is UTF-32's first half); then strict UTF-8; then Windows-1252
    (ISO-8859-1 for its five undefined bytes). Text that still holds NUL characters was
    read in the wrong encoding, and is refused rather than loaded as nothing."""
    decoded = _decode(data)
    if "\x00" in decoded.text:
        raise DeliveryError(
            "filen inneholder NUL-tegn og kan ikke leses som tekst (feil tegnkoding?): "
            "lagre den på nytt som CSV i UTF-8"
        )
    return decoded


def _decode(data: bytes) -> Decoded:
    for bom, name in UTF32_BOMS:
        if data.startswith(bom):
            return _decode_utf32(data[4:], name)
    guessed32 = _looks_utf32(data)
    if guessed32:
        return _decode_utf32(data, guessed32)
    if data.startswith(codecs.BOM_UTF8):
        return _decode_utf8_bom(data[3:])
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
    if any(letter in data for letter in _UTF8_NORWEGIAN):  # æ ø å in UTF-8 beside bytes that are not
        raise _mixed()
    try:
        return Decoded(data.decode("cp1252"), "windows-1252")
    except UnicodeDecodeError:
        return Decoded(data.decode("latin-1"), "iso-8859-1")


def _decode_utf16(data: bytes, name: str) -> str:
    try:
        return data.decode(name)
    except UnicodeDecodeError:
        raise DeliveryError(f"filen ser ut som {name.upper()}, men kan ikke leses som det") from None


def _decode_utf32(data: bytes, name: str) -> Decoded:
    try:
        text = data.decode(name)
    except UnicodeDecodeError:
        raise DeliveryError(f"filen ser ut som {name.upper()}, men kan ikke leses som det") from None
    return Decoded(text, name, "lest som UTF-32 (uvanlig tegnkoding; UTF-8 anbefales)")


def _decode_utf8_bom(body: bytes) -> Decoded:
    """After a UTF-8 BOM: UTF-8, or - when not one non-ASCII character is valid UTF-8 - the
    Windows-1252 text an editor put a BOM on. Both kinds in one file cannot be told apart
    value by value, so such a file is refused."""
    try:
        return Decoded(body.decode("utf-8"), "utf-8-sig")
    except UnicodeDecodeError:
        pass
    if not body.decode("utf-8", errors="ignore").isascii():
        raise _mixed()
    return Decoded(
        body.decode("cp1252", errors="replace"),
        "windows-1252",
        "filen er merket som UTF-8 (BOM), men er skrevet i Windows-1252; lest som Windows-1252",
    )


# æ ø å Æ Ø Å as UTF-8: in Windows-1252 they would read `Ã¦ Ã¸ Ã¥ Ã\x86 Ã\x98 Ã\x85`, never Norwegian.
_UTF8_NORWEGIAN = tuple(ch.encode("utf-8") for ch in "æøåÆØÅ")


def _mixed() -> DeliveryError:
    return DeliveryError(
        "filen har blandet tegnkoding (både UTF-8 og Windows-1252 i samme fil): lagre den på nytt som CSV i UTF-8"
    )
