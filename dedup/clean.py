"""Remove restatements from an article, keeping each claim's first occurrence."""

from __future__ import annotations

from dataclasses import dataclass

from .records import Report


@dataclass(frozen=True)
class CleanResult:
    """The cleaned text and what was taken out of it."""

    text: str
    removed_paragraphs: tuple[int, ...]
    removed_sentences: tuple[tuple[int, int], ...]  # (paragraph, sentence) inside kept paragraphs


def restated_sentences(report: Report) -> set[tuple[int, int]]:
    """``(paragraph, sentence)`` of every sentence that restates one in an earlier paragraph."""
    restated = set()
    for m in report.matches:  # matches always have a < b: b is the later paragraph
        for pair in m.sentences:
            restated.add((m.b, pair.b_index))
    return restated


def clean(report: Report, sentences: bool = False) -> CleanResult:
    """Drop every paragraph whose sentences all restate earlier paragraphs.

    With ``sentences=True``, restated sentences are also cut out of the
    paragraphs that are kept (the paragraph's other sentences stay).
    """
    restated = restated_sentences(report)
    kept_blocks, removed, cut = [], [], []
    for p in report.paragraphs:
        covered = [(p.index, i) in restated for i in range(len(p.sentences))]
        if p.sentences and all(covered):
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
