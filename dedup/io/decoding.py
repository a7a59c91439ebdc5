"""Bytes to text: UTF-8 (a BOM allowed) or BOM-marked UTF-16, a page in the charset its <meta> declares, and
binary or compressed data refused by name (``InputError``)."""

from __future__ import annotations

import codecs
import re

from dedup.io.html_input import is_html
from dedup.io.input_error import InputError


def decode(data: bytes, source: str) -> str:
    """Decode bytes as UTF-8 (BOM allowed) or BOM-marked UTF-16; refuse binary data (a NUL character, either way)
    and UTF-32 (whose little-endian BOM begins with UTF-16's: read as UTF-16 it was text of NULs)."""
    if data.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)):
        raise InputError(source, "UTF-32 text: only UTF-8 and UTF-16 are read (iconv -f UTF-32 -t UTF-8)")
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            text = data.decode("utf-16")
        except UnicodeDecodeError as err:
            raise InputError(source, f"invalid UTF-16 at byte {err.start}") from None
        nul = text.find("\x00")
        if nul >= 0:
            raise InputError(source, f"binary file (NUL character at offset {nul} of its UTF-16 text), not text")
        return text
    if data.startswith(b"\x1f\x8b"):  # said as what it is: a user's .txt.gz is not "binary" to them
        raise InputError(source, "gzip-compressed text: only JSON Lines are read compressed (.jsonl.gz); "
                                 "decompress it first (gunzip)")
    nul = data.find(b"\x00")
    if nul >= 0:
        raise InputError(source, f"binary file (NUL byte at offset {nul}), not text")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        at = err.start + (len(codecs.BOM_UTF8) if data.startswith(codecs.BOM_UTF8) else 0)  # "utf-8-sig" counts
        bad = data[at : at + 1].hex()  # from past the BOM: the byte named was 3 before the bad one
        raise InputError(source, f"not valid UTF-8 (byte 0x{bad} at offset {at})") from None


# Codecs Python has that no web page is written in: they encode domain names or Python literals, or refuse
# everything; read as a page's charset they give garbage or raise.
_NOT_PAGE_CHARSETS = frozenset({"idna", "punycode", "undefined", "unicode-escape", "raw-unicode-escape",
                                # and what a <meta> cannot declare (WHATWG): UTF-16 and UTF-32 are told by a BOM,
                                # never by markup read as ASCII; UTF-7 smuggles in any character, NUL too
                                "utf-16", "utf-16-le", "utf-16-be", "utf-32", "utf-32-le", "utf-32-be", "utf-7"})
_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?([\w.:-]+)""", re.I)


def _decoded_as_browsers_do(data: bytes, codec: str) -> str:
    """``data`` in the codec a page declares, where a label of ISO-8859-1 or ASCII is read as windows-1252, as
    browsers read it (the WHATWG encoding standard): pages so labelled are written in windows-1252, and its curly
    quotes and dashes came out as C1 control characters. A byte windows-1252 has no character for: as declared."""
    if codec in ("latin-1", "iso8859-1", "ascii"):
        try:
            return data.decode("cp1252")
        except UnicodeDecodeError:
            pass
    return data.decode(codec)


def decode_file(data: bytes, source: str) -> str:
    """``decode``, except that a page that is not UTF-8 is read in the charset its <meta> tag declares: an HTML
    page (a text file naming a charset is no page), decoded strictly (a byte the charset has no character for
    is not replaced), and without a NUL character, as any text."""
    try:
        return decode(data, source)
    except InputError as err:
        declared = _CHARSET.search(data[:4096])
        if declared is None or not err.reason.startswith("not valid UTF-8") or \
                not is_html(data[:65536].decode("latin-1")):
            raise
        charset = declared.group(1).decode("ascii")
        try:
            name = codecs.lookup(charset).name
            if name in _NOT_PAGE_CHARSETS:
                raise LookupError(charset)
            text = _decoded_as_browsers_do(data, name)
            if "\x00" in text:
                raise ValueError(charset)
            return text
        # LookupError: an unknown name, or a codec that is not a text encoding (base64); UnicodeError: a
        # codec that refuses any input ("undefined") or is not for documents (idna, punycode). Either way
        # the UTF-8 error says more, and the page is one skipped record, not a stopped batch.
        except (LookupError, UnicodeError, ValueError, TypeError):
            raise InputError(source, f"not valid UTF-8, and the page's charset {charset!r} "
                                     "cannot decode it") from None
