"""``dedup clean``: the inputs written back without near-duplicate documents and restated paragraphs."""

from __future__ import annotations

import os
import sys

import click

from dedup.cli.notes import note_cleaned, note_failed, note_lost
from dedup.cli.options import (
    FiniteRange,
    error,
    exit_on_broken_pipe,
    input_format_option,
    output_errors,
    restated_searched,
    stdin_once,
)
from dedup.cli.scan_setup import corpus_options, detector_options, run_scan
from dedup.io.clean import REMOVAL_PROBABILITY, CorpusCleaner
from dedup.io.input_spool import InputSpool, rereadable
from dedup.io.outputs import plan_clean
from dedup.io.readers import read_documents
from dedup.io.walk import JSONL_SUFFIXES
from dedup.io.writers import write_cleaned
from dedup.report.formats import counted, printable


@click.command()
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
    if sentences and not restated:  # it cut nothing, with exit status 0 and no word
        raise click.UsageError("--sentences cuts restated sentences, which --keep-restated (or --no-within) keeps: "
                               "give one of them")
    # Refused before stdin or a pipe is read (they keep their names when spooled), and before the scan.
    stdin_once(paths)
    plan_clean(output, list(paths), {p: p for p in paths if not rereadable(p)})
    with InputSpool(max_bytes, whole_records=True) as spool:  # a refused record is written back whole
        read = spool.paths(list(paths))
        plan = plan_clean(output, read, spool.names)  # again, with the spooled copies' names
        scanner, report, skipped = run_scan(read, params, text_field, id_field, max_bytes, quiet, input_format,
                                             names=spool.names)
        if not report.documents:  # a wrong --text-field, say: an output of nothing but copies would hide it
            if output != "-":  # the file the user expects is not there, or is the one of an earlier run: said
                error(f"nothing to clean: no input could be read; {output} not written")
            sys.exit(1)
        cleaner = CorpusCleaner(report, documents=documents, restated=restated, boilerplate=boilerplate,
                                sentences=sentences, removal_probability=removal_probability)
        items = read_documents(read, max_bytes=max_bytes, text_field=text_field, id_field=id_field,
                               fmt=input_format, names=spool.names, lines=True)
        try:
            kept = write_cleaned(items, cleaner, plan, text_field)
        except KeyboardInterrupt:  # each copy is whole, but the folder is not: said, as it was not
            if plan.kind == "folder":
                error(f"{plan.output}: interrupted after {cleaner.files_written} of {len(plan.targets)} copies were "
                      "written; the folder is incomplete (copies of an earlier run may stand beside them): run the "
                      "command again")
            raise
    if not quiet:
        note_cleaned(report, cleaner, kept, len(skipped), sentences)
        if plan.kind == "folder":
            _note_passed_over(paths, plan)
    lost = note_lost(cleaner)  # inputs the output lacks or holds unscanned, said quiet or not
    failed = note_failed(report.stats, kept="its restated paragraphs are not removed")  # written as it came in
    if skipped or failed or lost:
        sys.exit(1)


def _note_passed_over(paths: tuple[str, ...], plan) -> None:
    """Say which files of the input folders the walk passes by (names it does not read: ".srt", ".csv", images),
    and so are not in the output folder: a folder cleaned into another lost its subtitles without a word."""
    read = {os.path.realpath(p) for p in plan.targets}
    others = [os.path.join(root, name) for folder in paths if os.path.isdir(folder)
              for root, _, names in _walk_shown(folder) for name in sorted(names)
              if not name.startswith(".") and not name.lower().endswith(JSONL_SUFFIXES)  # those are named already
              and os.path.realpath(os.path.join(root, name)) not in read]
    if others:
        click.echo(f"dedup: note: {counted(len(others), 'file')} of the input folders not read (only .txt, .md, "
                   f".html and .htm files are), so not in {plan.output}: {printable(others[0])}"
                   + (f" and {len(others) - 1} more" if len(others) > 1 else ""), err=True)


def _walk_shown(folder: str):
    """``os.walk`` past hidden folders (".git": thousands of files no one cleans)."""
    for root, folders, names in os.walk(folder):
        folders[:] = sorted(f for f in folders if not f.startswith("."))
        yield root, folders, names
