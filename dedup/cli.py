"""The ``dedup`` command line: a thin face over ``Detector`` and the writers."""

from __future__ import annotations

import functools
import sys

import click

from . import __version__
from .clean import clean as clean_report
from .detector import Detector
from .readers import DEFAULT_MAX_BYTES, InputError, read_document, read_documents
from .report import FORMATS, write_csv, write_json, write_jsonl, write_table

_UNIT = click.FloatRange(0.0, 1.0, min_open=True)


def detector_options(command):
    """Options that configure the Detector, shared by every command that detects."""
    options = [
        click.option("--threshold", type=_UNIT, default=0.45, show_default=True,
                     help="Paragraph TF-IDF cosine that confirms a match on its own."),
        click.option("--sentence-threshold", type=_UNIT, default=0.3, show_default=True,
                     help="Sentence-pair TF-IDF cosine that confirms a match."),
        click.option("--min-shared-words", type=click.IntRange(0), default=5, show_default=True,
                     help="A verbatim run of this many content words confirms a match (0: off)."),
        click.option("--lsh-threshold", type=_UNIT, default=0.1, show_default=True,
                     help="Jaccard similarity the LSH bands are tuned to (candidate recall)."),
        click.option("-k", "--shingle-words", "k", type=click.IntRange(1, 10), default=1, show_default=True,
                     help="Words per shingle."),
        click.option("--num-perm", type=click.IntRange(1, 4096), default=128, show_default=True,
                     help="MinHash permutations."),
        click.option("--max-bytes", type=click.IntRange(1), default=DEFAULT_MAX_BYTES, show_default=True,
                     help="Refuse inputs larger than this many bytes."),
    ]
    for option in reversed(options):
        command = option(command)
    return command


def _make_detector(params: dict) -> Detector:
    keys = ("threshold", "sentence_threshold", "min_shared_words", "lsh_threshold", "k", "num_perm")
    try:
        return Detector(**{k: params[k] for k in keys})
    except ValueError as err:
        raise click.UsageError(str(err)) from None


def _error(message: str) -> None:
    click.echo(f"dedup: error: {message}", err=True)


def _exit_on_broken_pipe(func):
    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        try:
            return func(*args, **kwargs)
        except BrokenPipeError:
            sys.stderr.close()
            sys.exit(1)
    return wrapper


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="dedup")
def main() -> None:
    """Find near-duplicate and restated paragraphs."""


@main.command()
@click.argument("paths", nargs=-1, required=True)
@click.option("-f", "--format", "fmt", type=click.Choice(FORMATS), default="table", show_default=True,
              help="Output format: a table for people, or json / jsonl / csv for tools.")
@click.option("-o", "--output", type=click.File("w", encoding="utf-8"), default="-",
              help="Write the report here instead of standard output.")
@click.option("--text-field", default="text", show_default=True, help="JSON Lines field holding the text.")
@click.option("--id-field", default="id", show_default=True,
              help="JSON Lines field holding the document id (default id: path:line).")
@detector_options
@_exit_on_broken_pipe
def scan(paths: tuple[str, ...], fmt: str, output, max_bytes: int, text_field: str, id_field: str,
         **params) -> None:
    """Report restated paragraphs in each of PATHS.

    PATHS are text files, folders (walked for .txt/.md), JSON Lines files
    (.jsonl, .ndjson, optionally gzipped: one document per line), or - for
    stdin. Inputs or records that cannot be read are named on stderr and
    skipped; the others are still reported, and the exit status is 1.
    """
    detector = _make_detector(params)
    kept, skipped, done = [], [], 0  # reports are kept only for the one JSON envelope
    for item in read_documents(list(paths), max_bytes=max_bytes, text_field=text_field, id_field=id_field):
        if isinstance(item, InputError):
            _error(str(item))
            skipped.append({"id": item.source, "error": item.reason})
            continue
        report = detector.detect(item.text, item.id)
        if fmt == "json":
            kept.append(report)
        elif fmt == "jsonl":
            write_jsonl([report], output)
        elif fmt == "csv":
            write_csv([report], output, header=not done)
        else:
            write_table([report], output, first=not done)
        done += 1
    if fmt == "json":
        write_json(kept, output, detector.params(), skipped)
    if fmt == "csv" and not done:
        write_csv([], output)
    if skipped:
        click.echo(f"dedup: skipped {len(skipped)} of {len(skipped) + done} inputs", err=True)
        sys.exit(1)


@main.command()
@click.argument("path")
@click.option("-o", "--output", type=click.File("w", encoding="utf-8"), default="-",
              help="Write the cleaned text here instead of standard output.")
@click.option("--sentences", is_flag=True,
              help="Also cut restated sentences out of the paragraphs that are kept.")
@click.option("-q", "--quiet", is_flag=True, help="Do not say on stderr what was removed.")
@detector_options
@_exit_on_broken_pipe
def clean(path: str, output, sentences: bool, quiet: bool, max_bytes: int, **params) -> None:
    """Write PATH (a file, or - for stdin) with restated paragraphs removed.

    The first occurrence of each claim is kept; a paragraph goes only when
    every one of its sentences restates an earlier paragraph.
    """
    detector = _make_detector(params)
    try:
        document = read_document(path, max_bytes=max_bytes)
    except InputError as err:
        _error(str(err))
        sys.exit(1)
    report = detector.detect(document.text, document.id)
    result = clean_report(report, sentences=sentences)
    output.write(result.text)
    if not quiet:
        removed = ", ".join(map(str, result.removed_paragraphs)) or "none"
        click.echo(f"dedup: {document.id}: removed paragraphs {removed} "
                   f"({len(result.removed_paragraphs)} of {len(report.paragraphs)})"
                   + (f", {len(result.removed_sentences)} sentences" if sentences else ""), err=True)
