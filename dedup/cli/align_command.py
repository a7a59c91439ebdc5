"""``dedup align A B``: the passages two documents share, located to the character."""

from __future__ import annotations

import json
import os
import sys

import click

from dedup.cli.options import error, exit_on_broken_pipe, input_format_option, max_bytes_option, one_line_errors
from dedup.io.outputs import OutputError, WriteError, check_file_output, refuse_overwriting_inputs
from dedup.io.readers import InputError, read_document
from dedup.io.streams import kind_of
from dedup.io.walk import is_jsonl
from dedup.io.writers import atomic_output
from dedup.report.formats import printable
from dedup.report.reuse_output import reuse_lines, reuse_to_dict
from dedup.util.faults import Failed, attempt

ALIGNED_SHOWN = 10  # aligned sentence pairs the table shows a passage (JSON has them all)
_HEAD_CHARS = 4096  # characters of a stream read to tell JSON Lines (a first object's start)


@click.command()
@click.argument("a", type=click.Path(dir_okay=False, allow_dash=True))
@click.argument("b", type=click.Path(dir_okay=False, allow_dash=True))
@click.option("-f", "--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True,
              help="A table for people, or JSON (the reuse records of dedup scan's JSON, with both texts' lengths).")
@click.option("-o", "--output", default="-", show_default=True, help="Write the result here (- for stdout).")
@click.option("--min-chars", type=click.IntRange(0), default=None,
              help="Drop passages shorter than this many characters in either text; one aligned by two sentence "
                   "pairs or more and alike as a whole (cosine 0.45) needs 0.65 of it [default: the search's, 150].")
@max_bytes_option()
@input_format_option
@exit_on_broken_pipe
@one_line_errors({OutputError: 2, WriteError: 2})  # 1 says "no passages": an -o that failed is not that
def align(a: str, b: str, fmt: str, output: str, min_chars: int | None, max_bytes: int, input_format: str) -> None:
    """Print the passages document A reuses from document B (copied, edited or restated), with
    [start:end) character offsets into each text as read, and the aligned sentences behind each.

    A and B are text or HTML files (- for stdin, once). Exit status 0 when passages were found, 1 when
    none were, 2 when an input cannot be read or the output cannot be written, 3 when the alignment failed
    on them (a fault of dedup's, named in one line).
    """
    from dedup.reuse.align import AlignSettings, align_texts

    if a == "-" and b == "-":
        raise click.UsageError("stdin can be only one of A and B")
    check_file_output(output)  # as scan: refused in one line before anything is read
    refuse_overwriting_inputs(output, (a, b))
    texts = []
    for path in (a, b):
        if is_jsonl(path):  # many documents to a file: read as one text, its JSON syntax would be aligned
            _refuse_json_lines(path)
        try:
            doc = read_document(path, max_bytes=max_bytes, fmt=input_format)
        except InputError as err:
            if err.reason.startswith("gzip-compressed"):  # not "only JSON Lines are read compressed": align reads none
                err = InputError(err.source, "gzip-compressed: align reads text and HTML (decompress it first)")
            error(str(err))
            sys.exit(2)
        # Standard input and a pipe have no suffix: their first line says they are JSON Lines, as scan reads them.
        if not os.path.isfile(path) and kind_of(doc.text[:_HEAD_CHARS].encode("utf-8", "surrogatepass")) == "jsonl":
            _refuse_json_lines("<stdin>" if path == "-" else path)
        texts.append(doc)
    doc_a, doc_b = texts
    settings = AlignSettings() if min_chars is None else AlignSettings(min_chars=min_chars)
    found = attempt(align_texts, doc_a.text, doc_b.text, doc_a.id, doc_b.id, settings)
    if isinstance(found, Failed):
        error(f"{doc_a.id} and {doc_b.id}: reuse alignment failed ({found.error})")
        sys.exit(3)
    with atomic_output(output) as out:
        if fmt == "json":
            json.dump({"a": doc_a.id, "b": doc_b.id, "a_length": len(doc_a.text), "b_length": len(doc_b.text),
                       "reuse": [reuse_to_dict(r) for r in found]}, out, ensure_ascii=False, indent=2)
            out.write("\n")
        else:
            out.write(f"{printable(doc_a.id)} ~ {printable(doc_b.id)}: {len(found)} reused "
                      f"passage{'' if len(found) == 1 else 's'}\n")
            out.write("".join(line + "\n" for line in reuse_lines(found, printable=printable, limit=len(found),
                                                                 sentences=ALIGNED_SHOWN)))
    sys.exit(0 if found else 1)


def _refuse_json_lines(name: str) -> None:
    error(f"{name}: JSON Lines hold many documents; align compares two (dedup scan finds the reuse "
          "between the records of a JSON Lines file)")
    sys.exit(2)
