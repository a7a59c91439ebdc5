"""``dedup scan --engine spark``: the scan run on Spark, its inputs and output folder checked first, and a failed
job said in one line."""

from __future__ import annotations

import json
import os
import re
import sys
from pathlib import Path

import click

from dedup.cli.notes import IdFieldSeen
from dedup.cli.options import error
from dedup.cluster.keep import undated_note
from dedup.report.formats import report_to_dict


def scan_on_spark(paths, scanner, text_field: str, id_field: str, spark_output: str | None,
                  spark_master: str | None, output, max_bytes: int, progress: bool = False) -> dict:
    """The scan on Spark: near-duplicate clusters, and reused passages and restatements unless turned off, as
    locally (--no-reuse, --no-within); Parquet under --spark-output, a JSON summary on ``output`` (returned).
    ``progress``: Spark's stage bars on stderr (a terminal's, without --quiet, as the local scan's line)."""
    if not spark_output:
        raise click.UsageError("--engine spark needs --spark-output DIR (Parquet results are written there)")
    if "://" not in spark_output and (os.path.isfile(spark_output) or not _under_folders(spark_output)):
        raise click.UsageError(f"--spark-output {spark_output}: a file is in the way; give a folder")
    try:
        from dedup.corpus.spark import run
    except ImportError as err:
        error(f"--engine spark needs the spark extra: pip install 'dedup[spark]' ({err})")
        sys.exit(1)
    try:
        summary = run(list(paths), spark_output, scanner, text_field, id_field, spark_master,
                      report_to_dict=report_to_dict, max_bytes=max_bytes, progress=progress)
    except ValueError as err:
        error(str(err))
        sys.exit(1)
    except Exception as err:  # the job failed on Spark's side (a truncated gzip): its cause, not 100 lines of Java
        if type(err).__module__.split(".")[0] not in ("py4j", "pyspark"):
            raise
        error(f"the Spark job failed: {spark_cause(err)}")
        sys.exit(1)
    output.write(json.dumps(summary, indent=2) + "\n")
    ids = IdFieldSeen()  # the local scan's notes, said alike
    ids.records, ids.named = True, summary.get("records_named_by_id", True)
    ids.note(id_field, quiet=False)
    if summary.get("undated_documents"):
        click.echo(f"dedup: {undated_note(summary['undated_documents'], summary['documents'], scanner.date_field)}",
                   err=True)
    return summary


# The masters Spark takes (local, local[4], local[*, 2], local-cluster[...], yarn, spark://, k8s://, mesos://); at
# least one thread (local[0] passed here, and Spark failed the job with a traceback).
_MASTER = re.compile(r"local(\[(\*|[1-9]\d*)(\s*,\s*[1-9]\d*)?\])?|local-cluster\[[^\]]+\]|yarn|(spark|k8s|mesos)://\S+")


def refuse_local_only(checkpoint: str | None, fmt: str, spark_master: str | None, input_format: str = "auto") -> None:
    """Usage errors for what the Spark engine would take and never read: ``--checkpoint`` (a job is resumed by
    Spark, not from a folder), a ``-f`` other than the JSON summary it writes, ``--input-format html`` (Spark
    reads a text field as it is: the markup was scanned as text), a master Spark cannot use (Java then said
    only that its gateway exited)."""
    if checkpoint is not None:
        raise click.UsageError("--checkpoint is the local engine's; a Spark job keeps its own state (leave it out)")
    if input_format == "html":
        raise click.UsageError("--input-format html is the local engine's: on Spark a text field is read as it is, "
                               "markup and all (extract the pages' main text first, or scan them locally)")
    source = click.get_current_context().get_parameter_source("fmt")
    if fmt != "json" and source is not None and source.name != "DEFAULT":
        raise click.UsageError(f"-f {fmt}: --engine spark writes its results as Parquet and a JSON summary (-f json)")
    if spark_master is not None and not _MASTER.fullmatch(spark_master):
        raise click.UsageError(f"--spark-master {spark_master!r}: give local[N], spark://host:port, yarn, "
                               "k8s://host:port or mesos://host:port")


def _under_folders(path: str) -> bool:
    """Whether the nearest existing folder above ``path`` is a folder (Spark would fail writing under a file)."""
    for parent in Path(path).absolute().parents:
        if parent.exists():
            return parent.is_dir()
    return True


def spark_cause(err: Exception) -> str:
    """The root cause of a failed Spark job in one line: the innermost Java exception, else the first line."""
    java = getattr(err, "java_exception", None)
    while java is not None and java.getCause() is not None:
        java = java.getCause()
    text = java.toString() if java is not None else str(err)
    cause = " ".join(text.strip().splitlines()[:1])[:300]
    # Two consequences whose cause Spark logs above them, not in the exception: said so, or they read as the cause.
    if "stopped SparkContext" in cause:
        cause += " (Spark stopped before the job ran: most often the master could not be reached or refused it; " \
                 "Spark's log lines above say why)"
    elif "JAVA_GATEWAY_EXITED" in cause:
        cause += " (Java could not start Spark with this master or setup; the line above this one says why)"
    return cause
