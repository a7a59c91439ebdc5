"""What ``dedup scan`` says on stderr beside its report, about documents whose restatement search or reuse alignment
is not whole, and what ``dedup clean`` says it did."""

from __future__ import annotations

import contextlib
import hashlib
import os
import sys
from dataclasses import replace

import click

from dedup.io.clean import CleanResult, CorpusCleaner
from dedup.io.readers import UNNAMED, Document, InputError
from dedup.records import CorpusReport
from dedup.report.formats import counted, printable


def note_capped(report: CorpusReport) -> None:
    """Say which documents' restatement search ``--max-candidates`` cut short."""
    capped = report.stats.get("capped_documents", [])
    if capped:
        named = ", ".join(map(printable, capped[:3])) + (f" and {len(capped) - 3} more" if len(capped) > 3 else "")
        click.echo(f"dedup: note: restatement search partial in {counted(len(capped), 'document')} with more candidate "
                   f"pairs than --max-candidates: {named} (candidates_dropped in the JSON)", err=True)


def note_failed(stats: dict, kept: str = "its other results are kept") -> bool:
    """Say which documents the restatement search failed on, and which pairs the reuse alignment failed on (a
    fault of dedup's on one document or pair, kept from ending the scan), from a scan's ``stats`` or a Spark run's
    summary; ``kept`` says what became of such a document; True if there were any."""
    failed = stats.get("restatement_search_failed", [])
    for entry in failed[:3]:
        named, error = printable(entry["id"]), printable(entry["error"])
        click.echo(f"dedup: error: {named}: restatement search failed ({error}); {kept}", err=True)
    if len(failed) > 3:
        click.echo(f"dedup: error: and {len(failed) - 3} more documents (restatement_search_failed in the JSON)",
                   err=True)
    pairs = stats.get("reuse_alignment_failed", [])
    for entry in pairs[:3]:
        named, error = f"{printable(entry['a'])} and {printable(entry['b'])}", printable(entry["error"])
        click.echo(f"dedup: error: {named}: reuse alignment failed ({error}); the scan's other results are kept",
                   err=True)
    if len(pairs) > 3:
        click.echo(f"dedup: error: and {len(pairs) - 3} more document pairs (reuse_alignment_failed in the JSON)",
                   err=True)
    unread = False
    for key, step in (("reread_failed", "near-duplicate confirmation"), ("reuse_reread_failed", "the reuse search"),
                      ("restatement_reread_failed", "the restatement search")):
        if stats.get(key):  # an input changed or removed since pass one read it: its findings are missing
            unread = True
            click.echo(f"dedup: error: {counted(stats[key], 'document')} could not be read again for {step} (an "
                       f"input changed or was removed during the scan); what it would have found is missing ({key} "
                       "in the JSON)", err=True)
    names = stats.get("reread_failed_documents", [])
    if names:  # which: their entries in the report say less than they hold (no restatement groups, say)
        listed = ", ".join(printable(name) for name in names[:3]) + (f" and {len(names) - 3} more" if len(names) > 3
                                                                      else "")
        click.echo(f"dedup: error: not read again: {listed} (reread_failed_documents in the JSON)", err=True)
    return bool(failed or pairs or unread)


def note_skipped(summary: dict) -> bool:
    """Say which inputs a Spark scan skipped (``summary["skipped_inputs"]``, the first ``MAX_LISTED``), as the local
    scan names them; True if there were any."""
    count, listed = summary.get("skipped", 0), summary.get("skipped_inputs", [])
    for item in listed:
        click.echo(f"dedup: error: {printable(item['id'])}: {printable(item['error'])}", err=True)
    if count > len(listed):
        click.echo(f"dedup: error: more than {len(listed):,} inputs skipped: the others are counted, not named",
                   err=True)
    if count:
        total = count + summary.get("documents", 0)
        click.echo(f"dedup: skipped {count} of {counted(total, 'input')}", err=True)
    return bool(count)


def note_cleaned(report: CorpusReport, cleaner: CorpusCleaner, kept: int, skipped: int, sentences: bool) -> None:
    """Say what ``dedup clean`` removed: which paragraphs of one text, or the documents and paragraphs of a corpus;
    and which documents read as HTML it wrote as they came in (their paragraphs are the page's, not the input's)."""
    if cleaner.as_read:
        what = f"{printable(cleaner.as_read[0])}: read as HTML: written as it came in" if len(cleaner.as_read) == 1 \
            else f"{counted(len(cleaner.as_read), 'document')} read as HTML: written as they came in"
        click.echo(f"dedup: {what}, restated paragraphs not removed (clean cuts paragraphs out of text, not out of "
                   "markup; --input-format text cleans text that starts with a tag)", err=True)
    if cleaner.as_json:
        what = f"{printable(cleaner.as_json[0])}: a .json file" if len(cleaner.as_json) == 1 \
            else f"{counted(len(cleaner.as_json), 'document')}: .json files"
        click.echo(f"dedup: {what} read as one text: written as it came in, nothing removed (cutting its lines would "
                   "break its JSON; records to clean go in JSON Lines, .jsonl, one object a line)", err=True)
    if len(report.documents) == 1 and not cleaner.as_read and not cleaner.as_json:
        doc = report.documents[0]
        doc_id, result, count = cleaner.last or (doc.id, CleanResult("", (), ()), doc.paragraphs)
        removed = f"paragraphs {', '.join(map(str, result.removed_paragraphs))}" if result.removed_paragraphs \
            else "no paragraph"
        click.echo(f"dedup: {printable(doc_id)}: removed {removed} ({len(result.removed_paragraphs)} of "
                   f"{count})" + (f", {counted(len(result.removed_sentences), 'sentence')}" if sentences else ""),
                   err=True)
    elif len(report.documents) > 1:
        total, emptied = len(report.documents), len(cleaner.emptied)
        only = f", {emptied} only boilerplate" if emptied else ""
        click.echo(f"dedup: kept {kept} of {counted(total, 'document')} ("
                   f"{counted(total - kept - emptied, 'near-duplicate')} dropped{only}, {skipped} skipped), "
                   f"removed {counted(cleaner.removed_paragraphs, 'paragraph')}", err=True)
    if cleaner.emptied:
        first = printable(cleaner.emptied[0])
        click.echo(f"dedup: {counted(len(cleaner.emptied), 'document')} ({first}"
                   f"{', ...' if len(cleaner.emptied) > 1 else ''}) held nothing but boilerplate: left out of the "
                   "output", err=True)
    if cleaner.unread:
        what = f"{printable(cleaner.unread[0])}: not read" if len(cleaner.unread) == 1 \
            else f"{counted(len(cleaner.unread), 'skipped input')}"
        click.echo(f"dedup: {what}: written as {'it' if len(cleaner.unread) == 1 else 'they'} came in, in "
                   f"{'its' if len(cleaner.unread) == 1 else 'their'} place (nothing known to remove)", err=True)


def note_lost(cleaner: CorpusCleaner) -> bool:
    """Say which inputs the output does not hold at all (a JSON Lines file refused whole, whose records it could not
    write back: they were left out without a word); whether there were any."""
    for source in cleaner.lost:
        click.echo(f"dedup: error: {printable(source)}: not in the output (none of its records could be read; "
                   "clean it on its own once it can be)", err=True)
    for source, after in cleaner.cut:  # its complete lines were cleaned and written: "none" was false of them
        click.echo(f"dedup: error: {printable(source)}: cut off after line {after:,}: the records before the cut "
                   "are in the output, what followed it is not", err=True)
    if cleaner.unscanned:
        first = printable(cleaner.unscanned[0])
        click.echo(f"dedup: error: {counted(len(cleaner.unscanned), 'record')} not in the scan ({first}"
                   f"{', ...' if len(cleaner.unscanned) > 1 else ''}: added to an input after the scan read it?): "
                   "written as they came in, not deduplicated; clean again once the input is whole", err=True)
    return bool(cleaner.lost or cleaner.cut or cleaner.unscanned)


class IdFieldSeen:
    """Whether the JSON Lines records read held the ``--id-field`` (``watch`` the items as they go to a scan or
    an index): a record without it is named where it was read (``Document.where``), and a misspelt field name
    leaves every one so as silently as a corpus without ids; ``note`` says it once, as a misspelt
    ``--text-field`` is said."""

    def __init__(self) -> None:
        self.records = self.named = False

    def watch(self, items):
        for item in items:
            if isinstance(item, Document) and item.where is not None:
                self.records = True
                self.named = self.named or item.id != item.where
            elif isinstance(item, InputError) and UNNAMED in item.reason:  # its id repeats a record's path:line
                self.named = True
            yield item

    def note(self, id_field: str, quiet: bool) -> None:
        if self.records and not self.named and not quiet:
            click.echo(f"dedup: note: no record has an {id_field!r} field: each is named path:line (--id-field "
                       "names the field that holds the id)", err=True)


class StdinIds:
    """Ids that last for documents an index takes from standard input without one (``rename`` the items on their
    way to the index): a record named by its line (``<stdin>:3``) or a text named ``-`` is named by its text
    instead, ``<stdin>:`` and the first 16 hex digits of its SHA-256. A stream's line numbers start again at 1 on
    every run: the second run's new pages took the first run's ids, were "already indexed" and never added, and a
    copy of a page indexed under that id later was compared only with the pages before it."""

    def __init__(self) -> None:
        self.renamed = False

    def rename(self, items):
        for item in items:
            if isinstance(item, Document) and item.path is None and item.id in (item.where, "-"):
                digest = hashlib.sha256(item.text.encode("utf-8", "surrogatepass")).hexdigest()[:16]
                item, self.renamed = replace(item, id=f"<stdin>:{digest}"), True
            yield item

    def note(self, quiet: bool) -> None:
        if self.renamed and not quiet:
            click.echo("dedup: note: documents from standard input without an id are named by their text "
                       "(<stdin>:SHA-256 prefix), so that a page added in an earlier run is known again", err=True)


def batch_lines(quiet: bool, what: str):
    """One stdout line per committed batch: a caller (or a test) may stop the command between batches. Standard
    output closed or full (``| head -1``, ``> /dev/full``) stops the lines, not the removal: it stopped after the
    first batch, with exit status 1 and no word (found by trying it, eighteenth round); the summary on stderr says
    what was removed."""
    lost = []

    def report(count: int, total: int) -> None:
        if quiet or lost:
            return
        try:
            click.echo(f"{what} {count} (total {total})")
            sys.stdout.flush()
        except OSError:
            lost.append(True)
            with contextlib.suppress(OSError, ValueError, AttributeError):  # its buffer let go (``>&-``: none)
                os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    return report
