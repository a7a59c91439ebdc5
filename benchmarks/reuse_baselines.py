"""Two baselines for text reuse between two documents, for benchmarks/reuse.py.

- ``SharedNgrams`` ("shared 5-grams"): lower-cased word 5-grams found in both texts are seeds; seeds
  within ``gap`` characters of each other in both texts merge into passages; passages of fewer than
  ``min_passage_seeds`` seeds are dropped, and the pair is linked only when at least ``MIN_SEEDS`` seeds
  are left.
- ``ParagraphScan`` ("paragraph passages today"): the corpus scan (``dedup.CorpusScanner``, neither the
  in-document restatement search nor the scan's own reuse alignment) run on the two texts as a corpus of
  two; a near-duplicate cluster of both links the whole texts, and each reused-paragraph passage links the
  paragraphs it holds in one text to those it holds in the other; those paragraph pairs, as character
  ranges, merge within ``gap``.

Each method has a ``grid`` of settings (dicts) and ``detect_all(susp, src, grid)``, which returns the
detections for every setting at once (work shared between settings is done once), each detection a
tuple ``(susp_start, susp_end, src_start, src_end)`` of character offsets.
"""

from __future__ import annotations

import inspect
import re
from dataclasses import dataclass
from itertools import groupby

Detection = tuple[int, int, int, int]

_WORD = re.compile(r"\w+")
_BLANK_LINES = re.compile(r"\n[^\S\n]*\n\s*")  # dedup.text.segment's paragraph separator
_INVISIBLE = re.compile("[\u200b\ufeff]")  # deleted by dedup's normalize: whitespace here, to keep offsets


@dataclass(frozen=True)
class Box:
    """A passage pair being assembled: ``[s0, s1)`` in the first text, ``[r0, r1)`` in the second, and the
    number of seeds (matched n-grams or paragraph pairs) merged into it."""

    s0: int
    s1: int
    r0: int
    r1: int
    seeds: int = 1

    def union(self, other: Box) -> Box:
        return Box(min(self.s0, other.s0), max(self.s1, other.s1), min(self.r0, other.r0),
                   max(self.r1, other.r1), self.seeds + other.seeds)

    def near(self, other: Box, gap: int) -> bool:
        """Within ``gap`` characters of each other in both texts (overlapping ranges are at distance <= 0)."""
        return (max(other.s0 - self.s1, self.s0 - other.s1) <= gap
                and max(other.r0 - self.r1, self.r0 - other.r1) <= gap)

    @property
    def detection(self) -> Detection:
        return (self.s0, self.s1, self.r0, self.r1)


def merge_boxes(boxes: list[Box], gap: int) -> list[Box]:
    """Merge boxes that are within ``gap`` characters in both texts, until no two are; sorted by start."""
    merged = sorted(boxes, key=lambda b: (b.s0, b.r0))
    while True:
        out: list[Box] = []
        for box in merged:
            for i in range(len(out) - 1, -1, -1):
                if out[i].near(box, gap):
                    out[i] = out[i].union(box)
                    break
            else:
                out.append(box)
        if len(out) == len(merged):
            return merged
        merged = sorted(out, key=lambda b: (b.s0, b.r0))


# --- shared 5-grams ------------------------------------------------------------------------------------

MIN_SEEDS = 3  # seeds that must survive for a pair to be linked
MAX_OCCURRENCES = 10  # an n-gram more frequent than this in either text is no seed (lists, tables, boilerplate)


def word_ngrams(text: str, n: int = 5) -> dict[tuple[str, ...], list[tuple[int, int]]]:
    """Each lower-cased word ``n``-gram of ``text`` with the character ranges of its occurrences."""
    words = [(m.group().lower(), m.start(), m.end()) for m in _WORD.finditer(text)]
    grams: dict[tuple[str, ...], list[tuple[int, int]]] = {}
    for i in range(len(words) - n + 1):
        key = tuple(w for w, _, _ in words[i:i + n])
        grams.setdefault(key, []).append((words[i][1], words[i + n - 1][2]))
    return grams


def shared_seeds(susp: str, src: str, n: int = 5) -> list[Box]:
    """A box for every occurrence pair of every word ``n``-gram of both texts (less very frequent ones)."""
    a, b = word_ngrams(susp, n), word_ngrams(src, n)
    if len(b) < len(a):
        shared = [k for k in b if k in a]
    else:
        shared = [k for k in a if k in b]
    seeds = []
    for key in shared:
        if len(a[key]) > MAX_OCCURRENCES or len(b[key]) > MAX_OCCURRENCES:
            continue
        seeds.extend(Box(s0, s1, r0, r1) for s0, s1 in a[key] for r0, r1 in b[key])
    return seeds


class SharedNgrams:
    """Shared lower-cased word 5-grams merged into passages (see the module docstring)."""

    name = "shared 5-grams"
    # Gaps well past a few hundred characters: on PAN 2013 obfuscated cases the surviving 5-grams lie far
    # apart, and plagdet on a 500-pair sample rose up to a gap of about 4,000 (8,000 and no limit fell).
    grid = [{"gap": gap, "min_passage_seeds": m} for gap in (200, 500, 1000, 2000, 4000, 8000) for m in (1, 3, 10)]

    def __init__(self, n: int = 5) -> None:
        self.n = n

    def detect_all(self, susp: str, src: str, grid: list[dict]) -> list[list[Detection]]:
        seeds = shared_seeds(susp, src, self.n)
        merged_by_gap = {gap: merge_boxes(seeds, gap) for gap in {s["gap"] for s in grid}}
        results = []
        for setting in grid:
            kept = [b for b in merged_by_gap[setting["gap"]] if b.seeds >= setting["min_passage_seeds"]]
            results.append([b.detection for b in kept] if sum(b.seeds for b in kept) >= MIN_SEEDS else [])
        return results


# --- paragraph passages of the corpus scan ---------------------------------------------------------------

def paragraph_spans(text: str) -> list[tuple[int, int]]:
    """Character ranges in ``text`` of the paragraphs ``dedup.text.segment`` finds in it, in its order.

    The same split as ``split_paragraphs`` (blocks between blank lines, or lines when there is no blank
    line), made on the raw text so that offsets stay those of ``text``; each block is stripped.
    """
    raw = _INVISIBLE.sub(" ", text)
    separator = _BLANK_LINES if _BLANK_LINES.search(raw.strip()) else re.compile("\n")
    spans, start = [], 0
    for m in separator.finditer(raw):
        spans.append((start, m.start()))
        start = m.end()
    spans.append((start, len(raw)))
    stripped = []
    for s, e in spans:
        block = raw[s:e]
        lead = len(block) - len(block.lstrip())
        trail = len(block) - len(block.rstrip())
        if e - trail > s + lead:
            stripped.append((s + lead, e - trail))
    return stripped


class ParagraphScan:
    """Paragraph passages from today's corpus scan on the two texts (see the module docstring).

    ``mapping_failures`` counts texts whose paragraphs could not be mapped back to character offsets
    (their passages are then not reported).
    """

    name = "paragraph passages today"
    grid = [{"passage_cosine_threshold": t, "min_passage_words": w, "gap": gap}
            for t in (0.3, 0.5, 0.7) for w in (4, 8) for gap in (5, 300)]
    SCAN_KEYS = ("passage_cosine_threshold", "min_passage_words")

    def __init__(self) -> None:
        self.mapping_failures = 0

    def detect_all(self, susp: str, src: str, grid: list[dict]) -> list[list[Detection]]:
        results: list[list[Detection] | None] = [None] * len(grid)
        order = sorted(range(len(grid)), key=lambda i: self._scan_params(grid[i]))
        for params, indexes in groupby(order, key=lambda i: self._scan_params(grid[i])):
            boxes = self._links(susp, src, dict(params))
            for i in indexes:
                results[i] = [b.detection for b in merge_boxes(boxes, grid[i]["gap"])]
        return results

    def _scan_params(self, setting: dict) -> tuple:
        return tuple((k, setting[k]) for k in self.SCAN_KEYS if k in setting)

    def _links(self, susp: str, src: str, params: dict) -> list[Box]:
        from dedup import CorpusScanner
        from dedup.corpus.pass_one import paragraphs_of
        from dedup.io.readers import Document

        options = dict(detector=None, jobs=1, **params)
        if "reuse" in inspect.signature(CorpusScanner).parameters:
            options["reuse"] = False  # paragraph passages only: not the reuse alignment ("dedup" is that)
        report = CorpusScanner(**options).scan([Document("susp", susp), Document("src", src)])
        if any({"susp", "src"} <= set(c.members) for c in report.clusters):
            return [Box(0, len(susp), 0, len(src))]  # near-duplicates: the whole texts
        spans = {}
        for name, text in (("susp", susp), ("src", src)):
            spans[name] = paragraph_spans(text)
            if len(spans[name]) != len(paragraphs_of(text)):
                self.mapping_failures += 1
                return []
        boxes = []
        for passage in report.passages:
            here = [spans["susp"][o.paragraph] for o in passage.occurrences if o.doc == "susp"]
            there = [spans["src"][o.paragraph] for o in passage.occurrences if o.doc == "src"]
            boxes.extend(Box(s0, s1, r0, r1) for s0, s1 in here for r0, r1 in there)
        return boxes
