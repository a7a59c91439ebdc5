"""Write cleaned documents back in the shape they came in: text, JSON Lines (gzip too), or a folder of files."""

from __future__ import annotations

import gzip
import json
import sys
from pathlib import Path
from typing import IO, Iterable

from .clean import CorpusCleaner
from .readers import Document, expand, is_jsonl


class OutputError(Exception):
    """The output cannot take this input's shape; the message says what to give instead."""


def write_cleaned(documents: Iterable[Document], cleaner: CorpusCleaner, output: str, text_field: str,
                  paths: tuple[str, ...]) -> int:
    """Write each kept document's cleaned text; return how many were kept."""
    files = [p for p in expand(list(paths)) if isinstance(p, str)]
    if files and all(is_jsonl(p) for p in files):
        with _open_text(output) as out:
            return _write_jsonl(documents, cleaner, out, text_field)
    if any(is_jsonl(p) for p in files):
        raise OutputError("clean takes JSON Lines files or text files, not both at once")
    if len(files) == 1 and not Path(paths[0]).is_dir():
        with _open_text(output) as out:
            return _write_texts(documents, cleaner, lambda doc: out)
    if output == "-":
        raise OutputError("several text files need a folder to write into: give -o FOLDER")
    return _write_folder(documents, cleaner, Path(output), paths)


def _open_text(output: str) -> IO[str]:
    if output == "-":
        return _Unclosed(sys.stdout)
    if output.lower().endswith(".gz"):
        return gzip.open(output, "wt", encoding="utf-8")
    return open(output, "w", encoding="utf-8")


class _Unclosed:
    """Standard output in a ``with`` block that must not close it."""

    def __init__(self, stream: IO[str]) -> None:
        self.stream = stream

    def __enter__(self) -> IO[str]:
        return self.stream

    def __exit__(self, *exc) -> None:
        self.stream.flush()


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


def _write_texts(documents: Iterable[Document], cleaner: CorpusCleaner, out_for) -> int:
    kept = 0
    for doc in documents:
        if cleaner.keeps(doc.id):
            out_for(doc).write(cleaner.text(doc.id, doc.text))
            kept += 1
    return kept


def _write_folder(documents: Iterable[Document], cleaner: CorpusCleaner, folder: Path,
                  paths: tuple[str, ...]) -> int:
    roots = [Path(p) for p in paths if Path(p).is_dir()]
    if folder.exists() and not folder.is_dir():
        raise OutputError(f"{folder}: not a folder")
    for root in roots:
        if folder.resolve() == root.resolve():
            raise OutputError(f"{folder}: is an input folder; write the cleaned copy elsewhere")
    kept = 0
    for doc in documents:
        if not cleaner.keeps(doc.id) or doc.path is None:
            continue
        source = Path(doc.path)
        relative = next((source.relative_to(r) for r in roots if source.is_relative_to(r)), Path(source.name))
        target = folder / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(cleaner.text(doc.id, doc.text), encoding="utf-8")
        kept += 1
    return kept
