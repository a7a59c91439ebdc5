"""``dedup index ...``: the persistent index from the command line (a face over ``dedup.Index``)."""

from __future__ import annotations

import json
import sys

import click

from . import __version__
from .cli import _error, _exit_on_broken_pipe, _input_bytes, input_format_option
from .index import Index, IndexFileError
from .progress import Progress
from .readers import DEFAULT_MAX_BYTES, InputError, read_documents
from .report import format_verdict, verdict_to_dict
from .storage import store_exists


@click.group()
def index() -> None:
    """A persistent near-duplicate index (a SQLite file, or redis://host:port/db?prefix=name) for incremental
    checks."""


def _open_index(db: str, **kwargs):
    try:
        return Index(db, **kwargs)
    except (IndexFileError, OSError, ImportError) as err:
        _error(str(err))
        sys.exit(1)


def _require_index(db: str, hint: str = "") -> None:
    try:
        found = store_exists(db)
    except (IndexFileError, ValueError, ImportError) as err:
        _error(str(err))
        sys.exit(1)
    if not found:
        _error(f"{db}: no such index{hint}")
        sys.exit(1)


@index.command("add")
@click.argument("db")
@click.argument("paths", nargs=-1, required=True)
@click.option("--text-field", default="text", show_default=True, help="JSON Lines field holding the text.")
@click.option("--id-field", default="id", show_default=True, help="JSON Lines field holding the document id.")
@click.option("--max-bytes", type=click.IntRange(1), default=DEFAULT_MAX_BYTES, show_default=True,
              help="Refuse inputs larger than this many bytes.")
@click.option("-q", "--quiet", is_flag=True, help="No progress bar or summary on stderr.")
@input_format_option
def index_add(db: str, paths: tuple[str, ...], text_field: str, id_field: str, max_bytes: int, quiet: bool,
              input_format: str) -> None:
    """Add the documents in PATHS to the index DB (created if missing); ids already there are skipped."""
    skipped = []
    progress = Progress("indexing", _input_bytes(paths), enabled=not quiet)

    def good():
        for item in read_documents(list(paths), max_bytes=max_bytes, text_field=text_field, id_field=id_field,
                                   fmt=input_format):
            if isinstance(item, InputError):
                _error(str(item))
                skipped.append(item)
                continue
            progress.update(1, len(item.text))
            yield item

    with _open_index(db) as idx:
        added = idx.add_many(good())
        progress.close()
        if not quiet:
            click.echo(f"dedup: added {added} of {progress.docs} documents ({progress.docs - added} already indexed, "
                       f"{len(skipped)} skipped); {db} holds {len(idx)}", err=True)
    if skipped:
        sys.exit(1)


@index.command("query")
@click.argument("db")
@click.argument("paths", nargs=-1, required=True)
@click.option("-f", "--format", "fmt", type=click.Choice(["table", "json", "jsonl"]), default="table",
              show_default=True, help="Output format.")
@click.option("--add", is_flag=True, help="Add each queried document to the index afterwards.")
@click.option("--text-field", default="text", show_default=True, help="JSON Lines field holding the text.")
@click.option("--id-field", default="id", show_default=True, help="JSON Lines field holding the document id.")
@click.option("--max-bytes", type=click.IntRange(1), default=DEFAULT_MAX_BYTES, show_default=True,
              help="Refuse inputs larger than this many bytes.")
@input_format_option
@_exit_on_broken_pipe
def index_query(db: str, paths: tuple[str, ...], fmt: str, add: bool, text_field: str, id_field: str,
                max_bytes: int, input_format: str) -> None:
    """Which indexed documents each of PATHS near-duplicates, and which of their passages it reuses."""
    _require_index(db, f" (create it with: dedup index add {db} PATHS...)")
    verdicts, failed = [], 0
    with _open_index(db) as idx:
        for item in read_documents(list(paths), max_bytes=max_bytes, text_field=text_field, id_field=id_field,
                                   fmt=input_format):
            if isinstance(item, InputError):
                _error(str(item))
                failed += 1
                continue
            verdict = idx.check(item.id, item.text, add=add, fmt="text")  # the reader already converted it
            if fmt == "jsonl":
                click.echo(json.dumps(verdict_to_dict(verdict), ensure_ascii=False))
            elif fmt == "table":
                click.echo(format_verdict(verdict), nl=False)
            else:
                verdicts.append(verdict_to_dict(verdict))
    if fmt == "json":
        click.echo(json.dumps({"queries": verdicts, "version": __version__}, ensure_ascii=False, indent=2))
    if failed:
        sys.exit(1)


@index.command("check")
@click.argument("db")
def index_check(db: str) -> None:
    """Check the index DB: SQLite's integrity check and dedup's own invariants (exit 1 on a problem)."""
    _require_index(db)
    with _open_index(db) as idx:
        problems = idx.verify()
        count = len(idx)
    for problem in problems:
        _error(f"{db}: {problem}")
    if problems:
        sys.exit(1)
    click.echo(f"{db}: ok, {count} documents")


@index.command("stats")
@click.argument("db")
def index_stats(db: str) -> None:
    """Documents, paragraphs, parameters and size of the index DB, as JSON."""
    _require_index(db)
    with _open_index(db) as idx:
        click.echo(json.dumps(idx.stats(), indent=2))
