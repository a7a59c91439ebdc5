"""A page with many indexed copies: every copy is still listed as a near-duplicate, the copies' paragraphs are
left out of its passages without being read, and a paragraph it shares with another page is still found; on
both stores, and as the lookups gave before the copies were skipped."""

from __future__ import annotations

import numpy as np

from dedup import Index
from dedup.index.verdicts import term_cosine, term_cosines
from dedup.io.readers import Document
from tests.test_reuse import _filler, _join

COPIES = 40


def _indexed(location: str) -> tuple[Index, str]:
    page = _join(_filler(300, paragraphs=5))
    other = _join(_filler(301)[:2] + [_filler(300, paragraphs=5)[1]] + _filler(301)[2:])
    index = Index(location, reuse=False, within=False)
    index.add_many([Document("original", page), Document("other", other)]
                   + [Document(f"copy{i:02d}", page) for i in range(COPIES)]
                   + [Document(f"filler{i}", _join(_filler(400 + i))) for i in range(20)])
    return index, page


def test_every_copy_is_listed_and_a_passage_of_another_page_is_still_found(make_location):
    index, page = _indexed(make_location())
    with index:
        verdict = index.check("new", page)
        assert sorted(m.b for m in verdict.duplicates) == sorted(["original"] + [f"copy{i:02d}" for i in range(COPIES)])
        assert all(m.jaccard == 1.0 and m.cosine == 1.0 for m in verdict.duplicates)
        assert [(p.paragraph, p.doc, p.number, p.cosine) for p in verdict.passages] == [(1, "other", 2, 1.0)]


def test_the_lookups_leave_out_the_skipped_documents_rows_and_nothing_else(make_location):
    index, page = _indexed(make_location())
    with index:
        tokenized = index.signer.tokenize_paragraphs([page.split("\n\n")])
        signed = index.signer.sign([page], tokenized)
        skip = frozenset(index.store.row_of(f"copy{i:02d}") for i in range(0, COPIES, 3))
        keys = signed.paragraph_keys.view(np.int64).tolist()
        fingerprints = [int(f) for f in signed.fingerprints.view(np.int64)]
        for band_keys in (keys, [[] for _ in keys]):  # by fingerprint and band keys, by fingerprint only
            every = index.store.paragraph_matches(fingerprints, band_keys)
            assert all(len(rows) >= COPIES + 1 for rows in every)
            assert all(len(set(rows)) == len(rows) for rows in every)  # each paragraph found once
            assert index.store.paragraph_matches(fingerprints, band_keys, skip) == [
                [row for row in rows if row[0] not in skip] for rows in every]
        # Asked one by one, each paragraph finds what it finds asked with the others.
        together = index.store.paragraph_matches(fingerprints, keys, skip)
        for p in range(len(keys)):
            assert index.store.paragraph_matches([fingerprints[p]], [keys[p]], skip) == [together[p]]
        # A fingerprint alone finds the paragraphs with that fingerprint: the other page's shared paragraph too.
        shared = index.store.paragraph_matches([fingerprints[1]], [[]])[0]
        assert {row[1] for row in shared} == {"original", "other"} | {f"copy{i:02d}" for i in range(COPIES)}
        assert all(row[5] == fingerprints[1] for row in shared)


def test_term_cosines_are_each_term_cosine():
    rng = np.random.default_rng(0)

    def blob(n: int) -> bytes:
        cols = np.sort(rng.choice(5000, n, replace=False)).astype("<u4")
        return cols.tobytes() + rng.integers(1, 9, n).astype("<u2").tobytes()

    idf = rng.random(5000) * 5
    mine = blob(80)
    theirs = [blob(int(n)) for n in rng.integers(0, 120, 300)] + [b"", mine, blob(1)]
    expected = [term_cosine(mine, b, idf) for b in theirs]
    assert np.allclose(term_cosines(mine, theirs, idf), expected, rtol=0, atol=1e-12)
    assert term_cosines(b"", theirs[:3], idf).tolist() == [0.0, 0.0, 0.0]
    assert term_cosines(mine, [], idf).tolist() == []


def test_candidates_scored_one_by_one_or_at_once_score_alike(make_location, monkeypatch):
    import dedup.index.scoring as scoring

    index, page = _indexed(make_location())
    with index:
        edited = page + "\n\nA closing paragraph of its own adds a few more words to the page here."
        found = {}
        for one_by_one in (0, 10_000):
            monkeypatch.setattr(scoring, "_ONE_BY_ONE", one_by_one)
            verdict = index.check("new", edited)
            found[one_by_one] = [(m.b, m.jaccard, m.containment, m.cosine) for m in verdict.duplicates]
            found[one_by_one, "top"] = [(m.doc, m.jaccard, m.cosine) for m in index.query(edited, top=50)]
        assert len(found[0]) == COPIES + 1 and 0 < found[0][0][1] < 1
        assert found[0] == found[10_000] and found[0, "top"] == found[10_000, "top"]
