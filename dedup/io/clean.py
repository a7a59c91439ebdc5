"""Remove restatements from an article, keeping each claim's first occurrence."""

from __future__ import annotations

from dataclasses import dataclass

from dedup.records import CorpusReport, Report
from dedup.text.cases import content_word_names
from dedup.text.segment import segment


@dataclass(frozen=True)
class CleanResult:
    """The cleaned text and what was taken out of it."""

    text: str
    removed_paragraphs: tuple[int, ...]
    removed_sentences: tuple[tuple[int, int], ...]  # (paragraph, sentence) inside kept paragraphs


def restated_sentences(report: Report) -> set[tuple[int, int]]:
    """``(paragraph, sentence)`` of every sentence that restates one in an earlier paragraph.

    A body sentence is not restated by the headline alone (``Match.kind == "headline"``): a headline that
    restates the lede is the normal shape of news, and the lede is what a reader needs. Only the headline
    repeated (a sentence of nearly the same content words, ``_repeats``) is restated by it. Nor is a sentence
    restated by a match only its amounts confirm (``confirmed_by == ("amounts",)``): a rewording that states the
    same amount is reported, but its other words may carry what the first did not say, and the amount route
    is the least precise of the confirm stage's reasons (docs/benchmarks.md), so nothing is removed for it.
    """
    restated = set()
    for m in report.matches:  # matches always have a < b: b is the later paragraph
        if m.confirmed_by == ("amounts",):
            continue
        for pair in m.sentences:
            if m.kind == "headline" and not _repeats(pair.a, pair.b):
                continue
            restated.add((m.b, pair.b_index))
    return restated


_REPEAT = 0.8  # content-word Jaccard of a sentence and the headline past which it is the headline repeated


def _repeats(headline: str, sentence: str) -> bool:
    a, b = content_word_names(headline).keys(), content_word_names(sentence).keys()
    return bool(a) and len(a & b) >= _REPEAT * len(a | b)


def clean(report: Report, sentences: bool = False, drop: frozenset[int] | set[int] = frozenset()) -> CleanResult:
    """Drop every paragraph whose sentences all restate earlier paragraphs.

    With ``sentences=True``, restated sentences are also cut out of the
    paragraphs that are kept (the paragraph's other sentences stay).
    Paragraphs numbered in ``drop`` (boilerplate, say) go too.
    """
    restated = restated_sentences(report)
    kept_blocks, removed, cut = [], [], []
    for p in report.paragraphs:
        covered = [(p.index, i) in restated for i in range(len(p.sentences))]
        if (p.sentences and all(covered)) or p.index in drop:
            removed.append(p.index)
            continue
        if sentences and any(covered):
            parts = [s.text for s, c in zip(p.sentences, covered) if not c]
            cut.extend((p.index, i) for i, c in enumerate(covered) if c)
            kept_blocks.append(" ".join(parts))
        else:
            kept_blocks.append(p.text)
    return CleanResult(text="\n\n".join(kept_blocks) + "\n", removed_paragraphs=tuple(removed),
                       removed_sentences=tuple(cut))


@dataclass
class CorpusCleaner:
    """Decide, document by document, what ``dedup clean`` keeps of a scanned corpus.

    Parameters
    ----------
    report : CorpusReport
        The scan of the same input.
    documents : bool, default=True
        Keep only each near-duplicate cluster's representative.
    restated : bool, default=True
        Strip paragraphs that restate earlier ones in the same document.
    boilerplate : bool, default=False
        Strip paragraphs reported as boilerplate passages.
    sentences : bool, default=False
        Also cut restated sentences out of kept paragraphs.
    """

    report: CorpusReport
    documents: bool = True
    restated: bool = True
    boilerplate: bool = False
    sentences: bool = False

    def __post_init__(self) -> None:
        self.dropped_documents = {m for c in self.report.clusters for m in c.members if m != c.representative}
        self.furniture: dict[str, set[int]] = {}
        for passage in self.report.passages:
            if passage.boilerplate:
                for o in passage.occurrences:
                    self.furniture.setdefault(o.doc, set()).add(o.paragraph)
        self.removed_paragraphs = 0
        self.last: tuple[str, CleanResult, int] | None = None  # (id, result, paragraphs) of the last cleaned

    def keeps(self, doc_id: str) -> bool:
        return not (self.documents and doc_id in self.dropped_documents)

    def text(self, doc_id: str, text: str) -> str:
        """The document's text with the chosen paragraphs removed (unchanged when none are)."""
        result = self.report.documents.by_id(doc_id) if self.restated else None
        report = result.report if result is not None else None
        drop = self.furniture.get(doc_id, set()) if self.boilerplate else set()
        if report is None and not drop:
            return text
        if report is None:
            report = Report(id=doc_id, paragraphs=segment(text))
        result = clean(report, sentences=self.sentences, drop=drop)
        self.removed_paragraphs += len(result.removed_paragraphs)
        self.last = (doc_id, result, len(report.paragraphs))
        return result.text
