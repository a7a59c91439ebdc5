"""Keep per-document restatement reports on disk during a corpus scan.

A report quotes its document's paragraphs, so holding every report in memory
would hold the corpus. Reports go to an anonymous temporary file as JSON
lines and are read back one at a time when the scan is written out.
"""

from __future__ import annotations

import json
import os
import tempfile
import weakref
from typing import Iterator, Sequence

from dedup.records import AgreedAmount, DocumentResult, Group, Match, Paragraph, Report, Sentence, SentencePair, Span


def report_to_record(report: Report) -> dict:
    """Everything in a Report, as JSON-ready lists (lossless, unlike the output schema)."""
    return {
        "id": report.id,
        "paragraphs": [[p.index, p.text, [[s.text, s.start, s.end] for s in p.sentences]] for p in report.paragraphs],
        "groups": [list(g.paragraphs) for g in report.groups],
        "matches": [[m.a, m.b, m.jaccard, m.containment, m.cosine, m.score,
                     [[s.a, s.b, s.cosine, s.a_index, s.b_index] for s in m.sentences],
                     [[s.text, list(s.a), list(s.b), s.content_words] for s in m.spans], m.reranker,
                     m.kind, list(m.confirmed_by), [[x.a, x.b] for x in m.amounts]]
                    for m in report.matches],
        "candidate_scores": report.candidate_scores,
        "candidates_dropped": report.candidates_dropped,
    }


def report_from_record(record: dict) -> Report:
    return Report(
        id=record["id"],
        paragraphs=[Paragraph(i, text, tuple(Sentence(*s) for s in sentences))
                    for i, text, sentences in record["paragraphs"]],
        groups=[Group(tuple(g)) for g in record["groups"]],
        matches=[_match(*fields) for fields in record["matches"]],
        candidate_scores=record.get("candidate_scores", []),
        candidates_dropped=record.get("candidates_dropped", 0),
    )


def _match(a, b, j, c, cos, score, sentences, spans, reranker, kind="restatement", confirmed_by=(),
           amounts=()) -> Match:
    # A checkpoint written before matches had a kind and reasons holds nine fields; before amounts, eleven.
    return Match(a, b, j, c, cos, score, tuple(SentencePair(*s) for s in sentences),
                 tuple(Span(t, tuple(sa), tuple(sb), w) for t, sa, sb, w in spans), reranker, kind,
                 tuple(confirmed_by), tuple(AgreedAmount(x, y) for x, y in amounts))


class ReportSpool:
    """Reports by document number, stored in a temporary file."""

    def __init__(self, path: str | None = None) -> None:
        # A named file when the scan keeps a checkpoint (it must outlive the process), else an anonymous one.
        if path is None:
            self._file = tempfile.TemporaryFile(mode="w+b")
        else:
            open(path, "ab").close()
            self._file = open(path, "r+b")
        self._where: dict[int, tuple[int, int]] = {}
        # Closed when the spool goes (its reports live as long as the scan's report), not left to the file's own
        # finalizer, which said "ResourceWarning: unclosed file" with a traceback under -W error or -X dev.
        weakref.finalize(self, self._file.close)

    def where(self) -> dict[int, tuple[int, int]]:
        """(offset, length) of each stored report, by document number."""
        return dict(self._where)

    def flush(self) -> int:
        """Write buffered reports to the file; its size in bytes."""
        self._file.flush()
        os.fsync(self._file.fileno())
        return self._file.seek(0, 2)

    def restore(self, where: dict[int, tuple[int, int]]) -> None:
        """Take back the reports of a checkpoint (their bytes are already in the file)."""
        self._where = dict(where)

    def add(self, doc: int, report: Report) -> None:
        data = json.dumps(report_to_record(report), ensure_ascii=False).encode("utf-8")
        self._file.seek(0, 2)
        self._where[doc] = (self._file.tell(), len(data))
        self._file.write(data)

    def get(self, doc: int) -> Report | None:
        where = self._where.get(doc)
        if where is None:
            return None
        self._file.flush()  # a report added since is in the file's buffer
        # One read at its offset, no seek: threads reading a scan's reports got each other's position.
        return report_from_record(json.loads(os.pread(self._file.fileno(), where[1], where[0])))

    def __contains__(self, doc: int) -> bool:
        return doc in self._where

    def __len__(self) -> int:
        return len(self._where)


class DocumentList(Sequence[DocumentResult]):
    """The scanned documents in input order; each report is read back from the spool when asked for."""

    def __init__(self, ids: list[str], paragraphs, spool: ReportSpool, index: dict[str, int]) -> None:
        self._ids, self._paragraphs, self._spool, self._index = ids, paragraphs, spool, index

    def __len__(self) -> int:
        return len(self._ids)

    def __getitem__(self, i):  # type: ignore[override]
        if isinstance(i, slice):
            return [self[j] for j in range(*i.indices(len(self)))]
        if i < 0:
            i += len(self)
        report = self._spool.get(i)
        if report is not None:
            report.id = self._ids[i]
        return DocumentResult(self._ids[i], int(self._paragraphs[i]), report)

    def __iter__(self) -> Iterator[DocumentResult]:
        return (self[i] for i in range(len(self)))

    def has_id(self, doc_id: str) -> bool:
        """Whether the scan kept a document of this id (without reading its report back)."""
        return doc_id in self._index

    def by_id(self, doc_id: str) -> DocumentResult | None:
        i = self._index.get(doc_id)
        return None if i is None else self[i]

    def with_reports(self) -> Iterator[DocumentResult]:
        """Only the documents that have restatements."""
        return (self[i] for i in range(len(self)) if i in self._spool)
