"""Reading reports into text, and writing span and record lines.

The decoded text is the document: every offset the package writes points into it, so
readers never normalise newlines or strip anything.
"""

from __future__ import annotations

import codecs
from pathlib import Path

from charset_normalizer import from_bytes

_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


class ReadError(ValueError):
    """A file that cannot be read as a report; the message names the file and the reason."""


def decode(data: bytes, *, source: str = "<bytes>") -> str:
    """Bytes → text: a BOM decides, then strict UTF-8, then GB18030, then detection."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return data.decode(encoding)
    if b"\x00" in data[:4096]:
        raise ReadError(f"{source}: binary file (NUL bytes), not a text report")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030")  # a superset of GBK and GB2312: Chinese official files
    except UnicodeDecodeError:
        pass
    best = from_bytes(data).best()
    if best is None:
        raise ReadError(f"{source}: cannot detect the text encoding")
    return str(best)


def read_text(path: str | Path) -> str:
    """The decoded text of a .txt/.md report."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ReadError(f"{path}: {exc.strerror or exc}") from exc
    return decode(data, source=str(path))
