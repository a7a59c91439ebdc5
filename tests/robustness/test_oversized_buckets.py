"""A paragraph repeated more than ``max_bucket`` (1,000) times in one document: its copies fill one LSH bucket
in every band, too large to expand pair by pair. Such a bucket used to be skipped without a word, so 1,001
copies reported no restatement at all (1,000 reported one group). Now each copy is paired with the first (its
hub), the copies form one group that ``clean`` removes, and the pairs left out make the search partial."""

import json

import numpy as np
import pytest
from click.testing import CliRunner

import dedup
from dedup.cli.main import main
from dedup.sketch.band_pairs import band_pair_codes
from dedup.sketch.lsh_budget import budgeted_pair_codes
from dedup.text.segment import segment

COPY = "The quick brown fox jumps over the lazy dog near the river bank today."
# Between the copies in the mixed documents: words that share nothing with the copy or with each other.
OTHERS = ["Quarterly tariffs on imported steel rose sharply after parliament voted yesterday.",
          "Volunteers planted seven hundred oak saplings across the northern hillside meadow.",
          "Engineers postponed launching the weather satellite because of strong crosswinds.",
          "Museum curators restored a medieval tapestry depicting harvest festivals in Flanders."]


def repeated(copies: int, mixed: bool) -> tuple[str, list[int]]:
    """``copies`` copies of ``COPY``, with ``OTHERS`` spread among them when ``mixed``; the text and the
    copies' paragraph numbers."""
    paragraphs = [COPY] * copies
    if mixed:
        for at, other in zip((0, 17, copies // 2, copies), OTHERS):  # first, inside, middle and last
            paragraphs.insert(at + OTHERS.index(other), other)
    return "\n\n".join(paragraphs), [i for i, p in enumerate(paragraphs) if p == COPY]


def test_an_oversized_bucket_is_joined_to_its_first_member_and_counted():
    # One band: a bucket of 1,200 sets (past max_bucket) and one of 3, the rest alone.
    keys = np.concatenate([np.full(1200, 7, dtype=np.uint64), np.full(3, 8, dtype=np.uint64),
                           np.arange(20, dtype=np.uint64) + 100])
    n = len(keys)
    order = np.random.default_rng(2).permutation(n)  # members scattered: the hub is the lowest-numbered
    keys = keys[order]
    live = np.arange(n, dtype=np.int64)
    big, small = np.sort(np.flatnonzero(keys == 7)), np.sort(np.flatnonzero(keys == 8))
    codes, capped, skipped = budgeted_pair_codes(keys[:, None], live, n, 1000, 10**6)
    hubs = big[0] * n + big[1:]
    threes = [small[0] * n + small[1], small[0] * n + small[2], small[1] * n + small[2]]
    assert np.array_equal(codes, np.sort(np.concatenate((hubs, threes))))
    assert capped == 1 and skipped == 1200 * 1199 // 2 - 1199
    # Under a budget too small for the 3-bucket, the hub pairs still come, and all left out is counted.
    codes, capped, skipped = budgeted_pair_codes(keys[:, None], live, n, 1000, 2)
    assert np.array_equal(codes, hubs) and capped == 1 and skipped == 3 + 1200 * 1199 // 2 - 1199
    # The corpus scan's exact banding is unchanged: the bucket is skipped and counted (``capped_buckets``).
    codes, capped = band_pair_codes(keys[:, None], live, n, 1000)
    assert np.array_equal(codes, np.sort(threes)) and capped == 1


@pytest.mark.parametrize("mixed", [False, True])
@pytest.mark.parametrize("copies", [1001, 3000])
def test_the_copies_form_one_group_and_the_search_is_partial(copies, mixed):
    text, where = repeated(copies, mixed)
    detector = dedup.Detector()
    n = len(where) + 4 * mixed
    candidates, dropped = detector.capped_candidates(detector._sign(segment(text)))
    pairs = [(c.a, c.b) for c in candidates]
    # Every copy paired with the first (the only candidates of the copies), the others with nothing.
    assert pairs == [(where[0], i) for i in where[1:]]
    assert dropped == n * (n - 1) // 2 - (copies - 1)  # every pair not confirmed
    report = detector.detect(text)
    assert [g.paragraphs for g in report.groups] == [tuple(where)]
    assert [(m.a, m.b) for m in report.matches] == pairs
    assert report.candidates_dropped == dropped


def test_scan_notes_the_partial_search_and_clean_removes_the_copies(tmp_path):
    text, where = repeated(1001, mixed=True)
    path = tmp_path / "repeated.txt"
    path.write_text(text, encoding="utf-8")
    result = CliRunner().invoke(main, ["scan", str(path), "-f", "json"])
    assert result.exit_code == 0, result.stderr
    payload = json.loads(result.stdout)
    [document] = payload["documents"]
    assert [g["paragraphs"] for g in document["groups"]] == [where]
    assert document["candidates_dropped"] == 1005 * 1004 // 2 - 1000
    assert payload["stats"]["capped_documents"] == [str(path)]
    assert f"restatement search partial in 1 document with more candidate pairs than --max-candidates: {path}" \
        in result.stderr
    out = tmp_path / "cleaned.txt"
    result = CliRunner().invoke(main, ["clean", str(path), "-o", str(out)])
    assert result.exit_code == 0, result.stderr
    assert out.read_text(encoding="utf-8").split("\n\n") == [OTHERS[0], COPY, *OTHERS[1:]]
    assert "(1000 of 1005)" in result.stderr


def test_find_redundancy_reports_the_copies():
    text, where = repeated(1001, mixed=False)
    report = dedup.find_redundancy(text, confirm="tfidf")
    assert [g.paragraphs for g in report.groups] == [tuple(where)]
    assert report.candidates_dropped == 1001 * 1000 // 2 - 1000
