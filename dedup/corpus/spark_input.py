"""The inputs of a Spark scan, read by the local readers' rules: what a local scan skips, a Spark scan skips.

Each JSON Lines record is parsed on the executors by ``dedup.io.readers.parse_record``, the local reader's own
function: a malformed line, a record that is no object, has no text field, or whose text is null, empty, has no
words or holds a lone surrogate is skipped and named (``path:line``); a record without an id is named
``path:line``. A repeated id is skipped after its first record, in input order. Parquet rows are held to the
same text rule (``dedup.util.validate.text_problem``). Spark's own JSON reader took every such record as a
document (a null text as an empty one, a broken line as a document with no id), which changed the corpus IDF
and so the other documents' results, and said nothing.

The skips are counted, and the first ``MAX_LISTED`` named, in the run's summary (``skipped``,
``skipped_inputs``), as the local scan lists them.
"""

from __future__ import annotations

import gzip
import os
import re
import stat
import zlib
from pathlib import Path

from dedup.cluster.keep import timestamp
from dedup.io.readers import DEFAULT_MAX_BYTES, InputError, parse_record, shown_path
from dedup.io.skips import MAX_LISTED
from dedup.io.walk import file_key, is_jsonl, read_once
from dedup.util.validate import text_problem

INPUT_SCHEMA = "id string, text string, date double"  # the date in epoch seconds, read as locally


def is_parquet(path: str) -> bool:
    """A Parquet file, or a folder holding one (Spark's own output); other folders are no input of Spark's."""
    folder = Path(path)
    return path.endswith(".parquet") or (folder.is_dir() and any(folder.rglob("*.parquet")))


# Suffixes Hadoop decompresses by themselves (the local reader decompresses .gz alone).
_HADOOP_CODECS = frozenset({".bz2", ".deflate", ".lz4", ".snappy", ".zst", ".zstd"})


def read_inputs(spark, paths: list[str], text_field: str = "text", id_field: str = "id",
                date_field: str | None = None, max_bytes: int = DEFAULT_MAX_BYTES) -> tuple["object", dict]:
    """A DataFrame (``INPUT_SCHEMA``: id, text, date; the date null without ``date_field``) of the documents of
    JSON Lines (optionally gzipped) and Parquet ``paths``, in input order, and the skips: ``{"skipped": count,
    "skipped_inputs": [{"id": where, "error": reason}, ...]}``. A record past ``max_bytes`` is skipped, as
    locally; an input Spark cannot read (missing, stdin, a name Hadoop passes over) is named on the driver."""
    sc = spark.sparkContext
    parts, early, line_inputs, tables = [], [], [], set()
    first: dict[tuple[int, int], str] = {}  # a file given again under another name is read once, as locally
    for number, path in enumerate(paths):
        problem, key = unreadable(path), file_key(path)
        if problem is None and key is not None and key in first:
            problem = read_once(first[key], path)
        elif problem is None and key is not None:  # a name refused reads nothing: another name of it still may
            first[key] = path
        if problem is not None:
            early.append(("skip", (number, -1), shown_path(path), problem))
        elif is_parquet(path):
            tables.add(number)
            parts.append(_parquet_rows(spark, path, number, text_field, id_field, date_field, max_bytes))
        else:
            name, size = shown_path(path), _plain_size(path)
            line_inputs.append(number)
            parts.append(_lines(sc, path).zipWithIndex().map(
                lambda r, number=number, name=name, size=size: _parsed(
                    r[0][1], name, number, r[1], text_field, id_field, date_field, max_bytes, r[0][0], size)))
    parsed = (sc.union(parts) if parts else sc.emptyRDD()).filter(lambda r: r[0] != "blank").cache()
    held = set(parsed.map(lambda r: r[1][0]).distinct().collect())
    early += [("skip", (number, -1), shown_path(paths[number]), "empty (no records)")
              for number in sorted({*line_inputs, *tables} - held)]  # a Parquet file of no rows too
    documents = parsed.filter(lambda r: r[0] == "doc")
    # Ids held by more than one record: the first record (in input order) of each stands, as locally.
    firsts = documents.map(lambda r: (r[2], (r[1], 1))) \
        .reduceByKey(lambda x, y: (min(x[0], y[0]), x[1] + y[1])) \
        .filter(lambda kv: kv[1][1] > 1).map(lambda kv: (kv[0], kv[1][0])).collectAsMap()
    firsts_b = sc.broadcast(firsts)
    kept = documents.filter(lambda r: firsts_b.value.get(r[2], r[1]) == r[1])
    repeated = documents.filter(lambda r: firsts_b.value.get(r[2], r[1]) != r[1]) \
        .map(lambda r: ("skip", r[1], r[5], _repeat_reason(r[2], r[1], firsts_b.value[r[2]], r[1][0] in tables)))
    skips = parsed.filter(lambda r: r[0] == "skip").union(repeated).union(sc.parallelize(early, 1))
    count = skips.count()
    listed = [{"id": r[2], "error": r[3]} for r in skips.takeOrdered(MAX_LISTED, key=lambda r: r[1])] if count else []
    if count and kept.isEmpty():  # nothing to scan: the likeliest cause is the option, as the local scan says
        field = f"no {text_field!r} field ("
        hint = ": name the field that holds the text with --text-field" if all(
            item["error"].startswith(field) for item in listed) else ""
        raise ValueError(f"no documents to scan: {count} inputs skipped, the first {listed[0]['id']}: "
                         f"{listed[0]['error']}{hint}")
    frame = spark.createDataFrame(kept.map(lambda r: (r[2], r[3], r[4])), INPUT_SCHEMA)
    # Whether any record was named by its id field (a record without one is named where it was read): when none
    # is, the local scan says so once (a misspelt --id-field), and so does a Spark scan.
    named = not line_inputs or not kept.filter(lambda r: r[2] != r[5]).isEmpty()
    return frame, {"skipped": count, "skipped_inputs": listed, "records_named_by_id": named}


def unreadable(path: str) -> str | None:
    """Why Spark cannot read ``path`` as the local readers would, said on the driver (Hadoop raised a Java
    traceback for each), or None."""
    if path == "-":
        return "standard input: the Spark engine reads files (save it to a .jsonl file first)"
    if "://" in path:  # hdfs://, s3a://: the cluster's to find
        return None
    try:
        found = os.stat(path)
    except FileNotFoundError:
        return "no such file or directory"
    except OSError as err:
        return f"cannot read ({err.strerror or err})"
    if Path(path).name.startswith(("_", ".")):
        return "Hadoop passes over a file whose name starts with _ or . (rename it)"
    if "," in path:
        return "Hadoop reads a path with a comma as two paths (rename it)"
    if ":" in path:  # "b:2.jsonl": a scheme before the colon, and the whole job failed on it
        return "Hadoop reads a path with a colon as a URL (rename it)"
    if Path(path).suffix.lower() in _HADOOP_CODECS and not stat.S_ISDIR(found.st_mode):
        return (f"compressed as {Path(path).suffix}: the local reader takes gzip alone, and the engines read the "
                "same files (decompress it, or gzip it)")
    if stat.S_ISDIR(found.st_mode) and not is_parquet(path):
        return "a folder without Parquet files: the Spark engine reads JSON Lines files (give them) and Parquet"
    if stat.S_ISDIR(found.st_mode):
        return None
    if not is_jsonl(path) and not path.lower().endswith(".parquet"):  # what the local engine reads as one text
        return ("not named as JSON Lines (.jsonl or .ndjson, optionally .gz): the local engine reads it as one text, "
                "the Spark engine JSON Lines and Parquet alone (rename it, or scan it locally)")
    with open(path, "rb") as file:
        head = file.read(4)
    if path.lower().endswith(".gz"):
        if head[:2] != b"\x1f\x8b":
            return "not gzip-compressed, though named .gz (rename it without .gz)"
        try:  # the local reader tells what a .gz holds by its first bytes decompressed: so does this
            with gzip.open(path, "rb") as inside:
                head = inside.read(4)
        except (OSError, EOFError, zlib.error):
            return None  # a broken stream: the job says so, as it says a truncated one
    # What the local reader refuses whole by its first bytes, refused whole here too (Spark named each line).
    if head[:2] == b"\x1f\x8b":
        return "gzip-compressed, but not named .gz (name it .jsonl.gz, or gunzip it)"
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):  # or UTF-32's
        return "UTF-16 or UTF-32 text; JSON Lines are UTF-8 (iconv -f UTF-16 -t UTF-8)"
    return None


def hadoop_path(path: str) -> str:
    """``path`` as Hadoop reads it: a local path absolute, with "[", "*", "?", "{" escaped, which Hadoop reads as
    patterns (``data[1]`` read the folder ``data1``); a URL (``hdfs://``) as given."""
    return path if "://" in path else re.sub(r"([\\{}\[\]*?])", r"\\\1", os.path.abspath(path))


def _plain_size(path: str) -> int | None:
    """The size of a local file that is not compressed (its lines' offsets are bytes of it), else None."""
    if "://" in path or path.lower().endswith(".gz"):
        return None
    return os.path.getsize(path)


def _lines(sc, path: str):
    """``(offset, line)`` of each line of a JSON Lines file (gzipped or not), ended by "\n" only, as the local
    reader ends them (Spark's ``textFile`` also ends a line at a lone "\r", which JSON allows between a record's
    values). The path is escaped for Hadoop, which reads "[", "*", "{" as patterns (``unreadable`` refuses a
    comma)."""
    return sc.newAPIHadoopFile(hadoop_path(path), "org.apache.hadoop.mapreduce.lib.input.TextInputFormat",
                               "org.apache.hadoop.io.LongWritable", "org.apache.hadoop.io.Text",
                               conf={"textinputformat.record.delimiter": "\n"})


_ASCII_BLANKS = " \t\n\r\x0b\x0c"


def _parsed(line: str, name: str, number: int, index: int, text_field: str, id_field: str,
            date_field: str | None, max_bytes: int = DEFAULT_MAX_BYTES, offset: int = 0,
            size: int | None = None) -> tuple:
    """One line as ``("doc", order, id, text, date, where, name)``, ``("skip", order, where, reason)`` or
    ``("blank", order)``; ``order`` is (input number, line number). ``offset``: where the line starts in its
    file, of ``size`` bytes when known (``_plain_size``): a line ending the file has no line end to count."""
    order, where = (number, index), f"{name}:{index + 1}"
    if not line.strip(_ASCII_BLANKS):  # as the local reader's ``bytes.strip``: a line of U+3000 is malformed
        return ("blank", order)
    data = line.encode("utf-8", "surrogatepass")
    last = size is not None and offset + len(data) >= size
    if len(data) - (not last and data.endswith(b"\r")) > max_bytes:  # the line end not counted (CRLF's CR), as locally
        return ("skip", order, where, f"record larger than the {max_bytes:,}-byte limit")
    try:
        doc = parse_record(data, where, text_field, id_field, fmt="text")
    except InputError as err:
        return ("skip", order, where, err.reason)
    return ("doc", order, doc.id, doc.text, _date(doc.record, date_field), where, name)


def _parquet_rows(spark, path: str, number: int, text_field: str, id_field: str, date_field: str | None,
                  max_bytes: int = DEFAULT_MAX_BYTES):
    """The rows of one Parquet input in the form of ``_parsed``'s, its text held to ``text_problem`` and to
    ``max_bytes`` (in UTF-8, as a JSON Lines record is)."""
    from pyspark.sql import functions as F
    from pyspark.sql.types import NumericType

    frame = spark.read.parquet(hadoop_path(path))
    missing = [c for c in (id_field, text_field) if c not in frame.columns]
    if missing:
        raise ValueError(f"{path}: no column {missing[0]!r} (columns: {', '.join(frame.columns)})")
    dated = date_field is not None and date_field in frame.columns
    date = F.col(_quoted(date_field)) if dated else F.lit(None)
    # A column of numbers is epoch seconds, as a JSON number is (``_date``): cast to a string, it was no date.
    seconds = dated and isinstance(frame.schema[date_field].dataType, NumericType)
    name = shown_path(path)

    def row(r) -> tuple:
        (doc_id, text, day), index = r
        order, where = (number, index), f"{name}:row {index + 1}"
        problem = text_problem(text)
        if problem is not None:
            return ("skip", order, where, f"column {text_field!r} {problem}")
        if len(text) * 4 > max_bytes and len(text.encode("utf-8", "surrogatepass")) > max_bytes:
            return ("skip", order, where, f"record larger than the {max_bytes:,}-byte limit")
        day = None if day is None else timestamp(float(day) if seconds else day)  # as ``_date`` reads a record's
        return ("doc", order, doc_id or where, text, day, where, name)

    # Input order is the files' (by path) and each file's rows: Spark's scan reads the largest files first, and
    # numbered as read, another copy than the first represented a cluster under --keep first.
    where_read = [F.col("_metadata.file_path").alias("__dedup_file"), F.col("_metadata.row_index").alias("__dedup_row")]
    return frame.select(F.col(_quoted(id_field)).cast("string"), F.col(_quoted(text_field)),
                        date if seconds else date.cast("string"),
                        *where_read).orderBy("__dedup_file", "__dedup_row").drop("__dedup_file", "__dedup_row") \
        .rdd.zipWithIndex().map(row)


def _quoted(column: str) -> str:
    """A column's name as Spark reads it whole: "body.text" is a column of that name, not a field of "body"."""
    return "`" + column.replace("`", "``") + "`"


def _date(record: dict | None, date_field: str | None) -> float | None:
    """The record's date in epoch seconds, read on the executor as the local reader reads it
    (``keep.timestamp`` of the field's value): a number as epoch seconds, a string as ISO 8601. Passed on as an
    ISO string, a number lost what it had past the microsecond, and two dates a tenth of one apart tied, so
    another copy represented the cluster than locally."""
    if date_field is None or not record:
        return None
    return timestamp(record.get(date_field))


def _repeat_reason(doc_id: str, order: tuple, first: tuple, table: bool = False) -> str:
    """Why a record whose id an earlier record holds (at ``first``: input number, line, or row of a Parquet
    ``table``) is skipped."""
    if order[0] == first[0]:
        return f"duplicate id {doc_id!r} (first at {'row' if table else 'line'} {first[1] + 1})"
    return f"duplicate id {doc_id!r} (first in input {first[0] + 1})"
