"""``dedup index ...``: the persistent index from the command line (a face over ``dedup.Index``).

Every failure of the index (a malformed location, a file that is not an index, Redis stopped, a full disk,
a read-only file) ends the command with one line, ``dedup: error: <what happened>``, and exit status 1;
no location is ever printed with its password.
"""

from __future__ import annotations

import functools
import json
import sys

import click

from . import __version__
from .cli import _error, _exit_on_broken_pipe, _input_bytes, input_format_option, max_bytes_option
from .index import Index, IndexStoreError
from .progress import Progress
from .readers import InputError, read_documents
from .report import counted, format_verdict, verdict_to_dict
from .storage import mask_location, store_exists


@click.group()
def index() -> None:
    """A persistent near-duplicate index (a SQLite file, or redis://host:port/db?prefix=name) for incremental
    checks. A Redis password may be given in DEDUP_REDIS_PASSWORD instead of the URL."""


def _one_line_failures(command):
    """End the command with one line when the index fails midway (the opening is handled by ``_open_index``)."""
    @functools.wraps(command)
    def wrapper(*args, **kwargs):
        try:
            return command(*args, **kwargs)
        except IndexStoreError as err:
            _error(str(err))
            sys.exit(1)
    return wrapper


def _open_index(db: str, **kwargs) -> Index:
    try:
        return Index(db, **kwargs)
    except (IndexStoreError, ValueError, TypeError, OSError, ImportError) as err:
        _error(str(err))
        sys.exit(1)


def _require_index(db: str, hint: str = "") -> None:
    try:
        found = store_exists(db)
    except (IndexStoreError, ValueError, ImportError) as err:
        _error(str(err))
        sys.exit(1)
    if not found:
        _error(f"{mask_location(db)}: no such index{hint}")
        sys.exit(1)


@index.command("add")
@click.argument("db")
@click.argument("paths", nargs=-1, required=True)
@click.option("--text-field", default="text", show_default=True, help="JSON Lines field holding the text.")
@click.option("--id-field", default="id", show_default=True,
              help="JSON Lines field holding the document id; a record without one is named path:line.")
@max_bytes_option()
@click.option("-q", "--quiet", is_flag=True, help="No progress bar or summary on stderr.")
@input_format_option
@_one_line_failures
def index_add(db: str, paths: tuple[str, ...], text_field: str, id_field: str, max_bytes: int, quiet: bool,
              input_format: str) -> None:
    """Add the documents in PATHS to the index DB (created if missing); ids already there are skipped."""
    skipped, refused_ids = [], []
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

    def refused(doc_id: str, reason: str) -> None:  # a record the index cannot hold: skipped, like a bad input
        _error(f"{doc_id}: {reason}")
        refused_ids.append(doc_id)

    with _open_index(db, read_only=False) as idx:
        try:
            added = idx.add_many(good(), on_skip=refused)
        finally:
            progress.close()
        if not quiet:
            click.echo(f"dedup: added {added} of {counted(progress.docs, 'document')} "
                       f"({progress.docs - added - len(refused_ids)} "
                       f"already indexed, {len(skipped) + len(refused_ids)} skipped); {mask_location(db)} holds "
                       f"{len(idx)}", err=True)
    if skipped or refused_ids:
        sys.exit(1)


@index.command("query")
@click.argument("db")
@click.argument("paths", nargs=-1, required=True)
@click.option("-f", "--format", "fmt", type=click.Choice(["table", "json", "jsonl"]), default="table",
              show_default=True, help="Output format.")
@click.option("--add", is_flag=True, help="Add each queried document to the index afterwards.")
@click.option("--text-field", default="text", show_default=True, help="JSON Lines field holding the text.")
@click.option("--id-field", default="id", show_default=True,
              help="JSON Lines field holding the document id; a record without one is named path:line.")
@max_bytes_option()
@input_format_option
@_exit_on_broken_pipe
@_one_line_failures
def index_query(db: str, paths: tuple[str, ...], fmt: str, add: bool, text_field: str, id_field: str,
                max_bytes: int, input_format: str) -> None:
    """Which indexed documents each of PATHS near-duplicates, and which of their passages it reuses."""
    _require_index(db, f" (create it with: dedup index add {mask_location(db)} PATHS...)")
    verdicts, failed = [], 0
    # Without --add nothing is written: a read-only file or folder is opened read-only (SQLite mode=ro).
    with _open_index(db, read_only=False if add else None) as idx:
        for item in read_documents(list(paths), max_bytes=max_bytes, text_field=text_field, id_field=id_field,
                                   fmt=input_format):
            if isinstance(item, InputError):
                _error(str(item))
                failed += 1
                continue
            try:
                verdict = idx.check(item.id, item.text, add=add, fmt="text")  # the reader already converted it
            except (TypeError, ValueError) as err:  # a record the index cannot take (IndexStoreError is neither)
                _error(f"{item.id}: {err}")
                failed += 1
                continue
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
@_one_line_failures
def index_check(db: str) -> None:
    """Check the index DB: SQLite's integrity check and dedup's own invariants (exit 1 on a problem)."""
    _require_index(db)
    shown = mask_location(db)
    with _open_index(db) as idx:  # read-only where the file or folder is (nothing is written either way)
        problems = idx.verify()
        count = len(idx)
    for problem in problems:
        _error(f"{shown}: {problem}")
    if problems:
        sys.exit(1)
    click.echo(f"{shown}: ok, {counted(count, 'document')}")


@index.command("stats")
@click.argument("db")
@_one_line_failures
def index_stats(db: str) -> None:
    """Documents, paragraphs, parameters and size of the index DB, as JSON."""
    _require_index(db)
    with _open_index(db) as idx:
        click.echo(json.dumps(idx.stats(), indent=2))
