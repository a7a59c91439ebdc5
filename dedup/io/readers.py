"""Read input documents: text or HTML files, folders of .txt/.md/.html files,
JSON Lines (optionally gzipped, one document per line), or stdin.

HTML (a .html/.htm file, or any other input or JSON Lines field that sniffs
as HTML; ``fmt`` overrides) is read as its main text (``dedup.io.html_input``). The
conversion depends only on the input and ``fmt``, so ``reread`` gives pass
two of a corpus scan exactly the text pass one saw.

Every problem with one input becomes an ``InputError`` with a one-line
message naming the culprit; a batch reader yields it in place of the
document and moves on, so one bad file never costs the good ones.
"""

from __future__ import annotations

import codecs
import gzip
import json
import math
import os
import re
import stat
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO, Iterable, Iterator

from dedup.io.decoding import decode, decode_file
from dedup.io.html_input import FORMATS, MissingExtraError, html_to_text, is_html
from dedup.io.input_error import InputError, shown_path
from dedup.io.json_numbers import JSON_RECORDS, SpelledFloat
from dedup.io.streams import record_size, rereadable, skip_blank_lines, sniff, standard_input
from dedup.io.walk import HTML_SUFFIXES, expand, is_jsonl
from dedup.util.faults import Failed, attempt
from dedup.util.validate import WORD_CHAR, check_int, check_str, lone_surrogate, text_problem

DEFAULT_MAX_BYTES = 64 * 1024 * 1024


@dataclass(frozen=True)
class Document:
    """One input text and where it came from.

    ``path`` and ``offset`` let a corpus scan read the text again later
    instead of holding it: ``offset`` is the byte offset of a JSON Lines
    record in its (decompressed) file, -1 for a whole file; ``path`` is None
    for stdin, which cannot be read twice. ``text_field`` and ``fmt`` say how
    the readers read it (None: not said, the scan's own settings apply), so it
    is read again the same way.
    """

    id: str
    text: str
    path: str | None = None
    offset: int = -1
    record: dict | None = field(default=None, compare=False, repr=False)  # the JSON Lines record it came from
    text_field: str | None = field(default=None, compare=False, repr=False)
    fmt: str | None = field(default=None, compare=False, repr=False)
    # For ``keep="earliest"``: an ISO 8601 string, date, datetime or epoch seconds given by the caller; None:
    # the scan takes it from ``record`` (its date field) or the file's mtime (``keep.document_date``).
    date: object = field(default=None, compare=False, repr=False)
    # The JSON Lines record's line as read (only when asked: ``dedup clean`` writes it back, its text replaced),
    # without its line feed; a CRLF line keeps its CR, so the line comes back with the line end it came with.
    line: str | None = field(default=None, compare=False, repr=False)
    # Read as HTML: ``text`` is the page's main text, not what the input holds (``dedup clean`` writes it unchanged).
    html: bool = field(default=False, compare=False, repr=False)
    # Where a JSON Lines record was read (``path:line``): what names it when the scan skips it (a repeated id).
    where: str | None = field(default=None, compare=False, repr=False)


def _bare(error: InputError, line: bytes | None = None) -> InputError:
    """The error without the traceback and context it was raised with: they hold frames and the input line
    (about 3.5 KB a skipped record), and a batch may skip a great many; with the record's ``line`` where asked
    (``read_jsonl``'s ``lines``: a writer that passes it through)."""
    error.__traceback__ = error.__context__ = error.__cause__ = None
    error.line = line
    return error


def convert(text: str, source: str, fmt: str = "auto", path: str | None = None) -> str:
    """The text to scan: ``text`` itself, or the main text of HTML (by ``fmt``, the suffix of ``path``, or sniffing).

    With ``fmt="auto"`` a .html/.htm file is HTML and a .md file is text (Markdown may hold tags);
    anything else is HTML when it starts like HTML. A page with no main text is an ``InputError``;
    a missing html extra raises ``dedup.io.html_input.MissingExtraError`` (it would fail every HTML input alike).
    """
    if fmt not in FORMATS:
        raise ValueError(f"fmt must be one of {', '.join(FORMATS)}, got {fmt!r}")
    if fmt == "auto":
        suffix = Path(path).suffix.lower() if path is not None else ""
        html = suffix in HTML_SUFFIXES or (suffix != ".md" and is_html(text))
    else:
        html = fmt == "html"
    if not html:
        return text  # itself, not a copy: ``text is not convert(text, ...)`` says it was read as HTML
    # A parser's fault on one page's markup costs that page, said by name, not the batch (``<![a b`` stopped a
    # scan with a traceback); the html extra missing would fail every page alike, and stops the run.
    converted = attempt(html_to_text, text, raises=(MissingExtraError,))
    if isinstance(converted, Failed):
        raise InputError(source, f"its HTML could not be read ({converted.error})")
    if not converted:
        raise InputError(source, "no main text found in HTML")
    return converted


_CHUNK = 1 << 24


def _read_limited(stream: BinaryIO, source: str, max_bytes: int, expected: int = _CHUNK) -> bytes:
    """At most ``max_bytes``, else an ``InputError``. ``read(n)`` sets n bytes aside before it reads
    (CPython's buffered reader), so it asks for what is ``expected`` (a file's size), not for the limit:
    a 10-byte file read under a 1 TiB limit was a MemoryError. More than expected is read a chunk at a time."""
    data = stream.read(min(max_bytes, expected) + 1)
    if expected < len(data) <= max_bytes:  # the file grew, or a stream: the rest up to the limit
        chunks, size = [data], len(data)
        while size <= max_bytes and (chunk := stream.read(min(max_bytes + 1 - size, _CHUNK))):
            chunks.append(chunk)
            size += len(chunk)
        data = b"".join(chunks)
    if len(data) > max_bytes:
        raise InputError(source, f"larger than the {max_bytes:,}-byte limit (raise --max-bytes)")
    return data


def read_document(path: str, max_bytes: int = DEFAULT_MAX_BYTES, stdin: BinaryIO | None = None,
                  fmt: str = "auto", name: str | None = None) -> Document:
    """Read one file (or ``-`` for stdin) as a ``Document``, HTML as its main text; raise ``InputError``.

    ``name`` is what the input is called in ids and messages when ``path`` is a copy of it
    (``InputSpool``: stdin or a pipe saved to disk so it can be read twice); ``-`` stands for stdin.
    """
    if name is not None and name != path:
        try:
            doc = read_document(path, max_bytes, None, fmt)
        except InputError as err:
            raise InputError("<stdin>" if name == "-" else name, err.reason) from None
        # NaN: undated for keep="earliest" (the copy's mtime is when it was spooled, not the input's).
        return Document(id=shown_path(name), text=doc.text, path=doc.path, fmt=fmt, date=math.nan, html=doc.html)
    if path == "-":
        stream = standard_input(stdin)
        name, source = "<stdin>", "-"
        data = _read_limited(stream, name, max_bytes)
    else:
        p = Path(path)
        try:
            found = p.stat()
        except FileNotFoundError:
            raise InputError(path, "no such file or directory") from None
        except OSError as err:  # a name too long, a loop of links
            raise InputError(path, f"cannot read ({err.strerror or err})") from None
        if stat.S_ISDIR(found.st_mode):
            raise InputError(path, "is a directory")
        try:
            size = found.st_size
            if size > max_bytes:  # refused before reading: a huge file costs no memory
                raise InputError(path, f"larger than the {max_bytes:,}-byte limit (raise --max-bytes)")
            with p.open("rb") as stream:
                data = _read_limited(stream, path, max_bytes, size)
        except PermissionError:
            raise InputError(path, "permission denied") from None
        except OSError as err:
            raise InputError(path, f"cannot read ({err.strerror or err})") from None
        name = source = shown_path(path)  # the file is read by ``path``, named by this
    text = decode_file(data, name)
    del data
    if not text or text.isspace():  # not text.strip(): that copies a 200 MB text
        raise InputError(name, "empty (no text to scan)")
    read = convert(text, name, fmt, None if path == "-" else path)
    if not WORD_CHAR.search(read):  # as empty as whitespace: it would have no shingles, no paragraphs to match
        raise InputError(name, "no words to scan (only punctuation, symbols or spaces)")
    return Document(id=source, text=read, path=None if path == "-" else path, fmt=fmt, html=read is not text)


def parse_record(line: bytes, where: str, text_field: str, id_field: str, path: str | None = None,
            offset: int = -1, fmt: str = "auto", keep_line: bool = False) -> Document:
    """One JSON Lines record as a Document; its id defaults to ``path:line``."""
    try:
        # Without its line end: a record cut off inside a string is "Unterminated string", where the line is read
        # with its "\n" (locally) and without (Spark, a gzipped file's last line) alike.
        source = decode(line.removesuffix(b"\n"), where)
        record = JSON_RECORDS.decode(source)
    except json.JSONDecodeError as err:
        # removesuffix: some of json's messages end in "at" already ("Unterminated string starting at"). The column
        # is counted on the record's one line: a record cut off before its line end was put at "column 1" (of
        # the line after the line end, for json), where the same cut at the file's end said its real column.
        column = min(err.pos, len(source.rstrip("\r\n"))) + 1
        raise InputError(where, f"malformed JSON ({err.msg.removesuffix(' at')} at column {column})") from None
    except RecursionError:  # json's parser recurses once per level: a record 1,000 deep would stop the batch
        raise InputError(where, "JSON nested too deeply to read") from None
    if _SURROGATE_ESCAPE.search(line) or line.count(b"[") + line.count(b"{") > 256:
        _check_writable(record, where)
    if not isinstance(record, dict):
        raise InputError(where, f"a JSON {_JSON_TYPES.get(type(record), 'value')}, not an object")
    if text_field not in record:
        raise InputError(where, f"no {text_field!r} field ({_fields_of(record)})")
    given = text = record[text_field]
    problem = text_problem(text)  # the rule ``CorpusScanner.scan`` applies to documents made by hand
    if problem is None:
        text = convert(text, where, fmt)
        problem = text_problem(text)  # HTML's main text may have no words
    if problem is not None:
        raise InputError(where, f"field {text_field!r} {problem}")
    doc_id = record.get(id_field)
    if doc_id is None or isinstance(doc_id, (dict, list)) or doc_id == "":
        doc_id = where
    elif isinstance(doc_id, bool):
        doc_id = "true" if doc_id else "false"  # as the JSON spelled it, not Python's "True"
    elif isinstance(doc_id, SpelledFloat):
        doc_id = doc_id.spelled
    return Document(id=str(doc_id), text=text, path=path, offset=offset, record=record, text_field=text_field, fmt=fmt,
                    line=_as_written(source) if keep_line else None, html=text is not given, where=where)


def _as_written(source: str) -> str:
    """A record's line to write back before a line feed: stripped, its CR kept where the line ended CRLF."""
    return source.strip() + ("\r" if source.rstrip("\n").endswith("\r") else "")


_JSON_TYPES = {type(None): "null", bool: "true or false", int: "number", float: "number", str: "string",
               list: "array"}
_SURROGATE_ESCAPE = re.compile(rb"\\u[dD][89a-fA-F]")  # a surrogate written as an escape: maybe a lone one


def _check_writable(record, where: str) -> None:
    """Refuse a record that could not be written back out: a lone surrogate (``"\\ud800"``, valid JSON but
    not Unicode text) fails every UTF-8 writer, and a record nested nearly as deep as the parser allows
    fails ``json.dumps`` (``dedup clean`` writes records back), so either would stop a batch later.
    Checked only for lines that could be either: a surrogate escape, or many brackets."""
    try:
        written = json.dumps(record, ensure_ascii=False)
    except RecursionError:
        raise InputError(where, "JSON nested too deeply to read") from None
    at = lone_surrogate(written)
    if at is not None:
        raise InputError(where, f"lone surrogate {written[at]!r} in the record: not valid Unicode text")


def _fields_of(record: dict) -> str:
    """The fields a record does have, to name in the error that it lacks the text field."""
    if not record:
        return "the record is empty"
    names = [repr(str(k)) for k in list(record)[:8]]
    return "its fields: " + ", ".join(names) + (", ..." if len(record) > 8 else "")


UNNAMED = "which has no"  # said of a duplicate id that is a record's path:line name (``read_jsonl``)


def read_jsonl(path: str, text_field: str = "text", id_field: str = "id", max_bytes: int = DEFAULT_MAX_BYTES,
               fmt: str = "auto", name: str | None = None, lines: bool = False,
               stream: BinaryIO | None = None) -> Iterator[Document | InputError]:
    """Each line of a JSON Lines file (``.gz`` read as gzip) as a Document or an InputError.

    A bad line is reported and skipped; a repeated id is reported and the
    later record skipped; a truncated gzip stream ends the file with an error
    after every complete line before it. ``name`` is what the file is called in ids and messages when
    ``path`` is a saved copy of it (see ``read_document``); ``lines`` keeps each record's line
    (``Document.line``). ``stream``: the records come from it (decompressed), read as they arrive (standard
    input or a pipe, ``path`` ``"-"``), and cannot be read again (no ``Document.path``).
    """
    name = "<stdin>" if (name or path) == "-" else shown_path(name or path)  # ids default to name:line
    if stream is None and not Path(path).is_file():
        yield InputError(name, "no such file" if not Path(path).exists() else "not a regular file")
        return
    reread = None if stream is not None else path  # where pass two reads a record again
    seen: dict[str, int] = {}
    lineno = offset = records = 0
    try:
        with stream if stream is not None else _open_jsonl(path) as stream:
            # readline(limit), not iteration: a line past the limit is skipped without ever being held
            # whole (a 200 MB single-line file was read into memory before it was refused).
            while line := stream.readline(max_bytes + 2):  # a record of the limit and its CRLF, or one byte past it
                lineno += 1
                where, start = f"{name}:{lineno}", offset
                offset += len(line)
                if lineno == 1 and line.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):  # or UTF-32's
                    yield InputError(name, "UTF-16 or UTF-32 text; JSON Lines are UTF-8 (iconv -f UTF-16 -t UTF-8)")
                    return
                if lineno == 1 and line.startswith(b"\x1f\x8b"):  # each "line" of it would be an error of its own
                    yield InputError(name, "gzip-compressed, but not named .gz (name it .jsonl.gz, or gunzip it)")
                    return
                if record_size(line) > max_bytes:
                    records += 1
                    while not line.endswith(b"\n") and (line := stream.readline(1 << 20)):
                        offset += len(line)
                    yield InputError(where, f"record larger than the {max_bytes:,}-byte limit",
                                     span=(reread, start, offset) if lines and reread is not None else None)
                    continue
                if not line.strip():
                    # (not ``lines``, the flag to keep each record's bytes: named so, it was set to this count,
                    # and clean then dropped the skipped records after a blank line, re-encoding the others)
                    skipped, blank = skip_blank_lines(stream)  # a line at a time, 100 MB of them took minutes
                    offset, lineno = offset + skipped, lineno + blank
                    continue
                records += 1
                try:
                    doc = parse_record(line, where, text_field, id_field, reread, start, fmt, lines)
                except InputError as err:
                    yield _bare(err, line if lines else None)
                    continue
                if doc.id in seen:
                    first = seen[doc.id]  # the name given to a record without an id, or an id given twice
                    said = f"first at line {first}; a record {UNNAMED} {id_field!r} is named path:line" \
                        if doc.id == f"{name}:{first}" else f"first at line {first}"
                    yield InputError(where, f"duplicate id {doc.id!r} ({said})", line if lines else None)
                    continue
                seen[doc.id] = lineno
                yield doc
    except (EOFError, gzip.BadGzipFile, zlib.error) as err:
        yield InputError(name, f"truncated or corrupt gzip after line {lineno} ({err})", after=lineno)
    except PermissionError:
        yield InputError(name, "permission denied")
    else:
        if not records:  # as a text file with nothing in it: said, not passed over
            yield InputError(name, "empty (no records)")


def _open_jsonl(path: str) -> BinaryIO:
    return gzip.open(path, "rb") if path.lower().endswith(".gz") else open(path, "rb")


def copy_record(span: tuple[str, int, int], out: BinaryIO) -> None:
    """Copy the bytes ``span`` names (``InputError.span``: a record too large to read) to ``out``, a chunk at a
    time, ending them with a line end."""
    path, start, end = span
    last = b"\n"
    with _open_jsonl(path) as stream:
        stream.seek(start)
        left = end - start
        while left > 0 and (chunk := stream.read(min(left, 1 << 20))):
            out.write(chunk)
            left -= len(chunk)
            last = chunk[-1:]
    if last != b"\n":
        out.write(b"\n")


def read_documents(paths: list[str] | str | os.PathLike, max_bytes: int = DEFAULT_MAX_BYTES, *,
                   stdin: BinaryIO | None = None, text_field: str = "text", id_field: str = "id", fmt: str = "auto",
                   names: dict[str, str] | None = None, lines: bool = False) -> Iterator[Document | InputError]:
    """Each input as a ``Document``, or the ``InputError`` that stopped it (``lines``: see ``read_jsonl``).

    ``paths``: files, folders (read whole) and ``-`` (standard input); one path alone (a string or a
    ``Path``) is read as a list of it (it was read as a list of its characters, "/" among them: every file of
    the machine). Files ending in .jsonl / .ndjson (optionally .gz) give one document per line. ``fmt`` says how
    to read the texts: ``"text"``, ``"html"``, or ``"auto"`` (see ``convert``). ``names`` maps a path
    to what it stands for in ids and messages (an ``InputSpool`` copy of stdin or of a pipe). The arguments are
    checked at the call (a ``TypeError`` or ``ValueError`` naming the one that is wrong), not at the first read.
    """
    if isinstance(paths, (str, os.PathLike)):
        paths = [paths]
    elif isinstance(paths, bytes) or not isinstance(paths, Iterable):
        raise TypeError(f"paths must be a path or a list of paths, got {type(paths).__name__} {paths!r:.60}")
    paths = [os.fspath(path) if isinstance(path, os.PathLike) else path for path in paths]
    check_int("max_bytes", max_bytes, 1)
    check_str("text_field", text_field, blank=True)  # "" is a JSON key like any other
    check_str("id_field", id_field, blank=True)
    if fmt not in FORMATS:
        raise ValueError(f"fmt must be one of {', '.join(FORMATS)}, got {fmt!r}")
    return _read_documents(paths, max_bytes, stdin, text_field, id_field, fmt, names or {}, lines)


def _read_documents(paths: list[str], max_bytes: int, stdin: BinaryIO | None, text_field: str, id_field: str,
                    fmt: str, names: dict[str, str], lines: bool) -> Iterator[Document | InputError]:
    """``read_documents``, its arguments checked."""
    for item in expand(paths):
        if isinstance(item, InputError):
            yield item
        elif item == "-" or not rereadable(item):  # no suffix to say what it holds: its first bytes say
            yield from _stream_documents(item, max_bytes, stdin, text_field, id_field, fmt, lines)
        elif is_jsonl(item):
            yield from read_jsonl(item, text_field=text_field, id_field=id_field, max_bytes=max_bytes, fmt=fmt,
                                  name=names.get(item), lines=lines)
        else:
            yield from _one_document(item, max_bytes, stdin, fmt, names.get(item), lines)


def _stream_documents(path: str, max_bytes: int, stdin: BinaryIO | None, text_field: str, id_field: str,
                      fmt: str, lines: bool) -> Iterator[Document | InputError]:
    """Standard input (``-``), or a pipe named as a path (``<(crawl)``, a FIFO), read as what its first bytes say
    (``sniff``): JSON Lines, gzipped or not, or one text. A pipe by its path was read as one text, its records
    its paragraphs (``index add`` and ``index query`` read their inputs as they come, unspooled)."""
    try:
        opened = standard_input(stdin) if path == "-" else open(path, "rb")
    except InputError as err:
        yield err
        return
    except OSError as err:
        yield InputError(shown_path(path), f"cannot read ({err.strerror or err})")
        return
    try:
        kind, stream = sniff(opened)
        if kind != "text":
            source = gzip.GzipFile(fileobj=stream) if kind == "jsonl.gz" else stream
            yield from read_jsonl(path, text_field, id_field, max_bytes, fmt, None, lines, source)
            return
        for doc in _one_document("-", max_bytes, stream, fmt, None):
            if path != "-":  # named by its path, as a spooled copy of it is
                doc = InputError(shown_path(path), doc.reason) if isinstance(doc, InputError) else \
                    Document(id=shown_path(path), text=doc.text, fmt=fmt, html=doc.html)
            yield doc
    finally:
        if path != "-":
            opened.close()


def _one_document(path: str, max_bytes: int, stdin: BinaryIO | None, fmt: str,
                  name: str | None, keep_path: bool = False) -> Iterator[Document | InputError]:
    try:
        yield read_document(path, max_bytes=max_bytes, stdin=stdin, fmt=fmt, name=name)
    except InputError as err:
        err = _bare(err)
        if keep_path and path != "-":  # ``dedup clean`` copies a file it could not read as it is
            err.path = path
        yield err


def reread(locations: list[tuple[str, int]], text_field: str = "text",
           fmt: str = "auto") -> Iterator[tuple[tuple[str, int], str]]:
    """Read the texts at ``(path, offset)`` locations again (see ``Document``), in file order.

    Texts are converted as ``read_documents`` did with the same ``fmt``. Only the wanted records
    are parsed; a gzipped file is decompressed once, seeking forward from record to record.
    """
    by_path: dict[str, list[int]] = {}
    for path, offset in locations:
        by_path.setdefault(path, []).append(offset)
    for path, offsets in by_path.items():
        if offsets == [-1]:
            yield (path, -1), convert(decode_file(Path(path).read_bytes(), path), path, fmt, path)
            continue
        opener = gzip.open if path.lower().endswith(".gz") else open
        with opener(path, "rb") as stream:
            for offset in sorted(set(offsets)):
                stream.seek(offset)
                line = stream.readline()
                record = json.loads(line, parse_int=JSON_RECORDS.parse_int)
                yield (path, offset), convert(record[text_field], f"{path}@{offset}", fmt)
