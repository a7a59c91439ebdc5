"""Digests: a short passage of one text that restates the whole of another (``dedup.reuse.digest``)."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest
from scipy import sparse

from dedup.reuse.align import Alignment, align_texts
from dedup.reuse.digest import best_digest
from dedup.reuse.units import units_of
from tests.test_reuse import MEETING, PASSAGE, SUMMARY, _filler, _join, _spans

# Each sentence condenses several of the report's: no sentence pair is close enough to be a seed at the
# strict thresholds below, but the paragraph as a whole is the part of its text closest to the report.
DIGEST = [
    "At a crowded session the council passed next year's budget, raising property taxes to pay for more police.",
    "Residents spoke about bus routes, parking meters on Main Street and the library's weekend hours.",
    "The fire chief reported on response times, and a park was renamed after a teacher.",
    "A vote on recycling was postponed, and the mayor praised the council for working together.",
]
REPORT = _join([" ".join(PASSAGE[:2] + MEETING[:4]), " ".join(PASSAGE[2:] + MEETING[4:8])])
# Seeds and summaries that find nothing here: what is left to find the digest is the digest rule.
STRICT = {"seed_cosine": 0.9, "seed_dice": 0.9, "summary_gap": 0}


def _with_digest() -> str:
    return _join(_filler(31)[:2] + [" ".join(DIGEST)] + _filler(31)[2:])


def test_a_digest_of_a_whole_document_is_found():
    a = _with_digest()
    found = align_texts(a, REPORT, **STRICT)
    assert _spans(found, a, REPORT) == [(" ".join(DIGEST), REPORT)]
    assert found[0].kind == "restated" and found[0].cosine >= 0.35
    assert [(s.a in DIGEST, s.b in REPORT) for s in found[0].sentences] == [(True, True)] * 4
    # Either text may hold the digest: the records name the same spans the other way round.
    assert _spans(align_texts(REPORT, a, **STRICT), REPORT, a) == [(REPORT, " ".join(DIGEST))]
    assert align_texts(a, REPORT, **STRICT, digest_cosine=1.0) == []
    assert align_texts(a, REPORT, **STRICT, digest_cosine=0.6) == []


def test_a_digest_must_stand_out_from_the_rest_of_its_text():
    # Two texts on one topic throughout: the closest window is no closer to the report than its whole text.
    same_topic = _join([" ".join(SUMMARY), " ".join(DIGEST)])
    units = units_of(same_topic)
    alignment = Alignment(units, units_of(REPORT))
    digest = best_digest(alignment.weights_a, alignment.weights_b, units, len(REPORT), 150, 10)
    assert digest.cosine >= 0.35 and digest.lift < 0.05
    assert align_texts(same_topic, REPORT, **STRICT, digest_lift=0.05) == []


def test_a_digest_is_much_shorter_than_what_it_restates():
    a = _with_digest()
    half = REPORT[:REPORT.index("\n\n")]  # under three times the digest's length
    assert len(half) < 3 * len(" ".join(DIGEST))
    assert align_texts(a, half, **STRICT) == []


def test_a_text_is_no_digest_of_itself():
    text = _with_digest()
    assert align_texts(text, digest_cosine=0.01, digest_lift=0.0) == align_texts(text, digest_cosine=1.0)


@pytest.mark.parametrize("as_sparse", [False, True])
def test_best_digest_is_the_best_window_by_brute_force(as_sparse):
    rng = np.random.default_rng(7)
    for _ in range(20):
        n, m, vocabulary = int(rng.integers(2, 14)), int(rng.integers(1, 10)), 12
        rows = rng.random((n, vocabulary)) * (rng.random((n, vocabulary)) < 0.3)
        rows[rows.sum(axis=1) == 0, 0] = 1.0
        rows /= np.linalg.norm(rows, axis=1, keepdims=True)
        other = rng.random((m, vocabulary))
        ends = np.cumsum(rng.integers(20, 90, n) + 1)
        units = SimpleNamespace(spans=[(int(e - s), int(e)) for e, s in zip(ends, np.diff(ends, prepend=0) - 1)],
                                extra_before=None)
        other_chars = int(rng.integers(100, 2000))
        weights = sparse.csr_matrix(rows) if as_sparse else rows
        found = best_digest(weights, sparse.csr_matrix(other) if as_sparse else other, units, other_chars, 60, 5)
        whole = other.sum(axis=0) / np.linalg.norm(other.sum(axis=0))
        best = None
        for first in range(n):
            for last in range(first + 1, min(first + 5, n)):
                chars = units.spans[last][1] - units.spans[first][0]
                if chars < 60 or 3 * chars > other_chars:
                    continue
                window = rows[first:last + 1].sum(axis=0)
                cosine = window @ whole / np.linalg.norm(window)
                if best is None or cosine > best[2] + 1e-12:
                    best = (first, last, cosine)
        if best is None:
            assert found is None
            continue
        together = rows.sum(axis=0) @ whole / np.linalg.norm(rows.sum(axis=0))
        assert found.cosine == pytest.approx(best[2])
        assert found.lift == pytest.approx(best[2] - together)
