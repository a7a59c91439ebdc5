"""Write cleaned documents back in the shape they came in: text, JSON Lines (gzip too), or a folder of files.

Every file is written whole or not at all (``atomic_output``: a temporary file in the same folder, renamed
over the target once complete); a write that fails is one ``WriteError`` naming the output. Where the
outputs go, and what is refused before anything is read, is ``dedup.io.outputs``.
"""

from __future__ import annotations

import contextlib
import gzip
import io
import json
import os
import re
import shutil
import stat
import sys
import tempfile
from pathlib import Path
from typing import IO, Iterable, Iterator

from dedup.io.clean import CorpusCleaner
from dedup.io.outputs import CleanPlan, OutputError, WriteError, refuse_overwriting_inputs
from dedup.io.readers import Document, InputError, copy_record, decode_file

__all__ = ["OutputError", "WriteError", "atomic_output", "refuse_overwriting_inputs", "write_cleaned"]


@contextlib.contextmanager
def atomic_output(output: str, compress: bool = False, follow_link: bool = True) -> Iterator[IO[str]]:
    """A text stream to ``output`` ("-": standard output) that replaces it only once the block ends
    without an error; a run that fails mid-write leaves an existing file as it was. A link at ``output`` is
    written through (the -o a user named), or with ``follow_link=False`` replaced by the file (a copy dedup
    names inside an output folder: a link found there pointed at a file outside it, even at an input)."""
    if output == "-":
        if sys.stdout is None:  # >&-: Python has no sys.stdout (writing raised AttributeError after the whole run)
            raise WriteError("<stdout>", OSError(9, "standard output is closed"))
        try:
            yield sys.stdout
            sys.stdout.flush()
        except BrokenPipeError:  # the reader stopped (| head): the commands end quietly on it
            raise
        except OSError as err:  # > /dev/full
            raise WriteError("<stdout>", err) from None
        return
    descriptor = own_descriptor(output)
    if descriptor is not None:  # /dev/stdout, /dev/fd/63: written to that descriptor, as "-" is to stdout
        try:
            with os.fdopen(os.dup(descriptor), "wb") as raw:
                yield from _text_to(raw, compress)
        except BrokenPipeError:
            raise
        except OSError as err:
            raise WriteError(output, err) from None
        return
    target = Path(output)
    link = target.is_symlink()
    if link and follow_link:  # written through, as a shell's > does: the rename would put a file in the link's place
        target, link = Path(os.path.realpath(target)), False
    try:
        # /dev/null, a named pipe: written in place (a rename would put a file in its stead)
        if not link and _special(target):
            with open(target, "wb") as raw:
                yield from _text_to(raw, compress)
            return
        handle, temporary = tempfile.mkstemp(prefix=_temporary_prefix(target.name), suffix=".tmp",
                                             dir=target.parent or ".")
    except OSError as err:
        raise WriteError(output, err) from None
    try:
        with os.fdopen(handle, "wb") as raw:
            yield from _text_to(raw, compress)
            raw.flush()
            os.fsync(raw.fileno())
        os.chmod(temporary, _mode_for(target, replaced=not link))
        os.replace(temporary, target)
    except BaseException as err:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        if isinstance(err, OSError):  # a full disk, a folder made read-only meanwhile: named in one line
            raise WriteError(output, err) from None
        raise


def _text_to(raw: IO[bytes], compress: bool) -> Iterator[IO[str]]:
    """Yield a text stream over ``raw`` (gzip-compressed with ``compress``), then finish it: the text layer
    flushed and let go, the gzip trailer written; ``raw`` itself stays open."""
    binary = gzip.GzipFile(fileobj=raw, mode="wb", filename="") if compress else raw
    out = open_text(binary)
    yield out
    out.flush()
    out.detach()
    if compress:
        binary.close()


def own_descriptor(path: str) -> int | None:
    """The file descriptor of this process that ``path`` names through its links (``/dev/stdout``, ``/dev/fd/3``,
    ``/proc/self/fd/1``), or None. Such a path is not a file to replace: resolved, it leads to whatever the
    descriptor holds (the file a shell's ``>>`` opened, which a rename would replace, losing what it held; a
    pipe, which has no name to rename onto)."""
    own = re.compile(rf"/(?:dev/fd|proc/(?:self|thread-self|{os.getpid()})/fd)/(\d+)")
    current = os.path.abspath(path)
    for _ in range(_MAX_LINKS):
        found = own.fullmatch(current)
        if found:
            return int(found.group(1))
        try:
            link = os.readlink(current)
        except OSError:  # not a link (or gone): the path itself
            return None
        current = os.path.normpath(os.path.join(os.path.dirname(current), link))
    return None


_MAX_LINKS = 40  # as the kernel's own limit on links followed in one lookup


def _temporary_prefix(name: str) -> str:
    """The temporary file's name before its random part: the output's name, cut to 100 bytes (a name near the
    255-byte limit would leave no room for the rest), so a run killed mid-write leaves a file one can tell."""
    # In the file system's encoding: decoded as UTF-8, a name the locale cannot spell (ASCII's "straße.txt") made
    # a prefix that no longer encoded. A multi-byte character cut at 100 bytes stays bytes (surrogate escapes).
    return "." + os.fsdecode(os.fsencode(name)[:100]) + "."


def _special(target: Path) -> bool:
    """Whether ``target`` exists and is neither a regular file nor a folder (a device, a pipe, a socket)."""
    try:
        mode = target.stat().st_mode
    except OSError:
        return False
    return not (stat.S_ISREG(mode) or stat.S_ISDIR(mode))


def open_text(binary: IO[bytes]) -> IO[str]:
    # newline="": text is written as it is (a document's own line ends), as open(..., "w") on POSIX did.
    return io.TextIOWrapper(binary, encoding="utf-8", newline="")


def _mode_for(target: Path, replaced: bool = True) -> int:
    """The replaced file's permissions, or a new file's (mkstemp makes it 0600; a link replaced is no file's)."""
    try:
        if not replaced:
            raise FileNotFoundError(target)
        return target.stat().st_mode & 0o7777
    except OSError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


def write_cleaned(documents: Iterable[Document | InputError], cleaner: CorpusCleaner, plan: CleanPlan,
                  text_field: str) -> int:
    """Write each kept document's cleaned text where ``plan`` says (``dedup.io.outputs.plan_clean``); return
    how many were kept. A document id seen before (a duplicate the scan skipped) is not written again.

    An input the scan could not read (``InputError`` from ``read_documents(..., lines=True)``: a record without
    words or with a repeated id, a file that is not UTF-8) has nothing known to remove: it is written as it came
    in, in its place (``cleaner.unread`` names it), so cleaning never loses a record it could not judge."""
    if plan.kind == "folder":
        return _write_folder(_once(documents, cleaner), cleaner, plan.targets)
    if plan.folder is not None:
        _make_folder(plan.folder, plan.output)
    with atomic_output(plan.output, plan.output.lower().endswith(".gz"), follow_link=plan.folder is None) as out:
        if plan.kind == "jsonl":
            return _write_jsonl(_once(documents, cleaner), cleaner, out, text_field)
        return _write_texts(_once(documents, cleaner), cleaner, out)


def _once(documents: Iterable[Document | InputError], cleaner: CorpusCleaner) -> Iterator[Document | InputError]:
    """Documents as the scan kept them: the first of each id only; the inputs it skipped, as they came. A later
    document with an id seen before (in another file: the reader only knows one file's ids) was skipped by the
    scan: it comes as the ``InputError`` that writes it back as it came in (it was dropped from the output)."""
    seen: set[str] = set()
    for doc in documents:
        if isinstance(doc, InputError):
            yield doc
        elif doc.id not in seen and cleaner.report.documents.has_id(doc.id):
            seen.add(doc.id)
            yield doc
        elif doc.id not in seen:  # not scanned: added to the input after the scan read it, written as it came
            seen.add(doc.id)
            cleaner.unscanned.append(doc.id)
            yield InputError(doc.where or doc.id, "not in the scan", path=doc.path,
                             line=None if doc.line is None else doc.line.encode("utf-8"))
        else:
            yield InputError(doc.where or doc.id, f"duplicate id {doc.id!r}", path=doc.path,
                             line=None if doc.line is None else doc.line.encode("utf-8"))


def _write_jsonl(documents: Iterable[Document | InputError], cleaner: CorpusCleaner, out: IO[str],
                 text_field: str) -> int:
    kept = 0
    for doc in documents:
        if isinstance(doc, InputError):
            if doc.line is not None:  # the record's own bytes (not valid UTF-8, maybe): past the text layer
                _write(out, doc.line if doc.line.endswith(b"\n") else doc.line + b"\n")
                cleaner.unread.append(doc.source)
            elif doc.span is not None:  # a record too large to hold: copied from its file (it was dropped)
                out.flush()
                copy_record(doc.span, out.buffer)
                cleaner.unread.append(doc.source)
            elif doc.after:  # a gzip cut off: its records before the cut are written, those after it are gone
                cleaner.cut.append((doc.source, doc.after))
            elif doc.same_as is None:  # a whole file refused (UTF-16, gzip not named so): none of its records
                cleaner.lost.append(doc.source)  # could be written (a file given twice is written where first read)
            continue
        if not cleaner.keeps(doc.id):
            continue
        if doc.html and doc.line is not None:
            out.write(doc.line + "\n")
            cleaner.as_read.append(doc.id)
        else:
            text = cleaner.kept_text(doc.id, doc.text)
            if text is None:  # nothing but boilerplate: no record (``cleaner.emptied``)
                continue
            out.write(_record_line(doc, text_field, text) + "\n")
        kept += 1
    return kept


def _cleaned_text(doc: Document, cleaner: CorpusCleaner) -> str | bytes | None:
    """The kept document's text to write: cleaned, or the input's own bytes where it was read as HTML (its
    paragraphs are the page's main text, not the file's: what is kept must come out as it came in; decoded and
    written as UTF-8, a page declaring windows-1252 in its <meta> was shown garbled)."""
    as_json = doc.record is None and doc.path is not None and _json_file(doc)
    if (doc.html or as_json) and doc.path is not None:
        (cleaner.as_json if as_json else cleaner.as_read).append(doc.id)
        try:
            raw = Path(doc.path).read_bytes()
            decode_file(raw, doc.id)  # still what the scan read
            return raw
        except (OSError, InputError) as err:  # gone or changed since the scan read it
            raise WriteError(doc.id, OSError(f"cannot read it again: {getattr(err, 'reason', err)}")) from None
    return cleaner.kept_text(doc.id, doc.text)  # None: nothing but boilerplate, not written


def _json_file(doc: Document) -> bool:
    """Whether a text document is a .json file holding JSON, or JSON Lines: read as one text (records are read from
    .jsonl files), its paragraphs are its lines, and cutting one out broke it (``"id": "b",`` left before a
    ``},``)."""
    if Path(doc.path or "").suffix.lower() != ".json":
        return False
    try:
        json.loads(doc.text)
    except ValueError:  # JSON Lines named .json: records, read as lines of one text
        lines = [line for line in doc.text.splitlines()[:100] if line.strip()]
        return bool(lines) and all(_json_object(line) for line in lines)
    return True


def _json_object(line: str) -> bool:
    try:
        return isinstance(json.loads(line), dict)
    except ValueError:
        return False


def _write(out: IO[str], text: str | bytes) -> None:
    if isinstance(text, bytes):  # a page as it came in: its bytes, past the text layer
        out.flush()
        out.buffer.write(text)
    else:
        out.write(text)


def _record_line(doc: Document, text_field: str, text: str) -> str:
    """The record as it came in with only its text replaced: every other field as written, byte for byte.

    Re-encoding the parsed record changed what it did not own: 1e400 (a float too large for Python) came
    back as Infinity, which is not JSON. The NaN and Infinity that Python's json writes (not JSON either)
    stay as the input had them, so the output reads wherever the input did.
    """
    if doc.line is not None:
        span = _value_span(doc.line, text_field)
        if span is not None:
            if text == doc.text:  # nothing removed: the line as it came in ("Caf\u00e9" stays escaped)
                return doc.line
            return doc.line[:span[0]] + json.dumps(text, ensure_ascii=False) + doc.line[span[1]:]
    record = dict(doc.record or {"id": doc.id})
    record[text_field] = text
    return json.dumps(record, ensure_ascii=False)


# Values are only skipped over, never converted: numbers as their text (a 5,000-digit integer is no error).
_SKIP = json.JSONDecoder(parse_int=str, parse_float=str, parse_constant=str)
_SPACE = re.compile(r"[ \t\n\r]*")


def _value_span(line: str, key: str) -> tuple[int, int] | None:
    """Where the value of the JSON object ``line``'s top-level ``key`` starts and ends (its last occurrence,
    the one ``json.loads`` keeps); None if ``line`` is not an object holding it."""
    try:
        i = _SPACE.match(line).end()
        if line[i:i + 1] != "{":
            return None
        i, span = _SPACE.match(line, i + 1).end(), None
        while line[i:i + 1] == '"':
            name, i = json.decoder.scanstring(line, i + 1)
            i = _SPACE.match(line, i).end()
            if line[i:i + 1] != ":":
                return None
            start = _SPACE.match(line, i + 1).end()
            end = _SKIP.raw_decode(line, start)[1]
            span = (start, end) if name == key else span
            i = _SPACE.match(line, end).end()
            if line[i:i + 1] != ",":
                break
            i = _SPACE.match(line, i + 1).end()
        return span if line[i:i + 1] == "}" else None
    except (ValueError, RecursionError):
        return None


def _write_texts(documents: Iterable[Document | InputError], cleaner: CorpusCleaner, out: IO[str]) -> int:
    kept = 0
    for doc in documents:
        if isinstance(doc, Document) and cleaner.keeps(doc.id):
            text = _cleaned_text(doc, cleaner)
            if text is not None:
                _write(out, text)
                kept += 1
    return kept


def _write_folder(documents: Iterable[Document | InputError], cleaner: CorpusCleaner, targets: dict[str, Path]) -> int:
    kept = 0
    for doc in documents:
        if isinstance(doc, InputError):
            if doc.path in targets:
                _copy_unread(doc, targets[doc.path], cleaner)
            continue
        if not cleaner.keeps(doc.id) or doc.path is None or doc.path not in targets:
            continue
        target = targets[doc.path]
        text = _cleaned_text(doc, cleaner)
        if text is None:  # nothing but boilerplate: no file
            continue
        _make_folder(target.parent, str(target))
        with atomic_output(str(target), follow_link=False) as out:
            _write(out, text)
        kept += 1
        cleaner.files_written += 1
    return kept


def _copy_unread(skipped: InputError, target: Path, cleaner: CorpusCleaner) -> None:
    """The file the scan could not read (empty, not UTF-8, without words, past --max-bytes) copied as it is."""
    try:
        source = open(skipped.path, "rb")
    except OSError:  # gone, or never readable: the scan said so already; there is nothing to copy
        return
    with source:
        _make_folder(target.parent, str(target))
        with atomic_output(str(target), follow_link=False) as out:
            out.flush()
            shutil.copyfileobj(source, out.buffer)
    cleaner.unread.append(skipped.source)
    cleaner.files_written += 1


def _make_folder(folder: Path, output: str) -> None:
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as err:  # a file put in its way (or the folder made read-only) since plan_clean checked
        raise WriteError(output, err) from None
