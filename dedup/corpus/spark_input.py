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

import json
from pathlib import Path

from dedup.io.readers import InputError, parse_record, shown_path
from dedup.io.skips import MAX_LISTED
from dedup.util.validate import text_problem

INPUT_SCHEMA = "id string, text string, date string"


def is_parquet(path: str) -> bool:
    return path.endswith(".parquet") or Path(path).is_dir()


def read_inputs(spark, paths: list[str], text_field: str = "text", id_field: str = "id",
                date_field: str | None = None) -> tuple["object", dict]:
    """A DataFrame (``INPUT_SCHEMA``: id, text, date; the date null without ``date_field``) of the documents of
    JSON Lines (optionally gzipped) and Parquet ``paths``, in input order, and the skips: ``{"skipped": count,
    "skipped_inputs": [{"id": where, "error": reason}, ...]}``."""
    sc = spark.sparkContext
    parts = []
    for number, path in enumerate(paths):
        if is_parquet(path):
            parts.append(_parquet_rows(spark, path, number, text_field, id_field, date_field))
        else:
            name = shown_path(path)
            parts.append(sc.textFile(path).zipWithIndex().map(
                lambda r, number=number, name=name: _parsed(r[0], name, number, r[1], text_field, id_field,
                                                            date_field)))
    parsed = sc.union(parts).filter(lambda r: r[0] != "blank").cache()
    documents = parsed.filter(lambda r: r[0] == "doc")
    # Ids held by more than one record: the first record (in input order) of each stands, as locally.
    firsts = documents.map(lambda r: (r[2], (r[1], 1))) \
        .reduceByKey(lambda x, y: (min(x[0], y[0]), x[1] + y[1])) \
        .filter(lambda kv: kv[1][1] > 1).map(lambda kv: (kv[0], kv[1][0])).collectAsMap()
    firsts_b = sc.broadcast(firsts)
    kept = documents.filter(lambda r: firsts_b.value.get(r[2], r[1]) == r[1])
    repeated = documents.filter(lambda r: firsts_b.value.get(r[2], r[1]) != r[1]) \
        .map(lambda r: ("skip", r[1], r[5], _repeat_reason(r[2], r[1], firsts_b.value[r[2]])))
    skips = parsed.filter(lambda r: r[0] == "skip").union(repeated)
    count = skips.count()
    listed = [{"id": r[2], "error": r[3]} for r in skips.takeOrdered(MAX_LISTED, key=lambda r: r[1])] if count else []
    if count and kept.isEmpty():  # nothing to scan: the likeliest cause is the option, as the local scan says
        field = f"no {text_field!r} field ("
        hint = ": name the field that holds the text with --text-field" if all(
            item["error"].startswith(field) for item in listed) else ""
        raise ValueError(f"no documents to scan: {count} inputs skipped, the first {listed[0]['id']}: "
                         f"{listed[0]['error']}{hint}")
    frame = spark.createDataFrame(kept.map(lambda r: (r[2], r[3], r[4])), INPUT_SCHEMA)
    return frame, {"skipped": count, "skipped_inputs": listed}


def _parsed(line: str, name: str, number: int, index: int, text_field: str, id_field: str,
            date_field: str | None) -> tuple:
    """One line as ``("doc", order, id, text, date, where, name)``, ``("skip", order, where, reason)`` or
    ``("blank", order)``; ``order`` is (input number, line number)."""
    order, where = (number, index), f"{name}:{index + 1}"
    if not line.strip():
        return ("blank", order)
    try:
        doc = parse_record(line.encode("utf-8", "surrogatepass"), where, text_field, id_field, fmt="text")
    except InputError as err:
        return ("skip", order, where, err.reason)
    return ("doc", order, doc.id, doc.text, _date(doc.record, date_field), where, name)


def _parquet_rows(spark, path: str, number: int, text_field: str, id_field: str, date_field: str | None):
    """The rows of one Parquet input in the form of ``_parsed``'s, its text held to ``text_problem``."""
    from pyspark.sql import functions as F

    frame = spark.read.parquet(path)
    missing = [c for c in (id_field, text_field) if c not in frame.columns]
    if missing:
        raise ValueError(f"{path}: no column {missing[0]!r} (columns: {', '.join(frame.columns)})")
    date = F.col(date_field) if date_field is not None and date_field in frame.columns else F.lit(None)
    name = shown_path(path)

    def row(r) -> tuple:
        (doc_id, text, day), index = r
        order, where = (number, index), f"{name}:row {index + 1}"
        problem = text_problem(text)
        if problem is not None:
            return ("skip", order, where, f"column {text_field!r} {problem}")
        return ("doc", order, doc_id or where, text, day, where, name)

    return frame.select(F.col(id_field).cast("string"), F.col(text_field), date.cast("string")).rdd \
        .zipWithIndex().map(row)


def _date(record: dict | None, date_field: str | None) -> str | None:
    """The record's date as Spark's string cast gave it (a string as it is, a number as written)."""
    if date_field is None or not record or record.get(date_field) is None:
        return None
    value = record[date_field]
    return value if isinstance(value, str) else json.dumps(value)


def _repeat_reason(doc_id: str, order: tuple, first: tuple) -> str:
    """Why a record whose id an earlier record holds (at ``first``: input number, line) is skipped."""
    if order[0] == first[0]:
        return f"duplicate id {doc_id!r} (first at line {first[1] + 1})"
    return f"duplicate id {doc_id!r} (first in input {first[0] + 1})"
