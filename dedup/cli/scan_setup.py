"""What ``dedup scan``, ``clean`` and the index commands share: the detector's and the corpus stage's options, and
the scan itself, its checkpoint and what it says of the inputs it skipped."""

from __future__ import annotations

import os
import sys
from typing import TYPE_CHECKING

import click

if TYPE_CHECKING:
    from dedup.article.detector import Detector
    from dedup.corpus.scanner import CorpusScanner

from dedup.cli.notes import IdFieldSeen
from dedup.cli.options import (
    UNIT,
    FiniteRange,
    error,
    field_name,
    input_bytes,
    max_bytes_option,
    renamed_option,
    with_renamed,
)
from dedup.cluster.keep import DEFAULT as DEFAULT_KEEP
from dedup.cluster.keep import HELP as KEEP_HELP
from dedup.cluster.keep import RULES as KEEP_RULES
from dedup.cluster.keep import undated_note
from dedup.confirm.modes import CONFIRM_MODES
from dedup.corpus.checkpoint import Checkpoint, CheckpointError
from dedup.io.input_spool import rereadable
from dedup.io.readers import InputError, read_documents
from dedup.io.skips import SkipLog
from dedup.records import CorpusReport
from dedup.report.formats import printable
from dedup.util.allocator import reuse_freed_memory
from dedup.util.progress import Progress
from dedup.util.workers import usable_cores


def detector_options(command):
    """Options that configure the Detector, shared by every command that detects."""
    options = [
        click.option("--paragraph-cosine-threshold", type=UNIT, default=None,
                     help="Restatements inside a document: the TF-IDF cosine of two of its paragraphs. With "
                          "--confirm tfidf it confirms a match on its own; with --confirm learned the reranker "
                          "decides, and this changes nothing (every match lists its best sentence pair). "
                          "[default: 0.45]"),
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


def make_detector(params: dict) -> "Detector":
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


def corpus_options(command):
    """Options of the corpus stage (near-duplicate documents, passages), shared by scan, clean and index."""
    options = [
        click.option("--jaccard-threshold", type=UNIT, default=0.8, show_default=True,
                     help="Jaccard or containment that makes two documents near-duplicates."),
        renamed_option("--duplicate-threshold", "--jaccard-threshold", "jaccard_threshold"),
        click.option("--cosine-threshold", type=UNIT, default=0.5, show_default=True,
                     help="TF-IDF cosine (under the corpus IDF) near-duplicate documents must also reach."),
        renamed_option("--duplicate-cosine", "--cosine-threshold", "cosine_threshold"),
        click.option("--document-lsh-threshold", type=UNIT, default=0.3, show_default=True,
                     help="Jaccard similarity the document LSH bands are tuned to: lower finds copies cut to a "
                          "third or less (0.15), at the cost of more candidate pairs to confirm."),
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
        click.option("--date-field", default="date", show_default=True, callback=field_name,
                     help="With --keep earliest: the JSON Lines field holding a record's date (ISO 8601)."),
    ]
    for option in reversed(options):
        command = option(command)
    return command


def make_scanner(params: dict) -> "CorpusScanner":
    from dedup.corpus.scanner import CorpusScanner
    from dedup.reuse.search import KEY_SETTINGS, ReuseSearch

    params = with_renamed(params)
    detector = make_detector(params) if params.pop("within") else None
    keys = params.pop("reuse_keys", "pairs")
    reuse = ReuseSearch(**KEY_SETTINGS[keys]) if params.pop("reuse", False) else False
    try:
        return CorpusScanner(jaccard_threshold=params["jaccard_threshold"], cosine_threshold=params["cosine_threshold"],
                             passage_cosine_threshold=params["passage_cosine_threshold"],
                             lsh_threshold=params["document_lsh_threshold"],
                             boilerplate_docs=params["boilerplate_docs"], detector=detector,
                             jobs=params["jobs"] or usable_cores(), keep=params["keep"],
                             date_field=params["date_field"], reuse=reuse)
    except ValueError as err:
        raise click.UsageError(str(err)) from None


def run_scan(paths: list[str], params: dict, text_field: str, id_field: str, max_bytes: int,
              quiet: bool, input_format: str, checkpoint: Checkpoint | None = None,
              names: dict[str, str] | None = None) -> tuple["CorpusScanner", CorpusReport, SkipLog]:
    from dedup.corpus.scanner import ScanInterrupted

    scanner = make_scanner(params)
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


def scan_checkpoint(folder: str | None, every: float, paths, params: dict, **inputs) -> Checkpoint | None:
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
