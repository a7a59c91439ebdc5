"""The ``dedup`` command line: a thin face over ``Detector`` and the writers."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

import click

if TYPE_CHECKING:
    from dedup.corpus.scanner import CorpusScanner

from dedup import __version__
from dedup.cli.align_command import align
from dedup.cli.clean_command import clean
from dedup.cli.index_commands import index
from dedup.cli.notes import note_capped, note_failed, note_skipped
from dedup.cli.options import (
    FiniteRange,
    error,
    exit_on_broken_pipe,
    input_format_option,
    output_errors,
    stdin_once,
)
from dedup.cli.scan_setup import corpus_options, detector_options, make_scanner, run_scan, scan_checkpoint
from dedup.cli.spark_command import refuse_local_only, scan_on_spark
from dedup.io.input_spool import InputSpool
from dedup.io.outputs import (
    check_file_output,
    refuse_output_in_checkpoint,
    refuse_output_in_input_folder,
    refuse_overwriting_inputs,
)
from dedup.io.readers import Document, read_documents
from dedup.io.skips import SkipLog
from dedup.io.writers import atomic_output
from dedup.records import CorpusReport, Report
from dedup.report.formats import (
    FORMATS,
    counted,
    format_corpus,
    write_csv,
    write_json,
    write_jsonl,
    write_table,
)
from dedup.report.html_report import MAX_CLUSTERS, MAX_REUSE, write_html


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="dedup")
def main() -> None:
    """Find near-duplicate and restated paragraphs."""


@main.command()
@click.argument("paths", nargs=-1, required=True)
@click.option("-f", "--format", "fmt", type=click.Choice(FORMATS), default="table", show_default=True,
              help="Output format: a table for people, json / jsonl / csv for tools, or html: one self-contained "
                   "page (use -o report.html).")
@click.option("-o", "--output", type=click.Path(allow_dash=True), default="-",
              help="Write the report here instead of standard output (replaced only once it is complete).")
@click.option("--text-field", default="text", show_default=True, help="JSON Lines field holding the text.")
@click.option("--id-field", default="id", show_default=True,
              help="JSON Lines field holding the document id; a record without one is named path:line.")
@click.option("--checkpoint", metavar="DIR", help="Save the scan's progress in DIR as it goes; after a crash or "
              "Ctrl-C, the same command resumes where it stopped.")
@click.option("--checkpoint-every", type=FiniteRange(0, min_open=True), default=30.0, show_default=True,
              metavar="SECONDS", help="Seconds between checkpoints.")
@click.option("--engine", type=click.Choice(["local", "spark"]), default="local", show_default=True,
              help="local: this machine. spark: near-duplicate clusters, reuse and restatements on Apache Spark "
                   "(needs dedup[spark]; paragraph passages stay local); "
                   "PATHS are JSON Lines or Parquet, results go to --spark-output as Parquet.")
@click.option("--spark-output", metavar="DIR",
              help="With --engine spark: where assignments/, matches/, reuse/ and restatements/ go.")
@click.option("--spark-master", metavar="URL", help="With --engine spark: the master (default: spark-submit's, "
              "else local[*]).")
@click.option("--reuse/--no-reuse", default=True, show_default=True,
              help="Also find passages reused (copied, edited or restated) between documents that are not "
                   "near-duplicates, with character spans into each (the JSON's reuse array).")
@click.option("--reuse-keys", type=click.Choice(["pairs", "uncommon", "all"]), default="pairs", show_default=True,
              help="How the reuse search keys a sentence. pairs: by each pair of its first three words in hash "
                   "order (a bottom-k MinHash sketch); words of more than 5% of the documents never key. uncommon, "
                   "all: by MinHash bands over its words in at most 0.5% of the documents, or over all of them "
                   "(the keys before pairs: fewer edited copies found, or a few more at several times the time).")
@detector_options
@corpus_options
@input_format_option
@exit_on_broken_pipe
@output_errors
def scan(paths: tuple[str, ...], fmt: str, output: str, max_bytes: int, text_field: str, id_field: str,
         quiet: bool, input_format: str, engine: str, spark_output: str | None, spark_master: str | None,
         checkpoint: str | None, checkpoint_every: float, **params) -> None:
    """Report near-duplicate documents, reused passages and restated paragraphs in PATHS.

    PATHS are text or HTML files, folders (walked for .txt/.md/.html/.htm),
    JSON Lines files (.jsonl, .ndjson, optionally gzipped: one document per
    line), or - for stdin (JSON Lines when its first line is a JSON object,
    plain or gzipped, as for a pipe). HTML is read as the page's main text.
    Inputs or records that cannot be read are named on stderr and skipped;
    the others are still reported, and the exit status is 1.
    """
    stdin_once(paths)
    check_file_output(output)  # before the scan: a missing folder is said now, not after an hour's work
    refuse_overwriting_inputs(output, paths)
    refuse_output_in_input_folder(output, paths)
    given = [name for name, value in (("--spark-output", spark_output), ("--spark-master", spark_master)) if value]
    if engine != "spark" and given:  # taken silently, the Parquet results the user expects would never appear
        raise click.UsageError(f"{' and '.join(given)} only with --engine spark")
    if checkpoint is not None:
        if not checkpoint:
            raise click.UsageError("--checkpoint '': an empty path; give a folder")
        refuse_output_in_checkpoint(output, checkpoint)
    if engine == "spark":
        refuse_local_only(checkpoint, fmt, spark_master, input_format)
        with atomic_output(output) as out:
            summary = scan_on_spark(paths, make_scanner(params), text_field, id_field, spark_output,
                                    spark_master, out, max_bytes, progress=not quiet and sys.stderr.isatty())
        skipped = note_skipped(summary)  # as the local scan: the bad records named, the others scanned
        if note_failed(summary) or skipped:  # the rest is written, the faults named, the exit status 1
            sys.exit(1)
        return
    saved = scan_checkpoint(checkpoint, checkpoint_every, paths, dict(params), text_field=text_field,
                        id_field=id_field, input_format=input_format, max_bytes=max_bytes)
    try:
        with InputSpool(max_bytes) as spool:
            read = spool.paths(list(paths))
            scanner, report, skipped = run_scan(read, params, text_field, id_field, max_bytes, quiet, input_format,
                                                 saved, spool.names)
            with atomic_output(output) as out:
                _write_report(report, fmt, out, scanner, skipped, read, spool.names, max_bytes, text_field,
                              id_field, input_format)
    except KeyboardInterrupt:  # outside pass one's own handling: before it starts, or while the report is written
        if saved is None:
            raise
        if not saved.has_progress:
            saved.remove()  # nothing saved: no folder left behind to resume from
        error(f"interrupted; checkpoint saved in {saved.folder}: run the same command to resume" if saved.has_progress
              else "interrupted before the checkpoint saved anything; nothing to resume")
        sys.exit(130)
    finally:  # held through the report, let go however the command ends (an in-process caller may run it again)
        if saved is not None:
            saved.release()
    if saved is not None:
        if saved.failure is not None:  # the report is whole; only the way to resume it was lost
            error(f"note: the checkpoint could not be saved in {saved.folder} ({saved.failure}); the scan went on "
                  "without it")
        saved.remove()  # the report is out: a new run starts afresh
    note_capped(report)
    failed = note_failed(report.stats)
    if skipped:
        click.echo(f"dedup: skipped {len(skipped)} of {counted(len(skipped) + len(report.documents), 'input')}",
                   err=True)
    if skipped or failed:
        sys.exit(1)


def _write_report(report: CorpusReport, fmt: str, out, scanner: "CorpusScanner", skipped: SkipLog, paths: list[str],
                  names: dict[str, str], max_bytes: int, text_field: str, id_field: str, input_format: str) -> None:
    if fmt == "json":
        write_json(report, out, scanner.params(), skipped.listed)
    elif fmt == "jsonl":
        write_jsonl(report, out)
    elif fmt == "csv":
        write_csv((r.report for r in report.documents.with_reports()), out, reuse=report.reuse)
    elif fmt == "html":
        shown = {d for c in report.clusters[:MAX_CLUSTERS] for d in c.members}
        shown |= {d for r in report.reuse[:MAX_REUSE] for d in (r.a, r.b)}
        # The first of a repeated id, the text the scan read (a later one, which it skipped, took its place).
        texts = dict(reversed([(d.id, d.text) for d in read_documents(
            paths, max_bytes=max_bytes, text_field=text_field, id_field=id_field, fmt=input_format, names=names)
            if isinstance(d, Document) and d.id in shown]))
        write_html(report, out, scanner.params(), texts, skipped.listed)
    else:
        _write_tables(report, out, searched=scanner.detector is not None)


def _write_tables(report: CorpusReport, output, searched: bool) -> None:
    if len(report.documents) > 1:
        output.write(format_corpus(report))
    shown = [r.report for r in report.documents.with_reports()]
    if len(report.documents) == 1 and not shown:
        shown = [Report(id=report.documents[0].id, paragraphs=[None] * report.documents[0].paragraphs)]
    write_table(shown, output, first=len(report.documents) == 1, searched=searched)


main.add_command(clean)
main.add_command(index)
main.add_command(align)
