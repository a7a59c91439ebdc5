"""What ``dedup scan`` says on stderr beside its report, about documents whose restatement search is not whole."""

from __future__ import annotations

import click

from dedup.records import CorpusReport
from dedup.report.formats import counted, printable


def note_capped(report: CorpusReport) -> None:
    """Say which documents' restatement search ``--max-candidates`` cut short."""
    capped = report.stats.get("capped_documents", [])
    if capped:
        named = ", ".join(map(printable, capped[:3])) + (f" and {len(capped) - 3} more" if len(capped) > 3 else "")
        click.echo(f"dedup: note: restatement search partial in {counted(len(capped), 'document')} with more candidate "
                   f"pairs than --max-candidates: {named} (candidates_dropped in the JSON)", err=True)


def note_failed(report: CorpusReport) -> bool:
    """Say which documents the restatement search failed on (a fault of dedup's, kept from ending the scan)."""
    failed = report.stats.get("restatement_search_failed", [])
    for entry in failed[:3]:
        named, error = printable(entry["id"]), printable(entry["error"])
        click.echo(f"dedup: error: {named}: restatement search failed ({error}); its other results are kept", err=True)
    if len(failed) > 3:
        click.echo(f"dedup: error: and {len(failed) - 3} more documents (restatement_search_failed in the JSON)",
                   err=True)
    return bool(failed)
