"""Write reports: JSON (stable schema), JSON Lines, CSV, and a table for people.

The JSON document object is a contract other tools parse; fields may be
added, never renamed or removed. See docs/output.md and the JSON Schema,
``dedup/schema/scan-report.schema.json``.
"""

from __future__ import annotations

import csv
import html
import io
import json
import re
from typing import IO, Iterable

from dedup import __version__
from dedup.cluster.keep import LABELS as KEEP_LABELS
from dedup.records import Cluster, CorpusReport, DocumentResult, Match, Passage, Report, Reuse
from dedup.report.pretty_json import dumps_indented
from dedup.report.reuse_output import first_words, reuse_csv_row, reuse_lines, reuse_to_dict

FORMATS = ("table", "json", "jsonl", "csv", "html")
# Restatement rows fill the first ten; a reused passage between two documents fills id, other, kind and the spans
# (kind "restatement" on the others).
CSV_COLUMNS = ("id", "a", "b", "jaccard", "containment", "cosine", "score", "sentence_a", "sentence_b", "shared_span",
               "kind", "other", "a_span", "b_span", "match_kind", "confirmed_by")
# Control characters (terminal escapes, line breaks, bidi overrides that reorder what is shown): printed as
# escapes in text meant for a terminal, so an id cannot move the cursor, recolour, or fake a line.
_CONTROLS = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def counted(n: int, noun: str, plural: str | None = None) -> str:
    """``n`` and the noun in the number it takes: "1 paragraph", "2 paragraphs", "0 matches"."""
    if n == 1:
        return f"{n} {noun}"
    return f"{n} {plural or (noun + 'es' if noun.endswith(('s', 'sh', 'ch', 'x')) else noun + 's')}"


def printable(text: str) -> str:
    """``text`` with control characters written as escapes (``\\x1b``), for a terminal or a log line."""
    return _CONTROLS.sub(lambda m: m.group().encode("unicode_escape").decode("ascii"), text)


def html_label(value) -> str:
    """An id, a path or another name for the HTML report: ``printable`` (a bidi override in an id reversed the
    rest of its line on the page), then escaped as text or attribute value. Not for document texts: those
    are shown as written."""
    return html.escape(printable(str(value)), quote=True)


class _CsvRows:
    """``csv.writer``'s rows ending in "\\n", with a cell holding a lone "\\r" quoted too: the writer quotes only the
    characters of its own line end, and an id with a carriage return split its row in two for every reader (the
    second part starting a row unguarded by ``csv_cell``). Each row is written with "\\r\\n", which quotes both,
    and its end turned into "\\n"."""

    def __init__(self, out: IO[str]) -> None:
        self.out, self.buffer = out, io.StringIO()
        self.writer = csv.writer(self.buffer, lineterminator="\r\n")

    def writerow(self, row: list) -> None:
        self.writer.writerow(row)
        self.out.write(self.buffer.getvalue()[:-2] + "\n")
        self.buffer.seek(0)
        self.buffer.truncate()


def csv_cell(value):
    """A CSV cell a spreadsheet will not run: text starting like a formula (``=HYPERLINK(...)``, ``+``, ``-``,
    ``@``) gets a leading apostrophe, which spreadsheets show as text (OWASP's advice); numbers stay numbers."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def match_to_dict(match: Match) -> dict:
    return {
        "a": match.a,
        "b": match.b,
        "jaccard": match.jaccard,
        "containment": match.containment,
        "cosine": match.cosine,
        "score": match.score,
        "reranker": match.reranker,
        "sentences": [{"a": s.a, "b": s.b, "cosine": s.cosine} for s in match.sentences],
        "spans": [{"text": s.text, "a": list(s.a), "b": list(s.b)} for s in match.spans],
        "kind": match.kind,
        "confirmed_by": list(match.confirmed_by),
        "amounts": [{"a": x.a, "b": x.b} for x in match.amounts],
    }


def report_to_dict(report: Report) -> dict:
    """The stable per-document JSON object."""
    return {
        "id": report.id,
        "paragraphs": len(report.paragraphs),
        "groups": [{"paragraphs": list(g.paragraphs), "representative": g.representative} for g in report.groups],
        "matches": [match_to_dict(m) for m in report.matches],
        # Only when the candidate cap cut in, so the restatement search was partial.
        **({"candidates_dropped": report.candidates_dropped} if report.candidates_dropped else {}),
    }


def result_to_dict(result: DocumentResult, duplicate_of: str | None = None) -> dict:
    """A corpus document: the stable per-document object, plus the cluster it belongs to."""
    if result.report is not None:
        payload = report_to_dict(result.report)
        payload["id"] = result.id
    else:
        payload = {"id": result.id, "paragraphs": result.paragraphs, "groups": [], "matches": []}
    payload["duplicate_of"] = duplicate_of
    return payload


def cluster_to_dict(cluster: Cluster) -> dict:
    return {
        "representative": cluster.representative,
        "members": list(cluster.members),
        "matches": [{"a": m.a, "b": m.b, "jaccard": m.jaccard, "containment": m.containment, "cosine": m.cosine}
                    for m in cluster.matches],
        "kept_by": cluster.kept_by,  # the rule that chose the representative (--keep)
    }


def passage_to_dict(passage: Passage) -> dict:
    return {
        "text": passage.text,
        "documents": passage.documents,
        "occurrences": [{"doc": o.doc, "paragraph": o.paragraph} for o in passage.occurrences],
        "boilerplate": passage.boilerplate,
    }


def duplicate_map(report: CorpusReport) -> dict[str, str]:
    """Each clustered document's id -> its cluster's representative (representatives map to themselves)."""
    return {m: c.representative for c in report.clusters for m in c.members}


def write_json(report: CorpusReport, out: IO[str], params: dict, skipped: list[dict]) -> None:
    """One JSON object; documents are written one at a time, so a large corpus never sits in memory twice."""
    duplicates = duplicate_map(report)
    out.write('{\n  "documents": [')
    for i, result in enumerate(report.documents):
        out.write(("," if i else "") + "\n" + _indented(result_to_dict(result, _other(duplicates, result.id))))
    out.write("\n  ],\n")
    rest = {
        "clusters": [cluster_to_dict(c) for c in report.clusters],
        "passages": [passage_to_dict(p) for p in report.passages],
        "reuse": [reuse_to_dict(r) for r in report.reuse],
        "skipped": skipped,
        "version": __version__,
        "params": params,
        "stats": report.stats,
    }
    body = dumps_indented(rest)
    out.write(body[2:])  # the rest of the object, without its opening brace
    out.write("\n")


def _indented(value, depth: int = 2) -> str:
    return "  " * depth + dumps_indented(value, "  " * depth)


def write_jsonl(report: CorpusReport, out: IO[str]) -> None:
    """One line per document, then one per cluster and per passage; ``kind`` tells them apart."""
    duplicates = duplicate_map(report)
    for result in report.documents:
        out.write(json.dumps({"kind": "document", **result_to_dict(result, _other(duplicates, result.id))},
                             ensure_ascii=False) + "\n")
    for cluster in report.clusters:
        out.write(json.dumps({"kind": "cluster", **cluster_to_dict(cluster)}, ensure_ascii=False) + "\n")
    for passage in report.passages:
        out.write(json.dumps({"kind": "passage", **passage_to_dict(passage)}, ensure_ascii=False) + "\n")
    for reuse in report.reuse:  # "kind" is the line's kind; the passage's own kind is "reuse_kind"
        record = reuse_to_dict(reuse)
        record["reuse_kind"] = record.pop("kind")
        out.write(json.dumps({"kind": "reuse", **record}, ensure_ascii=False) + "\n")


def _other(duplicates: dict[str, str], doc_id: str) -> str | None:
    """The representative a document duplicates; None for a representative or an unclustered document."""
    rep = duplicates.get(doc_id)
    return None if rep is None or rep == doc_id else rep


def write_csv(reports: Iterable[Report], out: IO[str], header: bool = True, reuse: Iterable[Reuse] = ()) -> None:
    """One row per restatement match inside a document, then one per passage reused between documents."""
    writer = _CsvRows(out)
    if header:
        writer.writerow(CSV_COLUMNS)
    for report in reports:
        for m in report.matches:
            first = m.sentences[0] if m.sentences else None
            writer.writerow([csv_cell(v) for v in (
                report.id, m.a, m.b, m.jaccard, m.containment, m.cosine, m.score,
                first.a if first else "", first.b if first else "", m.spans[0].text if m.spans else "",
                "restatement", "", "", "", m.kind, " ".join(m.confirmed_by),
            )])
    for r in reuse:
        writer.writerow([csv_cell(v) for v in reuse_csv_row(r, CSV_COLUMNS)])


def _first_words(text: str, width: int = 70) -> str:
    return printable(first_words(text, width))


def format_table(report: Report, searched: bool = True) -> str:
    """A human-readable summary: each group, its paragraphs' first words, the scores (``searched=False``: the
    restatement search did not run, and the table says so rather than that none were found)."""
    if not searched:
        return f"{printable(report.id)}: {counted(len(report.paragraphs), 'paragraph')}, restatements not searched " \
               "(--no-within)\n"
    lines = [f"{printable(report.id)}: {counted(len(report.paragraphs), 'paragraph')}, "
             f"{counted(len(report.groups), 'restatement group')}, {counted(len(report.matches), 'match')}"]
    if not report.groups:
        lines.append("  no restated paragraphs found")
    else:
        lines.append("  a group is one claim: the paragraphs that state it (a paragraph of two claims is in two)")
    by_pair = {(m.a, m.b): m for m in report.matches}
    for n, group in enumerate(report.groups, 1):
        lines.append(f"  group {n}: paragraphs {', '.join(map(str, group.paragraphs))} "
                     f"(representative {group.representative})")
        for p in group.paragraphs:
            lines.append(f"    [{p:>3}] {_first_words(report.paragraphs[p].text)}")
        for a in group.paragraphs:
            for b in group.paragraphs:
                m = by_pair.get((a, b))
                if m:
                    span = f'  shared "{_first_words(m.spans[0].text, 50)}"' if m.spans else ""
                    lines.append(f"      {a:>3} ~ {b:<3} jaccard {m.jaccard:.2f}  containment {m.containment:.2f}"
                                 f"  cosine {m.cosine:.2f}  score {m.score:.2f}{_why(m)}{span}")
    return "\n".join(lines) + "\n"


_REASONS = {"shared_run": "a shared run of words", "headline": "the headline's words",
            "amounts": "the same amounts"}
_SHORT_HELD = "a short paragraph's words all in one sentence of the other"
_SCORED = {"reranker", "paragraph_cosine", "sentence_cosine"}  # reasons the score itself shows


def match_note(match: Match) -> str:
    """A headline match says so; a match its score did not confirm says what did (a shared run of words,
    the headline's words), so a low score next to high ones can be read. Empty for the rest."""
    notes = ["headline"] if match.kind == "headline" else []
    if match.confirmed_by and not _SCORED.intersection(match.confirmed_by):
        # The title rule between two body paragraphs is no headline's: said as what it is, or a reader looks at
        # the article's headline for it.
        reasons = {**_REASONS, "headline": _REASONS["headline"] if match.a == 0 else _SHORT_HELD}
        notes.append("confirmed by " + " and ".join(reasons.get(r, r) for r in match.confirmed_by))
    if match.amounts:
        notes.append("; ".join(f"{x.a} ~ {x.b}" for x in match.amounts))
    return ", ".join(notes)


def _why(match: Match) -> str:
    note = printable(match_note(match))  # its amounts are the paragraphs' own text: escapes shown, not sent
    return f"  ({note})" if note else ""


def write_table(reports: Iterable[Report], out: IO[str], first: bool = True, searched: bool = True) -> None:
    """Tables separated by a blank line; ``first=False`` when earlier tables were already written;
    ``searched=False`` when restatements were not searched (``--no-within``)."""
    for i, report in enumerate(reports):
        if i or not first:
            out.write("\n")
        out.write(format_table(report, searched))


def format_corpus(report: CorpusReport) -> str:
    """A summary of clusters and passages for people; documents with restatements follow it."""
    boiler = sum(p.boilerplate for p in report.passages)
    lines = [f"{counted(len(report.documents), 'document')}: {counted(len(report.clusters), 'near-duplicate cluster')} "
             f"({counted(sum(len(c.members) for c in report.clusters), 'document')}), "
             f"{counted(len(report.passages), 'paragraph')} repeated across documents ({boiler} boilerplate)"]
    for n, cluster in enumerate(report.clusters, 1):
        lines.append(f"  cluster {n}: {counted(len(cluster.members), 'document')}, representative "
                     f"{printable(cluster.representative)} ({KEEP_LABELS.get(cluster.kept_by, cluster.kept_by)})")
        for m in cluster.matches:
            lines.append(f"    {printable(m.b)}  jaccard {m.jaccard:.2f}  containment {m.containment:.2f}  "
                         f"cosine {m.cosine:.2f}")
    for n, passage in enumerate(report.passages, 1):
        kind = "boilerplate" if passage.boilerplate else "repeated paragraph"
        where = ", ".join(f"{printable(o.doc)}#{o.paragraph}" for o in passage.occurrences[:4])
        more = f" and {len(passage.occurrences) - 4} more" if len(passage.occurrences) > 4 else ""
        lines.append(f"  {kind} {n}: in {counted(passage.documents, 'document')} ({where}{more})")
        lines.append(f"    {_first_words(passage.text)}")
    if report.reuse:
        lines.append(f"  {counted(len(report.reuse), 'passage')} reused between documents "
                     "(spans are character offsets into each text):")
        lines += reuse_lines(report.reuse, printable=printable)
    if furniture := report.stats.get("reuse_furniture_forms", 0):  # why a site's footer is not listed above
        left = report.stats.get("reuse_furniture_passages", 0)
        lines.append(f"  page furniture, not reuse: {counted(furniture, 'sentence')} (numbers aside) in too many "
                     "documents to seed reuse" + (f"; {counted(left, 'passage')} of it alone left out" if left else ""))
    return "\n".join(lines) + "\n"


def verdict_to_dict(verdict) -> dict:
    """An index check: near-duplicates (``jaccard``/``containment``/``cosine`` against each) and reused passages."""
    return {
        "id": verdict.id,
        "duplicate": verdict.is_duplicate,
        "duplicates": [{"doc": m.doc, "jaccard": m.jaccard, "containment": m.containment, "cosine": m.cosine}
                       for m in verdict.duplicates],
        "passages": [{"paragraph": p.paragraph, "doc": p.doc, "doc_paragraph": p.number, "cosine": p.cosine,
                      "documents": p.documents, "text": p.text} for p in verdict.passages],
        # Passages shared with indexed documents it does not near-duplicate, as the scan's ``reuse`` records.
        "reuse": [reuse_to_dict(r) for r in verdict.reuse],
        "restated": None if verdict.restated is None else {
            k: v for k, v in report_to_dict(verdict.restated).items() if k in ("groups", "matches")},
        "added": verdict.added,
        # Whether this text should replace the indexed copies it duplicates, under the rule kept_by (--keep).
        "preferred": verdict.preferred,
        "kept_by": verdict.kept_by,
        "milliseconds": round(verdict.seconds * 1000, 2),
        # The searches that raised on this text (a fault of dedup's), each with its error; {} when none did.
        "failed": dict(verdict.failed),
        # With --top K only: the K most similar indexed documents, each marked whether it is a duplicate.
        **({} if getattr(verdict, "top", None) is None else {"top": [
            {"doc": m.doc, "jaccard": m.jaccard, "containment": m.containment, "cosine": m.cosine,
             "duplicate": m.duplicate} for m in verdict.top]}),
    }


def format_verdict(verdict) -> str:
    lines = [f"{printable(verdict.id)}: " + (f"near-duplicate of {counted(len(verdict.duplicates), 'indexed document')}"
                                  if verdict.duplicates else "no near-duplicate indexed")
             + (f", reuses {counted(len(verdict.passages), 'passage')}" if verdict.passages else "")
             + (f", shares {counted(len(verdict.reuse), 'aligned passage')}" if verdict.reuse
                else "")]
    for m in verdict.duplicates:
        lines.append(f"  {printable(m.doc)}  jaccard {m.jaccard:.2f}  containment {m.containment:.2f}  "
                     f"cosine {m.cosine:.2f}")
    for p in verdict.passages:
        lines.append(f"  paragraph {p.paragraph} ~ {printable(p.doc)}#{p.number}  cosine {p.cosine:.2f}  "
                     f"(in {counted(p.documents, 'document')})  {_first_words(p.text, 50)}")
    lines += reuse_lines(verdict.reuse, printable=printable, limit=10)
    for g in verdict.restated.groups if verdict.restated else ():
        lines.append(f"  restates itself: paragraphs {', '.join(map(str, g.paragraphs))}")
    for step, problem in verdict.failed.items():
        lines.append(f"  {step.replace('_', ' ')} failed: {printable(problem)}")
    for rank, m in enumerate(getattr(verdict, "top", None) or (), 1):
        lines.append(f"  top {rank}: {printable(m.doc)}  jaccard {m.jaccard:.2f}  containment {m.containment:.2f}  "
                     f"cosine {m.cosine:.2f}{'  duplicate' if m.duplicate else ''}")
    return "\n".join(lines) + "\n"
