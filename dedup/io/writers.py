"""Write cleaned documents back in the shape they came in: text, JSON Lines (gzip too), or a folder of files.

Every file is written whole or not at all (``atomic_output``: a temporary file in the same folder, renamed
over the target once complete), and nothing is written over an input: an output that is one of the
inputs (also through a link) or a folder that holds or is held by an input folder is refused before
anything is read or written.
"""

from __future__ import annotations

import contextlib
import gzip
import io
import json
import os
import stat
import sys
import tempfile
from pathlib import Path
from typing import IO, Iterable, Iterator

from dedup.io.clean import CorpusCleaner
from dedup.io.readers import HTML_SUFFIXES, JSONL_SUFFIXES, TEXT_SUFFIXES, Document, expand, is_jsonl


class OutputError(Exception):
    """The output cannot take this input's shape, or would overwrite an input; the message says what to give."""


@contextlib.contextmanager
def atomic_output(output: str, compress: bool = False) -> Iterator[IO[str]]:
    """A text stream to ``output`` ("-": standard output) that replaces it only once the block ends
    without an error; a run that fails mid-write leaves an existing file as it was."""
    if output == "-":
        yield sys.stdout
        sys.stdout.flush()
        return
    target = Path(output)
    if _special(target):  # /dev/null, a named pipe: written in place (a rename would put a file in its stead)
        with open(target, "wb") as raw:
            yield from _text_to(raw, compress)
        return
    handle, temporary = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent or ".")
    try:
        with os.fdopen(handle, "wb") as raw:
            yield from _text_to(raw, compress)
            raw.flush()
            os.fsync(raw.fileno())
        os.chmod(temporary, _mode_for(target))
        os.replace(temporary, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
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


def _mode_for(target: Path) -> int:
    """The replaced file's permissions, or a new file's (mkstemp makes it 0600)."""
    try:
        return target.stat().st_mode & 0o7777
    except OSError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


def refuse_overwriting_inputs(output: str, paths: Iterable[str]) -> None:
    """Raise ``OutputError`` when writing ``output`` would overwrite one of the input files ``paths``."""
    if output == "-" or not os.path.exists(output):
        return
    for item in expand(list(paths)):
        if isinstance(item, str) and item != "-" and os.path.exists(item) and os.path.samefile(output, item):
            same = "" if os.path.abspath(item) == os.path.abspath(output) else f" ({item})"
            raise OutputError(f"{output}: is one of the inputs{same}; write the output elsewhere")


def write_cleaned(documents: Iterable[Document], cleaner: CorpusCleaner, output: str, text_field: str,
                  paths: tuple[str, ...] | list[str], names: dict[str, str] | None = None) -> int:
    """Write each kept document's cleaned text; return how many were kept.

    ``paths`` are the inputs as read (``names`` maps a spooled copy to the input it stands for). A
    document id seen before (a duplicate the scan skipped) is not written again.
    """
    names = names or {}
    files = [p for p in expand(list(paths)) if isinstance(p, str)]
    if files and all(is_jsonl(p) for p in files):
        refuse_overwriting_inputs(output, paths)
        with atomic_output(output, output.lower().endswith(".gz")) as out:
            return _write_jsonl(_once(documents, cleaner), cleaner, out, text_field)
    if any(is_jsonl(p) for p in files):
        raise OutputError("clean takes JSON Lines files or text files, not both at once")
    if len(files) == 1 and not Path(paths[0]).is_dir():
        refuse_overwriting_inputs(output, paths)
        with atomic_output(output, output.lower().endswith(".gz")) as out:
            return _write_texts(_once(documents, cleaner), cleaner, out)
    if output == "-":
        raise OutputError("several text files need a folder to write into: give -o FOLDER")
    targets = _folder_layout(Path(output), paths, files, names)
    return _write_folder(_once(documents, cleaner), cleaner, targets)


def _once(documents: Iterable[Document], cleaner: CorpusCleaner) -> Iterator[Document]:
    """Documents as the scan kept them: the first of each id only (a later one with the same id was skipped
    by the scan, and must not be written either)."""
    seen: set[str] = set()
    for doc in documents:
        if doc.id not in seen and cleaner.report.documents.has_id(doc.id):
            seen.add(doc.id)
            yield doc


def _write_jsonl(documents: Iterable[Document], cleaner: CorpusCleaner, out: IO[str], text_field: str) -> int:
    kept = 0
    for doc in documents:
        if not cleaner.keeps(doc.id):
            continue
        record = dict(doc.record or {"id": doc.id})
        record[text_field] = cleaner.text(doc.id, doc.text)
        out.write(json.dumps(record, ensure_ascii=False) + "\n")
        kept += 1
    return kept


def _write_texts(documents: Iterable[Document], cleaner: CorpusCleaner, out: IO[str]) -> int:
    kept = 0
    for doc in documents:
        if cleaner.keeps(doc.id):
            out.write(cleaner.text(doc.id, doc.text))
            kept += 1
    return kept


_FILE_SUFFIXES = TEXT_SUFFIXES + HTML_SUFFIXES + JSONL_SUFFIXES + (".gz", ".json", ".csv")


def _folder_layout(folder: Path, paths, files: list[str], names: dict[str, str]) -> dict[str, Path]:
    """Where each input file's cleaned copy goes in ``folder``, keeping the inputs' relative layout.

    One input folder: paths relative to it. Anything else: paths relative to the inputs' common folder,
    so ``ca/x.txt`` and ``cb/x.txt`` stay apart. Refused before anything is written: a folder that is,
    or is inside, an input folder; a target that is an input; two inputs with one target.
    """
    if folder.exists() and not folder.is_dir():
        raise OutputError(f"{folder}: not a folder")
    if not folder.exists() and folder.suffix.lower() in _FILE_SUFFIXES:
        raise OutputError(f"{folder}: several inputs are written into a folder, and this names a file; "
                          "give -o FOLDER")
    roots = [Path(p) for p in paths if Path(p).is_dir()]
    for root in roots:
        if folder.resolve() == root.resolve() or root.resolve() in folder.resolve().parents:
            raise OutputError(f"{folder}: is or is inside the input folder {root}; write the cleaned copy elsewhere")
    real = [f for f in files if f not in names]
    if len(paths) == 1 and roots:
        base = roots[0].absolute()
    else:
        anchors = [str(Path(p).absolute()) if Path(p).is_dir() else str(Path(p).absolute().parent)
                   for p in paths if p in real or Path(p).is_dir()]
        base = Path(os.path.commonpath(anchors)) if anchors else Path.cwd()
    targets: dict[str, Path] = {}
    by_target: dict[Path, str] = {}
    for f in files:
        name = names.get(f)
        relative = Path("stdin.txt" if name == "-" else Path(name).name) if name is not None else \
            Path(f).absolute().relative_to(base)
        target = folder / relative
        if target in by_target:
            raise OutputError(f"{by_target[target]} and {name or f} would both be written to {target}; "
                              "clean them into separate folders")
        if target.exists() and name is None and os.path.samefile(target, f):
            raise OutputError(f"{target}: is one of the inputs; write the cleaned copy elsewhere")
        targets[f], by_target[target] = target, name or f
    return targets


def _write_folder(documents: Iterable[Document], cleaner: CorpusCleaner, targets: dict[str, Path]) -> int:
    kept = 0
    for doc in documents:
        if not cleaner.keeps(doc.id) or doc.path is None or doc.path not in targets:
            continue
        target = targets[doc.path]
        target.parent.mkdir(parents=True, exist_ok=True)
        with atomic_output(str(target)) as out:
            out.write(cleaner.text(doc.id, doc.text))
        kept += 1
    return kept
