"""The ``dedup`` command line: a thin face over ``Detector`` and the writers."""

from __future__ import annotations

import os
import sys
from typing import TYPE_CHECKING

import click

if TYPE_CHECKING:
    from dedup.article.detector import Detector
    from dedup.corpus.scanner import CorpusScanner

from dedup import __version__
from dedup.cli.align_command import align
from dedup.cli.index_commands import index
from dedup.cli.notes import IdFieldSeen, note_capped, note_cleaned, note_failed, note_lost, note_skipped
from dedup.cli.options import (
    UNIT,
    FiniteRange,
    error,
    exit_on_broken_pipe,
    input_bytes,
    input_format_option,
    max_bytes_option,
    output_errors,
    renamed_option,
    restated_searched,
    stdin_once,
    with_renamed,
)
from dedup.cli.spark_command import refuse_local_only, scan_on_spark
from dedup.cluster.keep import DEFAULT as DEFAULT_KEEP
from dedup.cluster.keep import HELP as KEEP_HELP
from dedup.cluster.keep import RULES as KEEP_RULES
from dedup.cluster.keep import undated_note
from dedup.confirm.modes import CONFIRM_MODES
from dedup.corpus.checkpoint import Checkpoint, CheckpointError
from dedup.io.clean import REMOVAL_PROBABILITY, CorpusCleaner
from dedup.io.input_spool import InputSpool, rereadable
from dedup.io.outputs import check_file_output, plan_clean, refuse_output_in_checkpoint, refuse_overwriting_inputs
from dedup.io.readers import Document, InputError, read_documents
from dedup.io.skips import SkipLog
from dedup.io.writers import atomic_output, write_cleaned
from dedup.records import CorpusReport, Report
from dedup.report.formats import (
    FORMATS,
    counted,
    format_corpus,
    printable,
    write_csv,
    write_json,
    write_jsonl,
    write_table,
)
from dedup.report.html_report import MAX_CLUSTERS, MAX_REUSE, write_html
from dedup.util.allocator import reuse_freed_memory
from dedup.util.progress import Progress
from dedup.util.workers import usable_cores


def detector_options(command):
    """Options that configure the Detector, shared by every command that detects."""
    options = [
        click.option("--paragraph-cosine-threshold", type=UNIT, default=None,
                     help="Restatements inside a document: the TF-IDF cosine of two of its paragraphs. With "
                          "--confirm tfidf it confirms a match on its own; with --confirm learned the reranker "
                          "decides, and a match this close lists its best sentence pair as evidence (which changes "
                          "the groups, not the matches). [default: 0.45 with --confirm learned and with tfidf]"),
        renamed_option("--threshold", "--paragraph-cosine-threshold", "paragraph_cosine_threshold"),
        click.option("--sentence-cosine-threshold", type=UNIT, default=None,
                     help="Restatements inside a document: the TF-IDF cosine of two of its sentences. With "
                          "--confirm tfidf a sentence pair this close confirms a match; with --confirm learned the "
                          "reranker decides, and sentence pairs this close are the match's evidence, which links "
                          "paragraphs into groups. [default: 0.3 with --confirm learned, 0.6 with tfidf]"),
        renamed_option("--sentence-threshold", "--sentence-cosine-threshold", "sentence_cosine_threshold"),
        click.option("--min-shared-words", type=click.IntRange(0), default=5, show_default=True,
                     help="A verbatim run of this many content words, three or more of them not names, "
                          "confirms a match (0: off)."),
        click.option("--lsh-threshold", type=UNIT, default=0.1, show_default=True,
                     help="Jaccard similarity the LSH bands are tuned to (candidate recall)."),
        click.option("-k", "--shingle-words", "k", type=click.IntRange(1, 10), default=1, show_default=True,
                     help="Words per shingle."),
        click.option("--num-perm", type=click.IntRange(1, 4096), default=128, show_default=True,
                     help="MinHash permutations."),
        click.option("--confirm", type=click.Choice(CONFIRM_MODES), default="learned", show_default=True,
                     help="Confirm stage: the learned reranker over pair features, or TF-IDF cosine rules."),
        click.option("--probability-threshold", type=FiniteRange(0.0, 1.0, min_open=True, max_open=True),
                     default=None, help="Restatements inside a document: the probability the learned reranker "
                                        "confirms a pair at [default: the model's]."),
        renamed_option("--reranker-threshold", "--probability-threshold", "probability_threshold",
                       FiniteRange(0.0, 1.0, min_open=True, max_open=True)),
        click.option("--amounts/--no-amounts", default=True, show_default=True,
                     help="Restatements inside a document: pairs of paragraphs that state the same specific amount "
                          "(rounded or spelled out in one: \"$2.1 billion\" / \"a little over two billion dollars\") "
                          "are candidates, and an agreement model over the amounts, names and wording decides them."),
        max_bytes_option(),
        click.option("--max-candidates", type=click.IntRange(1), default=5_000, show_default=True,
                     help="Candidate paragraph pairs confirmed per document at most (the most similar; a "
                          "huge document's others are counted as dropped)."),
    ]
    for option in reversed(options):
        command = option(command)
    return command


def _make_detector(params: dict) -> "Detector":
    from dedup.article.detector import Detector  # imported when a command runs: `dedup --help` stays fast

    keys = ("paragraph_cosine_threshold", "sentence_cosine_threshold", "min_shared_words", "lsh_threshold", "k",
            "num_perm", "confirm", "probability_threshold", "max_candidates")
    params = with_renamed(params)
    if params.get("confirm") == "tfidf" and params.get("probability_threshold") is not None:
        raise click.UsageError("--probability-threshold is the learned reranker's (--confirm learned); --confirm "
                               "tfidf decides by --paragraph-cosine-threshold and --sentence-cosine-threshold")
    try:
        return Detector(**{k: params[k] for k in keys}, **({} if params.get("amounts", True) else {"agreement": None}))
    except ValueError as err:
        raise click.UsageError(str(err)) from None


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="dedup")
def main() -> None:
    """Find near-duplicate and restated paragraphs."""


def corpus_options(command):
    """Options of the corpus stage (near-duplicate documents, passages), shared by scan, clean and index."""
    options = [
        click.option("--jaccard-threshold", type=UNIT, default=0.8, show_default=True,
                     help="Jaccard or containment that makes two documents near-duplicates."),
        renamed_option("--duplicate-threshold", "--jaccard-threshold", "jaccard_threshold"),
        click.option("--cosine-threshold", type=UNIT, default=0.5, show_default=True,
                     help="TF-IDF cosine (under the corpus IDF) near-duplicate documents must also reach."),
        renamed_option("--duplicate-cosine", "--cosine-threshold", "cosine_threshold"),
        click.option("--passage-cosine-threshold", type=UNIT, default=0.7, show_default=True,
                     help="TF-IDF cosine that makes two paragraphs of different documents one passage."),
        renamed_option("--passage-threshold", "--passage-cosine-threshold", "passage_cosine_threshold"),
        click.option("--boilerplate-docs", type=click.IntRange(2), default=5, show_default=True,
                     help="A passage in at least this many documents is reported as boilerplate."),
        click.option("--within/--no-within", default=True, show_default=True,
                     help="Also find restated paragraphs inside each document (the slowest step)."),
        click.option("-j", "--jobs", type=click.IntRange(0), default=1, show_default=True,
                     help="Processes to use (this one and N-1 workers) for tokenizing, signing and "
                          "confirming; one per core (0: as many as this process may use). Capped at the "
                          "cores this process may use (said on stderr), and at one per batch of work: a "
                          "small input runs in this process alone."),
        click.option("-q", "--quiet", is_flag=True, help="No progress bar or summary on stderr."),
        click.option("--keep", type=click.Choice(KEEP_RULES), default=DEFAULT_KEEP, show_default=True,
                     help=KEEP_HELP),
        click.option("--date-field", default="date", show_default=True,
                     help="With --keep earliest: the JSON Lines field holding a record's date (ISO 8601)."),
    ]
    for option in reversed(options):
        command = option(command)
    return command


def _make_scanner(params: dict) -> "CorpusScanner":
    from dedup.corpus.scanner import CorpusScanner
    from dedup.reuse.search import KEY_SETTINGS, ReuseSearch

    params = with_renamed(params)
    detector = _make_detector(params) if params.pop("within") else None
    keys = params.pop("reuse_keys", "pairs")
    reuse = ReuseSearch(**KEY_SETTINGS[keys]) if params.pop("reuse", False) else False
    try:
        return CorpusScanner(jaccard_threshold=params["jaccard_threshold"], cosine_threshold=params["cosine_threshold"],
                             passage_cosine_threshold=params["passage_cosine_threshold"],
                             boilerplate_docs=params["boilerplate_docs"], detector=detector,
                             jobs=params["jobs"] or usable_cores(), keep=params["keep"],
                             date_field=params["date_field"], reuse=reuse)
    except ValueError as err:
        raise click.UsageError(str(err)) from None


def _run_scan(paths: list[str], params: dict, text_field: str, id_field: str, max_bytes: int,
              quiet: bool, input_format: str, checkpoint: Checkpoint | None = None,
              names: dict[str, str] | None = None) -> tuple["CorpusScanner", CorpusReport, SkipLog]:
    from dedup.corpus.scanner import ScanInterrupted

    scanner = _make_scanner(params)
    cores = usable_cores()
    if params["jobs"] > cores and not quiet:  # once, here: the scanner caps it silently (it is a library)
        click.echo(f"dedup: note: --jobs {params['jobs']} capped at {cores}, the cores this process may use",
                   err=True)
    skipped = SkipLog()

    def on_error(err: InputError) -> None:
        if skipped.add(err):
            error(str(err))
        elif skipped.unlisted == 1:
            error(f"more than {skipped.limit:,} inputs skipped: the others are counted, not named")

    progress = Progress("scanning", input_bytes(paths), enabled=not quiet)
    ids = IdFieldSeen()
    items = ids.watch(read_documents(list(paths), max_bytes=max_bytes, text_field=text_field, id_field=id_field,
                                     fmt=input_format, names=names))
    try:
        with reuse_freed_memory():  # this process is the command's own: the scan may keep freed pages
            report = scanner.scan(items, on_error=on_error, progress=progress, text_field=text_field,
                                  fmt=input_format, checkpoint=checkpoint)
    except ScanInterrupted as stop:
        progress.close()
        if checkpoint.failure is None:
            error(f"{stop}; checkpoint saved in {checkpoint.folder}: run the same command to resume")
        else:
            error(f"{stop}; the checkpoint could not be saved in {checkpoint.folder} ({checkpoint.failure})"
                  + ("; the last one saved resumes" if checkpoint.has_progress else ""))
        sys.exit(130)
    except CheckpointError as err:
        error(str(err))
        sys.exit(1)
    fields = skipped.missing_field(text_field) if not report.documents else None
    if fields:  # every record read lacks the field: the likeliest cause is the option, so say it once
        first = f"the first has {fields.removeprefix('its fields: ')}" if fields.startswith("its fields") \
            else "the first is empty"
        error(f"no record has a {text_field!r} field ({first}): name the field that holds the text with --text-field")
    ids.note(id_field, quiet)
    if report.stats.get("undated_documents"):  # once, not per document: the scan still runs, in input order
        note = undated_note(report.stats["undated_documents"], len(report.documents), scanner.date_field)
        click.echo(f"dedup: {printable(note)}", err=True)
    return scanner, report, skipped


def _checkpoint(folder: str | None, every: float, paths, params: dict, **inputs) -> Checkpoint | None:
    """The scan's checkpoint, keyed by its inputs and every parameter, so another scan's is refused; the inputs
    are fingerprinted as they are now, so that one made before they changed is refused too."""
    if folder is None:
        return None
    if "-" in paths:
        raise click.UsageError("--checkpoint cannot resume from stdin: give files")
    piped = next((p for p in paths if not rereadable(p)), None)
    if piped is not None:
        raise click.UsageError(f"--checkpoint cannot resume from a pipe ({piped}): give files")
    if params.get("keep") != "earliest":  # pass one (what is saved) differs only by earliest's dates: a checkpoint
        params = {k: v for k, v in params.items() if k not in ("keep", "date_field")}  # from before --keep resumes
    if not params.get("reuse", True):  # and without reuse (pass one then saves no reuse keys), one from before it
        params.pop("reuse", None)
    params.pop("reuse_keys", None)  # pass one saves the same seeds for either (the keys are made after it)
    params.pop("jobs", None)  # -j 1 and -j 2 give the same report: a scan may resume with more processes
    # The paths as given too: ids are spelled from them (tdir/x.txt), a resume with them spelled otherwise mixed two.
    key = {"paths": [os.path.abspath(p) for p in paths], "given": list(paths), "params": params, **inputs}
    try:
        checkpoint = Checkpoint(folder, key, every, inputs=list(paths))
        checkpoint.held = True  # until ``remove``, after the report is written
        return checkpoint
    except CheckpointError as err:
        error(str(err))
        sys.exit(1)


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
    given = [name for name, value in (("--spark-output", spark_output), ("--spark-master", spark_master)) if value]
    if engine != "spark" and given:  # taken silently, the Parquet results the user expects would never appear
        raise click.UsageError(f"{' and '.join(given)} only with --engine spark")
    if checkpoint is not None:
        if not checkpoint:
            raise click.UsageError("--checkpoint '': an empty path; give a folder")
        refuse_output_in_checkpoint(output, checkpoint)
    if engine == "spark":
        refuse_local_only(checkpoint, fmt, spark_master)
        with atomic_output(output) as out:
            summary = scan_on_spark(paths, _make_scanner(params), text_field, id_field, spark_output,
                                    spark_master, out, max_bytes)
        skipped = note_skipped(summary)  # as the local scan: the bad records named, the others scanned
        if note_failed(summary) or skipped:  # the rest is written, the faults named, the exit status 1
            sys.exit(1)
        return
    saved = _checkpoint(checkpoint, checkpoint_every, paths, dict(params), text_field=text_field,
                        id_field=id_field, input_format=input_format, max_bytes=max_bytes)
    try:
        with InputSpool(max_bytes) as spool:
            read = spool.paths(list(paths))
            scanner, report, skipped = _run_scan(read, params, text_field, id_field, max_bytes, quiet, input_format,
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


@main.command()
@click.argument("paths", nargs=-1, required=True)
@click.option("-o", "--output", default="-", show_default=True,
              help="Where to write: a file for one text or JSON Lines input (.gz compresses), "
                   "a folder for several text files. A folder (or a path ending in /) takes one input "
                   "as FOLDER/<its name>.")
@click.option("--documents/--keep-duplicates", default=True, show_default=True,
              help="Keep one document per near-duplicate cluster (the copy --keep chooses; by default the "
                   "most complete).")
@click.option("--restated/--keep-restated", default=True, show_default=True,
              help="Strip paragraphs that restate earlier ones in the same document.")
@click.option("--boilerplate", is_flag=True, help="Also strip paragraphs reported as boilerplate.")
@click.option("--sentences", is_flag=True,
              help="Also cut restated sentences out of the paragraphs that are kept.")
@click.option("--removal-probability", type=FiniteRange(0, 1), default=REMOVAL_PROBABILITY, show_default=True,
              help="The reranker's probability a restatement it alone confirms needs for its paragraph to be "
                   "removed (it is reported from --probability-threshold up).")
@click.option("--text-field", default="text", show_default=True, help="JSON Lines field holding the text.")
@click.option("--id-field", default="id", show_default=True,
              help="JSON Lines field holding the document id; a record without one is named path:line.")
@detector_options
@corpus_options
@input_format_option
@exit_on_broken_pipe
@output_errors
def clean(paths: tuple[str, ...], output: str, documents: bool, restated: bool, boilerplate: bool, sentences: bool,
          removal_probability: float, text_field: str, id_field: str, max_bytes: int, quiet: bool,
          input_format: str, **params) -> None:
    """Write PATHS without near-duplicate documents and restated paragraphs.

    One text file (or - for stdin) is written back as text; JSON Lines input
    (optionally gzipped) as JSON Lines with every other field kept; several
    text files or folders into the folder given by -o. The first occurrence
    of each claim is kept; a paragraph goes only when every one of its
    sentences restates an earlier paragraph and adds no name, number or
    negation of its own (a restatement the reranker alone confirms, only
    from --removal-probability up). What is kept is written as it came in.
    """
    restated = restated_searched(params, restated)
    # Refused before stdin or a pipe is read (they keep their names when spooled), and before the scan.
    stdin_once(paths)
    plan_clean(output, list(paths), {p: p for p in paths if not rereadable(p)})
    with InputSpool(max_bytes, whole_records=True) as spool:  # a refused record is written back whole
        read = spool.paths(list(paths))
        plan = plan_clean(output, read, spool.names)  # again, with the spooled copies' names
        scanner, report, skipped = _run_scan(read, params, text_field, id_field, max_bytes, quiet, input_format,
                                             names=spool.names)
        if not report.documents:  # a wrong --text-field, say: an output of nothing but copies would hide it
            if output != "-":  # the file the user expects is not there, or is the one of an earlier run: said
                error(f"nothing to clean: no input could be read; {output} not written")
            sys.exit(1)
        cleaner = CorpusCleaner(report, documents=documents, restated=restated, boilerplate=boilerplate,
                                sentences=sentences, removal_probability=removal_probability)
        items = read_documents(read, max_bytes=max_bytes, text_field=text_field, id_field=id_field,
                               fmt=input_format, names=spool.names, lines=True)
        kept = write_cleaned(items, cleaner, plan, text_field)
    if not quiet:
        note_cleaned(report, cleaner, kept, len(skipped), sentences)
    lost = note_lost(cleaner)  # inputs the output lacks or holds unscanned, said quiet or not
    failed = note_failed(report.stats, kept="its restated paragraphs are not removed")  # written as it came in
    if skipped or failed or lost:
        sys.exit(1)


main.add_command(index)
main.add_command(align)
