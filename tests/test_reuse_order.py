"""A corpus scan's reused passages do not depend on the order of its inputs (docs/guarantees.md, "Order-free
results"): the alignment of two documents is directed (passages never overlap in the first text, and may in the
second: one passage reused twice), so a scan aligns each pair in an order of the texts' own (``align.leads``);
and a document's partners past the cap are not chosen by input order when they tie."""

from __future__ import annotations

import random
import re
from pathlib import Path

import numpy as np

from dedup import CorpusScanner
from dedup.io.readers import Document
from dedup.reuse.align import AlignSettings, align_texts, align_units, leads
from dedup.reuse.key_rows import strongest_partners
from dedup.reuse.units import units_of

ARTICLE = (Path(__file__).resolve().parents[1] / "data" / "vance_article.txt").read_text(encoding="utf-8")
_PARAGRAPHS = ARTICLE.split("\n\n")
# A page that copies two paragraphs of the article (which restates itself: the Hegseth sentence copied here is
# restated in another paragraph of the article), between paragraphs of its own.
COPY = "\n\n".join([
    "Some unrelated intro text about the weather in Ohio and how it changed this year quite a lot.",
    _PARAGRAPHS[2],
    "Then another unrelated paragraph about cooking pasta with garlic and olive oil for dinner.",
    _PARAGRAPHS[5],
])


def _records(reuse) -> set:
    """Each record as its two (document, span) sides, whichever is named first, with its kind and score."""
    return {(frozenset({(r.a, tuple(r.a_span)), (r.b, tuple(r.b_span))}), r.kind, r.score) for r in reuse}


def test_a_copied_sentence_is_not_reported_again_against_its_sources_restatement_in_either_order():
    """The copy's Hegseth sentence lies inside its first passage. In the article's order it was also reported
    against the article's restatement of it, a third record the copy's order did not have (the directed alignment
    depended on which text came first). A copied sentence's other seeds, far from its copy, no longer make
    passages (``copies_first.beside_copies``): both orders give the copy's two passages."""
    copy_first = _records(align_texts(COPY, ARTICLE, "copy", "article"))
    article_first = _records(align_texts(ARTICLE, COPY, "article", "copy"))
    assert copy_first == article_first
    # Both verbatim, each span its paragraph (the first was "edited" before 2026-12-07, its article side
    # stretched to the sentence before the copy, which the copy's first sentence seeded too).
    assert sorted(kind for _, kind, _ in copy_first) == ["verbatim", "verbatim"]
    spans = {side for sides, _, _ in copy_first for side in sides}
    for k in (2, 5):
        assert ("copy", (COPY.index(_PARAGRAPHS[k]), COPY.index(_PARAGRAPHS[k]) + len(_PARAGRAPHS[k]))) in spans
        assert ("article", (ARTICLE.index(_PARAGRAPHS[k]), ARTICLE.index(_PARAGRAPHS[k]) + len(_PARAGRAPHS[k]))) in spans


def test_a_symmetric_alignment_names_the_texts_as_given_and_finds_the_same_passages():
    settings = AlignSettings()
    units = {"article": units_of(ARTICLE, settings.min_words), "copy": units_of(COPY, settings.min_words)}
    one = align_units(units["article"], units["copy"], "article", "copy", settings, symmetric=True)
    other = align_units(units["copy"], units["article"], "copy", "article", settings, symmetric=True)
    assert one and _records(one) == _records(other)
    assert all(r.a == "article" and r.b == "copy" for r in one)
    assert all(r.a == "copy" and r.b == "article" for r in other)
    # The records of the order ``leads`` picks are the directed search's in that order, swapped where needed.
    first = "article" if leads(ARTICLE, COPY) else "copy"
    directed = align_texts(*((ARTICLE, COPY, "article", "copy") if first == "article" else
                             (COPY, ARTICLE, "copy", "article")))
    assert _records(directed) == _records(one)
    texts = {"article": ARTICLE, "copy": COPY}
    for records in (one, other):
        assert [r.a_span for r in records] == sorted(r.a_span for r in records)  # in a's order
        for r in records:
            assert r.sentences
            for s in r.sentences:  # each aligned sentence on its own side, within its span, and in a's order
                assert _overlaps(texts[r.a], s.a, r.a_span) and _overlaps(texts[r.b], s.b, r.b_span)
            starts = [texts[r.a].find(s.a) for s in r.sentences]
            assert starts == sorted(starts)


def _overlaps(text: str, sentence: str, span: tuple[int, int]) -> bool:
    """Whether some occurrence of ``sentence`` in ``text`` overlaps ``span`` (a copy's span may start inside it)."""
    return any(m.start() < span[1] and m.end() > span[0] for m in re.finditer(re.escape(sentence), text))


def test_leads_depends_on_the_texts_alone():
    assert leads(ARTICLE, COPY) != leads(COPY, ARTICLE)
    assert leads(ARTICLE, ARTICLE)
    same_length = ("alpha beta", "gamma zeta")
    assert leads(*same_length) != leads(*reversed(same_length))


def test_a_scan_reports_the_same_passages_in_any_input_order():
    rng = random.Random(0)
    fillers = [" ".join(rng.choice(["harbour", "orchard", "ferry", "glacier", "tariff", "museum", "cargo",
                                    "senator", "vaccine", "bridge"]) for _ in range(40)) + "." for _ in range(6)]
    docs = [Document("article", ARTICLE), Document("copy", COPY)] + [
        Document(f"other{i}", text) for i, text in enumerate(fillers)]
    found = []
    for order in (docs, list(reversed(docs)), [docs[1], *docs[2:5], docs[0], *docs[5:]]):
        report = CorpusScanner(detector=None).scan(order)
        found.append(_records(report.reuse))
    assert found[0], "the copy's passages are found"
    assert found[0] == found[1] == found[2]


def test_partners_tied_at_the_cap_are_kept_whatever_their_numbers():
    """Document 0's partners 11-13 are equally strong; with room for 2 partners the cut fell inside the tie, and
    which of them the input order numbered first decided. A tie at the cap is now kept whole (up to twice the
    cap)."""
    owner = np.array([0, 0, 0, 0, 0])
    codes = np.array([10, 11, 12, 13, 14])
    strength = np.array([5, 3, 3, 3, 1])
    kept = strongest_partners(owner, codes, strength, 2)
    assert sorted(kept.tolist()) == [10, 11, 12, 13]
    # A tie reaching past twice the cap is cut at the cap (by code: the one order-dependent case, a crowd of
    # equal partners, which the cap is for).
    kept = strongest_partners(np.zeros(6, np.int64), np.arange(6), np.full(6, 2), 2)
    assert sorted(kept.tolist()) == [0, 1]
    kept = strongest_partners(np.zeros(6, np.int64), np.arange(6), np.array([9, 2, 2, 2, 2, 2]), 2)
    assert sorted(kept.tolist()) == [0, 1]
    # Owners are ranked each on its own: one owner's tie does not reach into the next owner's rows.
    kept = strongest_partners(np.array([0, 0, 0, 1, 1, 1]), np.array([1, 2, 3, 4, 5, 6]),
                              np.array([3, 3, 3, 3, 2, 1]), 2)
    assert sorted(kept.tolist()) == [1, 2, 3, 4, 5]
    # No tie at the cap: the cap as before.
    kept = strongest_partners(np.zeros(4, np.int64), np.arange(4), np.array([4, 3, 2, 1]), 2)
    assert sorted(kept.tolist()) == [0, 1]
