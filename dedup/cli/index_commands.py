"""``dedup index ...``: the persistent index from the command line (a face over ``dedup.Index``).

Every failure of the index (a malformed location, a file that is not an index, Redis stopped, a full disk,
a read-only file) ends the command with one line, ``dedup: error: <what happened>``, and exit status 1;
no location is ever printed with its password.
"""

from __future__ import annotations

import json
import re
import sys
from dataclasses import replace
from typing import TYPE_CHECKING

import click

if TYPE_CHECKING:
    from dedup.index.core import Index

from dedup import __version__
from dedup.cli.notes import IdFieldSeen, StdinIds, batch_lines
from dedup.cli.options import (
    UNIT,
    FiniteRange,
    error,
    exit_on_broken_pipe,
    field_name,
    input_bytes,
    input_format_option,
    max_bytes_option,
    one_line_errors,
    output_errors,
    renamed_option,
    stdin_once,
    with_renamed,
)
from dedup.cluster.keep import document_date, timestamp
from dedup.index.store import IndexStoreError, is_redis, mask_location, sqlite_path
from dedup.index.stores import is_empty_file, store_exists
from dedup.io.outputs import check_file_output, refuse_overwriting_index, refuse_overwriting_inputs
from dedup.io.readers import InputError, read_documents, shown_path
from dedup.io.writers import atomic_output
from dedup.report.formats import counted, format_verdict, printable, verdict_to_dict
from dedup.util.faults import one_line
from dedup.util.progress import Progress

MAX_BATCH = 1_000_000  # documents per transaction: past any useful size, and inside SQLite's 64-bit integers


@click.group()
def index() -> None:
    """A persistent near-duplicate index (a SQLite file, or redis://host:port/db?prefix=name) for incremental
    checks. A Redis password may be given in DEDUP_REDIS_PASSWORD instead of the URL."""


# The index failing midway ends the command with one line (the opening is handled by ``_open_index``).
_one_line_failures = one_line_errors({IndexStoreError: 1})


_LOCK_TIMEOUT = "dedup.index.lock_timeout"  # where ``_lock_timeout_option`` leaves its value (click's ctx.meta)


def _lock_timeout_option(command):
    """``--lock-timeout``, read by ``_open_index`` from the command's context: every subcommand opens one index."""
    def remember(ctx: click.Context, _param, value: float) -> float:
        ctx.meta[_LOCK_TIMEOUT] = value
        return value

    return click.option("--lock-timeout", type=FiniteRange(0, 86_400), default=60.0, show_default=True,
                        expose_value=False, callback=remember, metavar="SECONDS",
                        help="How long to wait for another process's lock on a SQLite index before giving up "
                             "with 'locked by another process' (Redis ignores it).")(command)


def _open_index(db: str, **kwargs) -> "Index":
    try:
        from dedup.index.core import Index  # imported when a command runs: `dedup --help` stays fast

        context = click.get_current_context(silent=True)
        timeout = context.meta.get(_LOCK_TIMEOUT, 60.0) if context else 60.0
        return Index(db, lock_timeout=timeout, **kwargs)
    except (IndexStoreError, ValueError, TypeError, OSError, ImportError) as err:
        error(str(err))
        sys.exit(1)


def _require_index(db: str, hint: str = "") -> None:
    """Stop the command in one line unless an index lives at ``db``: every command but ``add`` needs one."""
    try:
        found = store_exists(db)
    except (IndexStoreError, ValueError, ImportError) as err:
        error(str(err))
        sys.exit(1)
    if not found:
        error(f"{mask_location(db)}: no such index{hint}")
        sys.exit(1)
    if is_empty_file(db):  # SQLite would take it for a new database and write an empty index into it
        error(f"{mask_location(db)}: an empty file, not a dedup index; the file was left unchanged{hint}")
        sys.exit(1)


# One date rule for every command that adds (``keep.document_date``, as a scan dates): ``add`` and ``query --add``.
_date_field_option = click.option(
    "--date-field", default="date", show_default=True, callback=field_name,
    help="JSON Lines field holding a record's date (ISO 8601 or epoch seconds), kept for index expire and "
         "keep=earliest; a file's date is its modification time; a record without one is dated when added.")


def _dated(item, date_field: str) -> tuple[float | None, bool]:
    """A document's date by the scan's rule (``keep.document_date``: the record's field, else the file's time), and
    whether its record holds a date that cannot be read (it is then dated when added, as a scan leaves it undated;
    said once, ``_note_unreadable_dates``)."""
    date = document_date(item, date_field)
    return date, date is None and item.record is not None and item.record.get(date_field) is not None


def _note_unreadable_dates(count: int, records: int, date_field: str) -> None:
    """An expiry would go by the time added: said once, as a scan says it."""
    if count:
        click.echo(f"dedup: note: {count:,} of {counted(records, 'record')} hold a {date_field!r} that is no ISO "
                   "8601 date or epoch seconds: dated when added", err=True)


@index.command("add")
@_lock_timeout_option
@click.argument("db")
@click.argument("paths", nargs=-1, required=True)
@click.option("--text-field", default="text", show_default=True, help="JSON Lines field holding the text.")
@click.option("--id-field", default="id", show_default=True,
              help="JSON Lines field holding the document id; a record without one is named path:line.")
@_date_field_option
@max_bytes_option()
@click.option("-q", "--quiet", is_flag=True, help="No progress bar or summary on stderr.")
@input_format_option
@_one_line_failures
def index_add(db: str, paths: tuple[str, ...], text_field: str, id_field: str, date_field: str, max_bytes: int,
              quiet: bool, input_format: str) -> None:
    """Add the documents in PATHS to the index DB (created if missing); ids already there are skipped."""
    stdin_once(paths)
    skipped, refused_ids, ids, stdin_ids, unreadable = [], [], IdFieldSeen(), StdinIds(), [0]
    first_at: dict[str, str] = {}  # id -> where this run read it first
    progress = Progress("indexing", input_bytes(paths), enabled=not quiet)

    def good():
        for item in stdin_ids.rename(ids.watch(read_documents(list(paths), max_bytes=max_bytes, text_field=text_field,
                                                              id_field=id_field, fmt=input_format))):
            if not isinstance(item, InputError) and item.id in first_at:
                # The readers catch a repeated id inside one file; across two inputs of one run the second was
                # counted "already indexed" and silently never added (a record could take another file's path:line).
                item = InputError(item.where or item.id, f"duplicate id {item.id!r} (first at {first_at[item.id]})",
                                  path=item.path)
            if isinstance(item, InputError):
                error(str(item))
                skipped.append(item)
                continue
            first_at[item.id] = shown_path(item.where or item.id)
            progress.update(1, len(item.text))
            date, unread = _dated(item, date_field)
            unreadable[0] += unread
            yield replace(item, date=date)

    def refused(doc_id: str, reason: str) -> None:  # a record the index cannot hold: skipped, like a bad input
        error(f"{doc_id}: {reason}")
        refused_ids.append(doc_id)

    with _open_index(db, read_only=False) as idx:
        try:
            added = idx.add_many(good(), on_skip=refused)
        finally:
            progress.close()
        ids.note(id_field, quiet)
        stdin_ids.note(quiet)
        if not quiet:
            _note_unreadable_dates(unreadable[0], progress.docs, date_field)
            click.echo(f"dedup: added {added} of {counted(progress.docs, 'document')} "
                       f"({progress.docs - added - len(refused_ids)} "
                       f"already indexed, {len(skipped) + len(refused_ids)} skipped); {_named(db)} holds "
                       f"{len(idx)}", err=True)
    if skipped or refused_ids:
        sys.exit(1)


@index.command("query")
@_lock_timeout_option
@click.argument("db")
@click.argument("paths", nargs=-1, required=True)
@click.option("-f", "--format", "fmt", type=click.Choice(["table", "json", "jsonl"]), default="table",
              show_default=True, help="Output format.")
@click.option("--add", is_flag=True, help="Add each queried document to the index afterwards.")
@click.option("--top", type=click.IntRange(1), default=None,
              help="Also list the K most similar indexed documents with their scores, duplicates or not.")
# The duplicate rule only sorts scored candidates, so each query may set its own; what built the stored
# signatures (--num-perm, k, seed, bands) needs a rebuild and is not offered here.
@click.option("--jaccard-threshold", type=UNIT, default=None,
              help="Jaccard or containment that makes a near-duplicate, for this query  [default: 0.8]")
@renamed_option("--duplicate-threshold", "--jaccard-threshold", "jaccard_threshold")
@click.option("--cosine-threshold", type=UNIT, default=None,
              help="TF-IDF cosine a near-duplicate must also reach, for this query  [default: 0.5]")
@renamed_option("--duplicate-cosine", "--cosine-threshold", "cosine_threshold")
@click.option("--passage-cosine-threshold", type=UNIT, default=None,
              help="TF-IDF cosine that makes a reused passage, for this query  [default: 0.7]")
@renamed_option("--passage-threshold", "--passage-cosine-threshold", "passage_cosine_threshold")
@click.option("--reuse/--no-reuse", default=True, show_default=True,
              help="Also find the passages each input shares with indexed documents it does not near-duplicate, "
                   "with character spans into both (the JSON's reuse array).")
@click.option("--within/--no-within", default=True, show_default=True,
              help="Also find each input's own restated paragraphs (the slowest step of a query).")
@click.option("--text-field", default="text", show_default=True, help="JSON Lines field holding the text.")
@click.option("--id-field", default="id", show_default=True,
              help="JSON Lines field holding the document id; a record without one is named path:line.")
@_date_field_option
@max_bytes_option()
@input_format_option
@click.option("-o", "--output", default="-", show_default=True,
              help="Write the verdicts here (- for stdout); a file is replaced only once every input is answered.")
@exit_on_broken_pipe
@_one_line_failures
@output_errors
def index_query(db: str, paths: tuple[str, ...], fmt: str, add: bool, top: int | None,
                jaccard_threshold: float | None, cosine_threshold: float | None,
                passage_cosine_threshold: float | None, reuse: bool, within: bool,
                text_field: str, id_field: str, date_field: str, max_bytes: int, input_format: str,
                output: str) -> None:
    """Which indexed documents each of PATHS near-duplicates, which of their passages it reuses (whole
    paragraphs, and passages aligned to the character), and which of its own paragraphs restate each other
    (with --top K, also the K most similar documents and their scores)."""
    stdin_once(paths)
    check_file_output(output)  # as scan: refused in one line before anything is read
    refuse_overwriting_inputs(output, paths)
    if not is_redis(db):
        refuse_overwriting_index(output, sqlite_path(db))
    rule = with_renamed(dict(top=top, jaccard_threshold=jaccard_threshold, cosine_threshold=cosine_threshold,
                             passage_cosine_threshold=passage_cosine_threshold))
    _require_index(db, f" (create it with: dedup index add {mask_location(db)} PATHS...)")
    verdicts, failed, stdin_ids, read, unreadable = [], 0, StdinIds(), 0, 0
    # Without --add nothing is written: a read-only file or folder is opened read-only (SQLite mode=ro).
    with _open_index(db, read_only=False if add else None, reuse=reuse, within=within) as idx, \
            atomic_output(output) as out:
        for item in stdin_ids.rename(read_documents(list(paths), max_bytes=max_bytes, text_field=text_field,
                                                    id_field=id_field, fmt=input_format)):
            if isinstance(item, InputError):
                error(str(item))
                failed += 1
                continue
            # Dated as ``index add`` dates: kept when added, and read by keep="earliest" (an added page was undated,
            # so expire went by the time it was added).
            date, unread = _dated(item, date_field)
            read, unreadable = read + 1, unreadable + unread
            try:
                # fmt="text": the reader already converted it
                verdict = idx.check(item.id, item.text, add=add, fmt="text", date=date, **rule)
            except (IndexStoreError, MemoryError):  # the index itself failed: every later record would meet it
                raise
            except (TypeError, ValueError) as err:  # a record the index cannot take
                error(f"{item.id}: {err}")
                failed += 1
                continue
            except Exception as err:  # a fault of dedup's on this record: the others are still answered
                error(f"{item.id}: check failed ({one_line(err)}){'; not added' if add else ''}; the other inputs "
                      "are answered")
                failed += 1
                continue
            for step, problem in verdict.failed.items():  # a search that raised: the verdict's other results stand
                error(f"{item.id}: {step.replace('_', ' ')} failed ({problem}); its other results are kept")
            failed += bool(verdict.failed)
            if fmt == "jsonl":
                click.echo(json.dumps(verdict_to_dict(verdict), ensure_ascii=False), file=out)
            elif fmt == "table":
                click.echo(format_verdict(verdict), nl=False, file=out)
            else:
                verdicts.append(verdict_to_dict(verdict))
        if fmt == "json":
            click.echo(json.dumps({"queries": verdicts, "version": __version__}, ensure_ascii=False, indent=2),
                       file=out)
    stdin_ids.note(quiet=False)
    if add:
        _note_unreadable_dates(unreadable, read, date_field)
    if failed:
        sys.exit(1)


def _named(db: str) -> str:
    """The index as a line that says it names it: masked password, undecodable bytes as ``\\xff``, control
    characters escaped (a name holding a line feed printed a second, made-up "ok" line)."""
    return printable(shown_path(mask_location(db)))


@index.command("check")
@_lock_timeout_option
@click.argument("db")
@_one_line_failures
def index_check(db: str) -> None:
    """Check the index DB: SQLite's integrity check and dedup's own invariants (exit 1 on a problem)."""
    _require_index(db)
    shown = _named(db)
    with _open_index(db) as idx:  # read-only where the file or folder is (nothing is written either way)
        problems = idx.verify()
        count = len(idx)
    for problem in problems:
        error(f"{shown}: {problem}")
    if problems:
        sys.exit(1)
    click.echo(f"{shown}: ok, {counted(count, 'document')}")


@index.command("stats")
@_lock_timeout_option
@click.argument("db")
@_one_line_failures
def index_stats(db: str) -> None:
    """Documents, paragraphs, parameters and size of the index DB, as JSON."""
    _require_index(db)
    with _open_index(db) as idx:
        click.echo(json.dumps(idx.stats(), indent=2))


class _IdsFile(click.File):
    """``--from``'s file; ``-`` with standard input closed (``<&-``) is said in one line (click raised a
    RuntimeError from its parsing, a traceback), as the commands reading documents say it."""

    def convert(self, value, param, ctx):
        if value == "-" and sys.stdin is None:
            error("<stdin>: standard input is closed")
            sys.exit(1)
        return super().convert(value, param, ctx)


@index.command("remove")
@_lock_timeout_option
@click.argument("db")
@click.argument("ids", nargs=-1)
@click.option("--from", "from_file", type=_IdsFile("rb"),
              help="A file of ids to remove, one a line, in UTF-8 ('-': stdin); blank lines are ignored.")
@click.option("--batch-size", type=click.IntRange(1, MAX_BATCH), default=512, show_default=True,
              help="Documents removed per transaction.")
@click.option("-q", "--quiet", is_flag=True, help="No line per batch on stdout and no summary on stderr.")
@_one_line_failures
def index_remove(db: str, ids: tuple[str, ...], from_file, batch_size: int, quiet: bool) -> None:
    """Remove the documents IDS (and those listed in --from FILE) from the index DB, with everything they
    contributed. Ids not in the index are named on stderr; the others are removed all the same (exit 0).
    An empty id, or a line of --from that is not UTF-8, is a usage error: nothing is removed."""
    wanted = _wanted_ids(ids, from_file)
    if not wanted:
        raise click.UsageError("give ids to remove, or --from FILE")
    _require_index(db)
    with _open_index(db, read_only=False, batch_size=batch_size, within=False) as idx:
        removal = idx.remove(wanted, on_batch=batch_lines(quiet, "removed"))
        held = len(idx)
    for doc_id in removal.not_indexed:
        click.echo(f"dedup: not indexed: {printable(doc_id)}", err=True)
    if not quiet:
        given = len(removal.removed) + len(removal.not_indexed)
        click.echo(f"dedup: removed {counted(len(removal.removed), 'document')} of {counted(given, 'id')} "
                   f"({len(removal.not_indexed)} not indexed); {_named(db)} holds {held}", err=True)


def _wanted_ids(ids: tuple[str, ...], from_file) -> list[str]:
    """The ids to remove, every one checked before the index is opened: a bad one stops the command with
    nothing removed (removing the rest would leave the user to find out which were not)."""
    wanted = []
    for number, doc_id in enumerate(ids, 1):
        if not doc_id.strip():
            raise click.BadParameter(f"id {number} is empty or only whitespace; nothing was removed",
                                     param_hint="IDS")
        wanted.append(shown_path(doc_id))  # a file name that is not UTF-8 is indexed under this name
    if from_file is None:
        return wanted
    name = "<stdin>" if from_file.name in ("-", "<stdin>") else shown_path(str(from_file.name))
    for lineno, raw in enumerate(from_file, 1):
        try:
            line = raw.decode("utf-8-sig" if lineno == 1 else "utf-8")  # a BOM is no part of the first id
        except UnicodeDecodeError as err:
            raise click.BadParameter(f"{name}:{lineno}: not valid UTF-8 (byte 0x{raw[err.start:err.start + 1].hex()} "
                                     f"at offset {err.start}); nothing was removed", param_hint="--from") from None
        if line.strip():
            wanted.append(line.rstrip("\r\n"))
    return wanted


@index.command("expire")
@_lock_timeout_option
@click.argument("db")
@click.option("--before", help="Remove documents dated before this ISO 8601 date or time (UTC unless it says), "
                               "or epoch seconds.")
@click.option("--older-than", help="Remove documents older than this age: a number and s, m, h, d or w (30d).")
@click.option("--by", type=click.Choice(["dated", "added"]), default="dated", show_default=True,
              help="Which date: dated, the date a document was added with (a page's publication time, say), "
                   "else the time it was added; added, the time it was added, whatever date it was given.")
@click.option("--batch-size", type=click.IntRange(1, MAX_BATCH), default=512, show_default=True,
              help="Documents removed per transaction.")
@click.option("-q", "--quiet", is_flag=True, help="No line per batch on stdout and no summary on stderr.")
@_one_line_failures
def index_expire(db: str, before: str | None, older_than: str | None, by: str, batch_size: int,
                 quiet: bool) -> None:
    """Remove the documents of the index DB dated before --before (or older than --older-than), oldest first,
    a batch per transaction: a killed run leaves whole batches removed, and running it again finishes.
    A document's date (--by dated) is the one it was added with, else when it was added."""
    from dedup.index.maintenance import DATES, cutoff

    if (before is None) == (older_than is None):
        raise click.UsageError("give exactly one of --before and --older-than")
    try:
        seconds = cutoff(before=_number_or(before), older_than=older_than)
    except ValueError as err:
        # "is not None": an empty --before is still the option given (it was named as --older-than).
        raise click.BadParameter(str(err).removeprefix("before: "),  # the option is named by click already
                                 param_hint="--before" if before is not None else "--older-than") from None
    _require_index(db)
    with _open_index(db, read_only=False, batch_size=batch_size, within=False) as idx:
        count = idx.expire(seconds, on_batch=batch_lines(quiet, "expired"), by=by)
        held = len(idx)
    if not quiet:
        click.echo(f"dedup: expired {counted(count, 'document')} by {by} ({DATES[by]}); {_named(db)} "
                   f"holds {held}", err=True)


_EPOCH_SECONDS = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")


def _number_or(text: str | None) -> float | str | None:
    """``--before`` as epoch seconds when it is a plain ASCII number (``1790000000``) that is no ISO 8601 date,
    else the string itself, read as ``Index.expire`` reads it: ``20261101`` is 1 November 2026 there, and
    float() made it a date of 1970 (and read "１２３" and "1_000" as numbers, which the library refuses)."""
    if text is None or timestamp(text) is not None:
        return text
    return float(text) if _EPOCH_SECONDS.fullmatch(text.strip()) else text


@index.command("compact")
@_lock_timeout_option
@click.argument("db")
@_one_line_failures
def index_compact(db: str) -> None:
    """Give the space of removed documents back (SQLite: VACUUM, which rewrites the file and makes writers
    wait meanwhile; Redis frees memory on delete and is only asked to return it to the system)."""
    _require_index(db)
    with _open_index(db, read_only=False, within=False) as idx:
        result = idx.compact()
    click.echo(json.dumps(result, indent=2))
